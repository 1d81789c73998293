"""The team's prioritisation table, and what a member is worth to the business.

For each open idea (not shipped, declined or merged), on one page:

- votes: every vote it was given, those of merged duplicates included (a member who
  voted for both counts twice here);
- unique voters: the members voting for it now (a merge counts them once);
- weighted votes: the votes weighted by importance (1 nice to have, 2 important,
  3 critical);
- trend: votes given today and the 29 days before (UTC days);
- value score: ``VALUE_FORMULA``: each vote's importance times the voter's customer value
  (members without one count as ``vote_counts.DEFAULT_WEIGHT``), summed.

Votes, weighted votes and the value score are stored on the idea and move with every vote
(``vote_counts``) and every new customer value (``customer_values``), so the table reads
the top ideas off an index; the trend sums the shown ideas' votes per day
(``IdeaVoteDay``). Limited to one segment's voters (``customer_values``), the columns are
summed from their votes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, true
from sqlalchemy.orm import joinedload

from community.core.db import dialect_name, utcnow
from community.core.errors import InvalidInput
from community.extensions import db
from community.ideas.models import (
    CLOSED_STATUSES,
    CustomerValue,
    Idea,
    IdeaMerge,
    IdeaMergeVote,
    IdeaVote,
    IdeaVoteDay,
)
from community.ideas.services import common

TREND_DAYS = 30
ROWS = 50
SORTS = ("value", "weighted", "votes", "trend")
VALUE_FORMULA = _l(
    "Value score = Σ (importance × customer value) over the idea's votes; importance is "
    "1 (nice to have), 2 (important) or 3 (critical); members without a customer value "
    "count as 1."
)


@dataclass(frozen=True)
class PriorityRow:
    idea: Idea
    votes: int
    unique_voters: int
    weighted: int
    trend: int
    value_score: int


def table(
    actor: Any,
    sort: str = "value",
    segment: str | None = None,
    product_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[PriorityRow]:
    """The top open ideas by ``sort`` (team only), in two queries: the ideas with their
    stored counts (and each one's trend, summed from its votes per day), and the votes
    merged duplicates brought. Limited to a segment, the counts are those of the
    segment's voters, summed from their votes."""
    common.require_team(actor)
    if sort not in SORTS:
        raise InvalidInput(_("Sort by value, weighted votes, votes or trend."), field="sort")
    # The trend counts the votes of today and the 29 days before (UTC).
    since = (now or utcnow()).date() - dt.timedelta(days=TREND_DAYS - 1)
    rows = (
        _segment_rows(segment, sort, product_id, since)
        if segment
        else _stored_rows(sort, product_id, since)
    )
    # Each row: the idea, its voters, weighted votes, trend and value score.
    merged = _merged_votes([row[0].id for row in rows])
    return [
        PriorityRow(
            idea=idea,
            votes=voters + merged.get(idea.id, 0),
            unique_voters=voters,
            weighted=int(weighted or 0),
            trend=int(trend or 0),
            value_score=int(score or 0),
        )
        for idea, voters, weighted, trend, score in rows
    ]


def _open_ideas(product_id: int | None) -> list[Any]:
    where = [Idea.status.not_in([s.value for s in CLOSED_STATUSES]), Idea.hidden_at.is_(None)]
    if product_id is not None:
        where.append(Idea.product_id == product_id)
    return where


def _stored_rows(sort: str, product_id: int | None, since: dt.date) -> list[Any]:
    """The ideas by their stored counts; the trend of each one shown sums its votes per
    day since ``since`` (at most ``TREND_DAYS`` rows). Sorting by trend, the ideas come
    from the sums of every idea's days since then instead."""
    if sort == "trend":
        return _trending_rows(product_id, since)
    trend = (
        select(func.coalesce(func.sum(IdeaVoteDay.votes), 0))
        .where(IdeaVoteDay.idea_id == Idea.id, IdeaVoteDay.day >= since)
        .correlate(Idea)
        .scalar_subquery()
    )
    order = {"value": Idea.value_score, "weighted": Idea.weighted_votes, "votes": Idea.vote_count}
    return list(
        db.session.execute(
            select(Idea, Idea.vote_count, Idea.weighted_votes, trend, Idea.value_score)
            .options(joinedload(Idea.product))
            .where(*_open_ideas(product_id))
            .order_by(order[sort].desc(), Idea.id.desc())
            .limit(ROWS)
        )
    )


def _trending_rows(product_id: int | None, since: dt.date) -> list[Any]:
    recent = (
        select(IdeaVoteDay.idea_id, func.sum(IdeaVoteDay.votes).label("trend"))
        .where(IdeaVoteDay.day >= since)
        .group_by(IdeaVoteDay.idea_id)
        .subquery()
    )
    trend = func.coalesce(recent.c.trend, 0)
    return list(
        db.session.execute(
            select(Idea, Idea.vote_count, Idea.weighted_votes, trend, Idea.value_score)
            .outerjoin(recent, recent.c.idea_id == Idea.id)
            .options(joinedload(Idea.product))
            .where(*_open_ideas(product_id))
            .order_by(trend.desc(), Idea.id.desc())
            .limit(ROWS)
        )
    )


def _segment_rows(segment: str, sort: str, product_id: int | None, since: dt.date) -> list[Any]:
    """The ideas by the votes of the segment's members (an aggregate over their votes,
    each member's read off ``ix_idea_vote_user_id``)."""
    members = (
        select(CustomerValue.user_id, CustomerValue.value)
        .where(CustomerValue.segment == segment)
        .subquery("members")
    )
    if dialect_name() == "postgresql":
        # Per member, so the planner reads their votes off the index instead of hashing
        # every vote there is (SQLite's nested loop does so by itself); OFFSET 0 keeps
        # the planner from flattening the subquery back into a plain join. On large:
        # 250 members 96 → 20 ms, 900 members 109 → 50 ms.
        votes: Any = (
            select(IdeaVote.idea_id, IdeaVote.importance, IdeaVote.created_at)
            .where(IdeaVote.user_id == members.c.user_id)
            .offset(0)
            .lateral("votes")
        )
        member_votes = members.join(votes, true())
    else:
        votes = IdeaVote.__table__
        member_votes = members.join(votes, votes.c.user_id == members.c.user_id)
    per_idea = (
        select(
            votes.c.idea_id,
            func.count().label("voters"),
            func.sum(votes.c.importance).label("weighted"),
            func.sum(case((votes.c.created_at >= _day_start(since), 1), else_=0)).label("trend"),
            func.sum(votes.c.importance * members.c.value).label("score"),
        )
        .select_from(member_votes)
        .group_by(votes.c.idea_id)
        .subquery("per_idea")
    )
    order = {"value": "score", "weighted": "weighted", "votes": "voters", "trend": "trend"}[sort]
    return list(
        db.session.execute(
            select(Idea, per_idea.c.voters, per_idea.c.weighted, per_idea.c.trend, per_idea.c.score)
            .join(per_idea, per_idea.c.idea_id == Idea.id)
            .options(joinedload(Idea.product))
            .where(*_open_ideas(product_id))
            .order_by(per_idea.c[order].desc(), Idea.id.desc())
            .limit(ROWS)
        )
    )


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _merged_votes(idea_ids: list[int]) -> dict[int, int]:
    """Votes that duplicates merged into these ideas brought and that counted once."""
    if not idea_ids:
        return {}
    rows = db.session.execute(
        select(IdeaMerge.target_id, func.count())
        .join(IdeaMergeVote, IdeaMergeVote.merge_id == IdeaMerge.id)
        .where(
            IdeaMerge.target_id.in_(idea_ids),
            IdeaMerge.undone_at.is_(None),
            IdeaMergeVote.moved.is_(False),
        )
        .group_by(IdeaMerge.target_id)
    )
    return dict(rows.all())
