"""The maven score: helpfulness, reach, breadth and recency, computed and stored."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, delete, distinct, func, insert, select

from community.core.db import utcnow
from community.extensions import db
from community.reputation.models import (
    DailyReputation,
    MavenScore,
    ReputationEvent,
    standing,
)
from community.reputation.models.ledger import NO_CATEGORY
from community.reputation.rules import HELPFUL_REASONS
from community.reputation.services.mavens.boards import CHUNK, RECENT_DAYS, Category

# ---------------------------------------------------------------- the maven score


def maven_score(helpfulness: float, reach: int, breadth: int, recency: float) -> float:
    """The maven score: how much a member's contributions help others, not how many.

        score = 100 × helpfulness × log2(1 + reach) × (0.5 + 0.5 × recency)
                    × (1 + 0.1 × (breadth − 1))

    - helpfulness (0..1): the share of the member's contributions (distinct subjects they
      received any reputation event for) that got at least one helpful outcome (an event
      of a ``helpful`` rule that was not reversed);
    - reach: how many different members gave them helpful outcomes; logarithmic, so
      helping 32 people counts 5 times helping one, not 32 times;
    - recency (0..1): the share of their helpful outcomes from the last 90 days; help
      that is all older still counts half;
    - breadth: in how many categories they helped; each one beyond the first adds 10%
      (a category's own score has breadth 1, so specialists are ranked on their own).

    No helpful outcome from anyone else means a score of 0.
    """
    if reach <= 0 or helpfulness <= 0:
        return 0.0
    score = (
        100
        * helpfulness
        * math.log2(1 + reach)
        * (0.5 + 0.5 * recency)
        * (1 + 0.1 * max(breadth - 1, 0))
    )
    return round(score, 4)


@dataclass
class _Tally:
    contributions: int = 0
    helped_subjects: int = 0
    outcomes: int = 0
    recent: int = 0
    reach: int = 0

    def row(self, user_id: int, category: Category, breadth: int, now: dt.datetime) -> dict:
        helpfulness = self.helped_subjects / self.contributions if self.contributions else 0.0
        recency = self.recent / self.outcomes if self.outcomes else 0.0
        return {
            "user_id": user_id,
            "category_type": category[0],
            "category_id": category[1],
            "score": maven_score(helpfulness, self.reach, breadth, recency),
            "helpfulness": round(helpfulness, 4),
            "reach": self.reach,
            "breadth": breadth,
            "recency": round(recency, 4),
            "computed_at": now,
        }


def compute_scores(user_ids: Iterable[int], now: dt.datetime | None = None) -> int:
    """Recompute and store the maven scores (overall and per category) of these members
    from the ledger, a few queries per chunk of members; returns how many were scored."""
    now = now or utcnow()
    ids = sorted(set(user_ids))
    for start in range(0, len(ids), CHUNK):
        _score_chunk(ids[start : start + CHUNK], now)
    return len(ids)


def _score_chunk(ids: list[int], now: dt.datetime) -> None:
    event = ReputationEvent
    standing_helpful = and_(event.reason.in_(HELPFUL_REASONS), standing(event))
    cutoff = now.date() - dt.timedelta(days=RECENT_DAYS)
    helper = case(
        (and_(event.actor_id.is_not(None), event.actor_id != event.user_id), event.actor_id)
    )
    tallies: dict[tuple[int, Category], _Tally] = {}
    # Per category first, then overall: a subject or a helper counts once overall even
    # when they appear in several categories.
    for group in (
        [event.user_id, event.category_type, event.category_id],
        [event.user_id],
    ):
        per_subject = (
            select(*group, func.max(case((standing_helpful, 1), else_=0)).label("helped"))
            .where(event.user_id.in_(ids), event.subject_type.is_not(None))
            .group_by(*group, event.subject_type, event.subject_id)
            .subquery()
        )
        keys = [per_subject.c[column.key] for column in group]
        subject_rows = db.session.execute(
            select(*keys, func.count(), func.sum(per_subject.c.helped)).group_by(*keys)
        ).all()
        outcome_rows = db.session.execute(
            select(
                *group,
                func.count(),
                func.sum(case((event.day >= cutoff, 1), else_=0)),
                func.count(distinct(helper)),
            )
            .where(event.user_id.in_(ids), standing_helpful)
            .group_by(*group)
        ).all()
        for row in subject_rows:
            tally = _tally_of(tallies, row, len(group))
            if tally is not None:
                tally.contributions, tally.helped_subjects = row[-2], int(row[-1] or 0)
        for row in outcome_rows:
            tally = _tally_of(tallies, row, len(group))
            if tally is not None:
                tally.outcomes, tally.recent, tally.reach = row[-3], int(row[-2] or 0), row[-1]

    breadth: dict[int, int] = {}
    for (user_id, category), tally in tallies.items():
        if category != NO_CATEGORY and tally.outcomes:
            breadth[user_id] = breadth.get(user_id, 0) + 1
    rows = [
        tally.row(
            user_id,
            category,
            breadth.get(user_id, 0) if category == NO_CATEGORY else min(tally.outcomes, 1),
            now,
        )
        for (user_id, category), tally in tallies.items()
    ]
    db.session.execute(delete(MavenScore).where(MavenScore.user_id.in_(ids)))
    if rows:
        db.session.execute(insert(MavenScore), rows)


def _tally_of(tallies: dict, row: Any, width: int) -> _Tally | None:
    """The tally a result row adds to: per category (width 3) or overall (width 1).
    Events without a category only count overall."""
    if width == 1:
        key = (row[0], NO_CATEGORY)
    else:
        key = (row[0], (row[1], row[2]))
        if key[1] == NO_CATEGORY:
            return None
    return tallies.setdefault(key, _Tally())


def members_to_score() -> list[int]:
    """Members whose score may have changed since the last computation: those with
    reputation activity since then (everyone with any on the first run), and those with
    recent help that is ageing (their recency must decay)."""
    last = db.session.scalar(select(func.max(MavenScore.computed_at)))
    active = select(DailyReputation.user_id).distinct()
    if last is not None:
        # A day of overlap: events of a transaction still open during the last run.
        active = active.where(DailyReputation.day >= last.date() - dt.timedelta(days=1))
    ageing = select(MavenScore.user_id).where(
        MavenScore.recency > 0, MavenScore.category_type == NO_CATEGORY[0]
    )
    return sorted(set(db.session.scalars(active)) | set(db.session.scalars(ageing)))
