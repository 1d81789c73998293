"""Reading the forums: a category's topics (keyset pages for every filter) and a topic's
page of posts, with the reader's state from ``read_state``. Every list here costs a fixed
number of queries whatever the number of topics, posts or reactions."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import false, or_, select, true, tuple_
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from community.core.db import utcnow
from community.core.errors import InvalidInput, NotFound
from community.extensions import db
from community.forums import policy
from community.forums.models import (
    CategoryUser,
    ForumCategory,
    Level,
    Post,
    PostReactionCount,
    Reaction,
    ReactionType,
    Tag,
    Topic,
    TopicTag,
    TopicUser,
)
from community.forums.services import common, read_state, visibility, watching
from community.forums.services.read_state import TopicRow

FILTERS = ("latest", "top", "unanswered", "solved")
PERIODS = ("week", "month", "year", "all")
PERIOD_DAYS = {"week": 7, "month": 30, "year": 365}
# A visit starts when the last request in the forums is older than this.
PINNED_MAX = 20
_CURSOR_RE = re.compile(r"(\d{1,19})-(\d{1,19})")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class TopicList:
    items: list[TopicRow]
    next_cursor: str | None
    # Pinned topics, on the first page of "latest" only.
    pinned: list[TopicRow] = field(default_factory=list)


# ---------------------------------------------------------------- cursors


def _micros(value: dt.datetime) -> int:
    return (value - _EPOCH) // dt.timedelta(microseconds=1)


def _bad_cursor() -> InvalidInput:
    return InvalidInput(_("This page link is not valid."), field="cursor")


def _parse_cursor(cursor: str | None) -> tuple[int, int] | None:
    if cursor is None or cursor == "":
        return None
    match = _CURSOR_RE.fullmatch(cursor)
    if match is None:
        raise _bad_cursor()
    return int(match.group(1)), int(match.group(2))


def _time_of(micros: int) -> dt.datetime:
    try:
        return _EPOCH + dt.timedelta(microseconds=micros)
    except OverflowError as exc:
        raise _bad_cursor() from exc


def _sort(filter: str) -> tuple[Any, ...]:
    if filter == "top":
        return (Topic.reaction_count, Topic.id)
    return (Topic.last_posted_at, Topic.id)


def _cursor_of(filter: str, topic: Topic) -> str:
    if filter == "top":
        return f"{topic.reaction_count}-{topic.id}"
    return f"{_micros(topic.last_posted_at)}-{topic.id}"


def _after(filter: str, cursor: tuple[int, int]) -> Any:
    first, topic_id = cursor
    key = first if filter == "top" else _time_of(first)
    columns = _sort(filter)
    # Row-value comparison: both engines walk the index from the cursor.
    return tuple_(*columns) < (key, topic_id)


# ---------------------------------------------------------------- a category's topics


def _check_choice(value: str, choices: tuple[str, ...], field_name: str) -> str:
    if value not in choices:
        raise InvalidInput(_("Choose one of the offered options."), field=field_name)
    return value


def _topic_query(viewer: Any, category: ForumCategory, tag: str | None) -> Any:
    stmt = (
        select(Topic)
        .options(
            joinedload(Topic.author),
            joinedload(Topic.last_poster),
            selectinload(Topic.tags),
        )
        .where(Topic.category_id == category.id, visibility.topic_clause(viewer))
    )
    if tag is not None:
        stmt = stmt.where(
            Topic.id.in_(
                select(TopicTag.topic_id)
                .join(Tag, Tag.id == TopicTag.tag_id)
                .where(Tag.name == tag)
            )
        )
    return stmt


def list_topics(
    viewer: Any,
    category: ForumCategory,
    filter: str = "latest",
    period: str = "all",
    tag: str | None = None,
    cursor: str | None = None,
) -> TopicList:
    """One keyset page of the category's topics the viewer may see: "latest" (pinned
    first on the first page, then by last activity), "top" (most reactions among those
    started in ``period``), "unanswered" (no visible reply yet) or "solved"; optionally
    with a tag. A fixed number of queries; InvalidInput for a bad filter, period or
    cursor."""
    filter = _check_choice(filter or "latest", FILTERS, "filter")
    period = _check_choice(period or "all", PERIODS, "period")
    position = _parse_cursor(cursor)
    tag = (tag or "").strip().lower() or None

    stmt = _topic_query(viewer, category, tag)
    pinned: list[Topic] = []
    if filter == "latest":
        if position is None:
            pinned = list(
                db.session.scalars(
                    stmt.where(Topic.is_pinned == true())
                    .order_by(Topic.last_posted_at.desc(), Topic.id.desc())
                    .limit(PINNED_MAX)
                )
            )
        stmt = stmt.where(Topic.is_pinned == false())
    elif filter == "top":
        if period != "all":
            since = utcnow() - dt.timedelta(days=PERIOD_DAYS[period])
            stmt = stmt.where(Topic.created_at >= since)
    elif filter == "unanswered":
        stmt = stmt.where(Topic.post_count <= 1, Topic.accepted_post_id.is_(None))
    else:  # solved
        stmt = stmt.where(Topic.accepted_post_id.is_not(None))
    if position is not None:
        stmt = stmt.where(_after(filter, position))
    stmt = stmt.order_by(*(column.desc() for column in _sort(filter)))
    topics = list(db.session.scalars(stmt.limit(common.PER_PAGE + 1)))
    next_cursor = None
    if len(topics) > common.PER_PAGE:
        topics = topics[: common.PER_PAGE]
        next_cursor = _cursor_of(filter, topics[-1])
    rows = read_state.topic_rows(viewer, pinned + topics)
    return TopicList(items=rows[len(pinned) :], next_cursor=next_cursor, pinned=rows[: len(pinned)])


# ---------------------------------------------------------------- a topic's page


@dataclass(frozen=True)
class TopicPage:
    topic: Topic
    # The posts numbered in this page's range that the viewer may see, in order.
    posts: list[Post]
    page: int
    last_page: int
    # post id -> [(reaction type, count)] in the types' order, counts above zero only.
    reaction_counts: dict[int, list[tuple[ReactionType, int]]]
    # post id -> the name of the viewer's reaction to it.
    my_reactions: dict[int, str]
    # The accepted answer and the pinned official reply, when set and visible.
    accepted: Post | None
    pinned_official: Post | None
    # The first post the viewer has not read (None: never opened, or all read).
    first_unread_number: int | None
    level: Level
    # The active reaction types, in order (for the buttons).
    reaction_types: list[ReactionType]


def _hidden_post_clause(viewer: Any) -> Any:
    if policy.is_moderator(viewer):
        return true()
    if policy.is_signed_in(viewer):
        return or_(Post.hidden_at.is_(None), Post.author_id == viewer.id)
    return Post.hidden_at.is_(None)


def topic_page(viewer: Any, topic: Topic, page: int = 1) -> TopicPage:
    """Page ``page`` of a topic the viewer may see (NotFound otherwise) with everything
    the page shows, in a fixed number of queries whatever the posts and reactions."""
    if not visibility.can_see_topic(viewer, topic):
        raise NotFound(_("No such topic."))
    last_page = common.page_of(max(topic.highest_number, 1))
    page = min(max(int(page), 1), last_page)
    first = (page - 1) * common.PER_PAGE + 1
    last = page * common.PER_PAGE
    extra_ids = [i for i in (topic.accepted_post_id, topic.pinned_official_post_id) if i]

    in_page = Post.number.between(first, last)
    where_page = or_(in_page, Post.id.in_(extra_ids)) if extra_ids else in_page
    loaded = list(
        db.session.scalars(
            select(Post)
            .options(joinedload(Post.author))
            .where(Post.topic_id == topic.id, where_page, _hidden_post_clause(viewer))
            .order_by(Post.number)
        )
    )
    for post in loaded:
        set_committed_value(post, "topic", topic)
    by_id = {post.id: post for post in loaded}
    posts = [post for post in loaded if first <= post.number <= last]
    accepted = by_id.get(topic.accepted_post_id) if topic.accepted_post_id else None
    pinned_official = (
        by_id.get(topic.pinned_official_post_id) if topic.pinned_official_post_id else None
    )

    tags = list(
        db.session.scalars(
            select(Tag)
            .join(TopicTag, TopicTag.tag_id == Tag.id)
            .where(TopicTag.topic_id == topic.id)
            .order_by(Tag.name)
        )
    )
    set_committed_value(topic, "tags", tags)

    types = list(db.session.scalars(select(ReactionType).order_by(ReactionType.position)))
    type_by_name = {t.name: t for t in types}
    post_ids = list(by_id)
    reaction_counts: dict[int, list[tuple[ReactionType, int]]] = {}
    my_reactions: dict[int, str] = {}
    if post_ids:
        count_rows = db.session.execute(
            select(
                PostReactionCount.post_id, PostReactionCount.name, PostReactionCount.count
            ).where(PostReactionCount.post_id.in_(post_ids), PostReactionCount.count > 0)
        )
        for post_id, name, count in count_rows:
            if name in type_by_name:
                reaction_counts.setdefault(post_id, []).append((type_by_name[name], count))
        for counts in reaction_counts.values():
            counts.sort(key=lambda pair: (pair[0].position, pair[0].name))
        if policy.is_signed_in(viewer):
            my_rows = db.session.execute(
                select(Reaction.post_id, Reaction.name).where(
                    Reaction.user_id == viewer.id, Reaction.post_id.in_(post_ids)
                )
            )
            my_reactions = {post_id: name for post_id, name in my_rows}

    level = Level.NORMAL
    first_unread = None
    if policy.is_signed_in(viewer):
        topic_level = select(TopicUser.level).where(
            TopicUser.topic_id == topic.id, TopicUser.user_id == viewer.id
        )
        last_read = select(TopicUser.last_read_number).where(
            TopicUser.topic_id == topic.id, TopicUser.user_id == viewer.id
        )
        category_level = select(CategoryUser.level).where(
            CategoryUser.category_id == topic.category_id, CategoryUser.user_id == viewer.id
        )
        row = db.session.execute(
            select(
                topic_level.scalar_subquery(),
                last_read.scalar_subquery(),
                category_level.scalar_subquery(),
            )
        ).one()
        level = watching.effective_level(row[0], row[2])
        read = row[1] or 0
        if 0 < read < topic.highest_number:
            first_unread = read + 1

    return TopicPage(
        topic=topic,
        posts=posts,
        page=page,
        last_page=last_page,
        reaction_counts=reaction_counts,
        my_reactions=my_reactions,
        accepted=accepted,
        pinned_official=pinned_official,
        first_unread_number=first_unread,
        level=level,
        reaction_types=[t for t in types if t.is_active],
    )


def locate_post(viewer: Any, post_id: int) -> tuple[Topic, int, str]:
    """Where a post the viewer may see is shown: its topic, page and anchor (NotFound
    otherwise)."""
    post = visibility.get_post(viewer, post_id)
    return post.topic, common.page_of(post.number), f"p{post.id}"
