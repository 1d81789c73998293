"""A member's reputation history: the events, where they lead, and the total over time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from community.accounts import services as accounts
from community.accounts.models import User
from community.core import subjects
from community.core.pagination import newest_first
from community.extensions import db
from community.reputation.models import DailyReputation, ReputationEvent

PER_PAGE = 50


@dataclass(frozen=True)
class HistoryPage:
    items: list[ReputationEvent]
    next_cursor: int | None
    # event id -> link to its subject, when the viewer may see it
    links: dict[int, str | None]


def history(user: User, viewer: Any, cursor: int | None) -> HistoryPage:
    """The user's events, newest first; subjects the viewer may not see get no link."""
    page = newest_first(
        select(ReputationEvent).where(ReputationEvent.user_id == user.id),
        ReputationEvent.id,
        cursor,
        PER_PAGE,
    )
    resolved = subjects.resolve(viewer, [(e.subject_type, e.subject_id) for e in page.items])
    return HistoryPage(
        items=page.items,
        next_cursor=page.next_cursor,
        links={e.id: resolved.url(e.subject_type, e.subject_id) for e in page.items},
    )


def total_by_day(user: User) -> list[tuple[dt.date, int]]:
    """The running total at the end of each day with a change, oldest first (from the
    daily roll-ups, not the ledger)."""
    rows = db.session.execute(
        select(DailyReputation.day, func.sum(DailyReputation.points))
        .where(DailyReputation.user_id == user.id)
        .group_by(DailyReputation.day)
        .order_by(DailyReputation.day)
    )
    total = 0
    series = []
    for day, points in rows:
        total += int(points or 0)
        series.append((day, total))
    return series


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: str  # the polyline's "x,y x,y ..."
    max_total: int
    first_day: dt.date | None
    last_day: dt.date | None


def chart(series: list[tuple[dt.date, int]], width: int = 600, height: int = 160) -> Chart:
    """Scale a running total into an SVG polyline (drawn on the server, no script)."""
    if not series:
        return Chart(width, height, "", 0, None, None)
    first, last = series[0][0], series[-1][0]
    span = max((last - first).days, 1)
    top = max(max(total for _day, total in series), 1)
    bottom = min(min(total for _day, total in series), 0)
    rng = max(top - bottom, 1)
    coords = []
    for day, total in series:
        x = round((day - first).days / span * width, 1)
        y = round(height - (total - bottom) / rng * height, 1)
        coords.append(f"{x},{y}")
    if len(coords) == 1:
        coords.append(f"{width},{coords[0].split(',')[1]}")
    return Chart(width, height, " ".join(coords), top, first, last)


def export(user: User) -> list[dict[str, Any]]:
    """The user's ledger events for their data export."""
    rows = db.session.scalars(
        select(ReputationEvent)
        .where(ReputationEvent.user_id == user.id)
        .order_by(ReputationEvent.id)
    )
    return [
        {
            "reason": e.reason,
            "points": e.points,
            "requested": e.requested,
            "subject": [e.subject_type, e.subject_id] if e.subject_type else None,
            "category": [e.category_type, e.category_id] if e.category_type else None,
            "reverses": e.reverses_id,
            "created_at": e.created_at.isoformat(),
        }
        for e in rows
    ]


accounts.register_exporter("reputation", export)
