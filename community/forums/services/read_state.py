"""A member's read state in the forums: when they visit (so "new since your last
visit" has a reference), how far they read each topic, and the unread counts and "new"
flags a list of topics shows them. These are the only writes a page view (GET) may do."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, select, update

from community.core import page_cache
from community.core.db import expire_loaded, insert_ignore, utcnow
from community.extensions import db
from community.forums import policy
from community.forums.models import CategoryUser, ForumVisit, Level, Topic, TopicUser
from community.forums.services import watching

# The only tables a page view (GET) writes. Only their own member sees them, on forum
# pages that are never kept for members: writing them leaves kept pages alone.
READ_STATE_TABLES = frozenset({ForumVisit.__tablename__, TopicUser.__tablename__})
page_cache.ignore_writes_to(*READ_STATE_TABLES)

# A page view this long after the last one starts a new visit.
VISIT_GAP = dt.timedelta(hours=1)
# The visit is written at most this often per member.
SEEN_EVERY = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class TopicRow:
    """A topic as a list shows it; ``unread`` and ``is_new`` only for signed-in viewers."""

    topic: Topic
    unread: int = 0
    is_new: bool = False


def record_visit(viewer: Any) -> dt.datetime | None:
    """Note that the viewer is in the forums now; a request more than an hour after the
    last one starts a new visit. Returns when the previous visit was (None: the first).
    Writes at most once a minute per member: page views in between only read."""
    if not policy.is_signed_in(viewer):
        return None
    now = utcnow()
    previous = db.session.execute(
        update(ForumVisit)
        .where(ForumVisit.user_id == viewer.id, ForumVisit.last_seen_at < now - SEEN_EVERY)
        .values(previous_seen_at=_case_new_visit(now), last_seen_at=now)
        .returning(ForumVisit.previous_seen_at),
        execution_options={"synchronize_session": False},
    ).first()
    if previous is None:
        # Seen within the last minute, or never: nothing to move.
        insert_ignore(ForumVisit, user_id=viewer.id, last_seen_at=now, previous_seen_at=None)
        previous = db.session.execute(
            select(ForumVisit.previous_seen_at).where(ForumVisit.user_id == viewer.id)
        ).first()
    expire_loaded(ForumVisit, viewer.id)
    return previous[0]


def _case_new_visit(now: dt.datetime) -> Any:
    return case(
        (ForumVisit.last_seen_at < now - VISIT_GAP, ForumVisit.last_seen_at),
        else_=ForumVisit.previous_seen_at,
    )


def mark_read(viewer: Any, topic: Topic, up_to_number: int) -> None:
    """The viewer has read the topic up to post ``up_to_number``; never moves back."""
    if not policy.is_signed_in(viewer):
        return
    number = min(max(int(up_to_number), 0), topic.highest_number)
    if number < 1:
        return
    now = utcnow()
    insert_ignore(
        TopicUser,
        topic_id=topic.id,
        user_id=viewer.id,
        level=None,
        last_read_number=number,
        last_read_at=now,
    )
    db.session.execute(
        update(TopicUser)
        .where(
            TopicUser.topic_id == topic.id,
            TopicUser.user_id == viewer.id,
            TopicUser.last_read_number < number,
        )
        .values(last_read_number=number, last_read_at=now),
        execution_options={"synchronize_session": False},
    )


def _visit_and_state(
    viewer: Any, topics: list[Topic]
) -> tuple[dt.datetime | None, dict[int, tuple[int | None, int, int | None]]]:
    """The viewer's previous visit and, per topic, (topic level, last read, category level)."""
    previous = db.session.scalar(
        select(ForumVisit.previous_seen_at).where(ForumVisit.user_id == viewer.id)
    )
    if not topics:
        return previous, {}
    category_ids = {t.category_id for t in topics}
    rows = db.session.execute(
        select(Topic.id, TopicUser.level, TopicUser.last_read_number, CategoryUser.level)
        .outerjoin(TopicUser, and_(TopicUser.topic_id == Topic.id, TopicUser.user_id == viewer.id))
        .outerjoin(
            CategoryUser,
            and_(
                CategoryUser.category_id == Topic.category_id,
                CategoryUser.user_id == viewer.id,
                CategoryUser.category_id.in_(category_ids),
            ),
        )
        .where(Topic.id.in_([t.id for t in topics]))
    )
    return previous, {tid: (level, read or 0, cat_level) for tid, level, read, cat_level in rows}


def topic_rows(viewer: Any, topics: list[Topic]) -> list[TopicRow]:
    """Rows with unread counts and "new" flags: two queries for the whole page."""
    if not policy.is_signed_in(viewer) or not topics:
        return [TopicRow(topic) for topic in topics]
    previous, state = _visit_and_state(viewer, topics)
    rows = []
    for topic in topics:
        topic_level, read, category_level = state.get(topic.id, (None, 0, None))
        level = watching.effective_level(topic_level, category_level)
        unread = 0
        is_new = False
        if read > 0:
            if level >= Level.TRACKING:
                unread = max(topic.highest_number - read, 0)
        elif previous is not None and topic.created_at > previous:
            is_new = level != Level.MUTED
        rows.append(TopicRow(topic, unread, is_new))
    return rows
