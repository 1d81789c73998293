"""Maven leaderboards: periods, categories, the boards and "top x%"."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.accounts.models import Role, User
from community.core import subjects
from community.core.db import utcnow
from community.core.errors import InvalidInput, NotFound
from community.extensions import db
from community.reputation.models import (
    ALL_TIME,
    CategoryReputation,
    PeriodReputation,
)
from community.reputation.services.mavens.places import (
    in_scope,
    points_of,
    ranked_above,
    scope_of,
)

Category = tuple[str, int]

PERIODS: dict[str, Any] = {
    "week": _l("This week"),
    "month": _l("This month"),
    "year": _l("This year"),
    "all": _l("All time"),
}
DEFAULT_PERIOD = "week"
BOARD_SIZE = 50
# Helpful outcomes of the last RECENT_DAYS days count as recent for the maven score.
RECENT_DAYS = 90
# Members whose scores are recomputed together (a handful of queries per chunk).
CHUNK = 500
# The perks a live Market Maven designation brings; features ask ``has_perk``.
PERKS: dict[str, Any] = {
    "early_access": _l("Early access to announcements marked for mavens"),
    "mavens_forum": _l("The mavens-only forum"),
}
_CATEGORY_RE = re.compile(r"^([a-z][a-z0-9_]{0,39}):([1-9][0-9]{0,17})$")


# ---------------------------------------------------------------- parsing and periods


def parse_period(value: str | None) -> str:
    """A board period from the query string (the default when absent), else InvalidInput."""
    if not value:
        return DEFAULT_PERIOD
    if value not in PERIODS:
        raise InvalidInput(
            _("Unknown period %(period)s: use week, month, year or all.", period=value[:20]),
            field="period",
        )
    return value


def parse_category(value: str | None) -> Category | None:
    """A ``type:id`` category from the query string (None when absent), else InvalidInput."""
    if not value:
        return None
    match = _CATEGORY_RE.fullmatch(value)
    if match is None:
        raise InvalidInput(
            _("A category is written as type:id, for example product:7."), field="category"
        )
    return match.group(1), int(match.group(2))


def category_labels(viewer: Any, categories: Iterable[Category]) -> dict[Category, str | None]:
    """Each category's name, or ``"product #7"`` when its feature names none; None for
    the categories the viewer may not see. One call per kind, not per category."""
    categories = list(categories)
    resolved = subjects.resolve(viewer, categories, with_links=False, with_labels=True)
    labels: dict[Category, str | None] = {}
    for kind, category_id in categories:
        if not resolved.is_visible(kind, category_id):
            labels[(kind, category_id)] = None
        else:
            labels[(kind, category_id)] = resolved.label(kind, category_id) or _(
                "%(kind)s #%(id)d", kind=kind, id=category_id
            )
    return labels


def known_categories(viewer: Any, limit: int = 200) -> list[tuple[Category, str]]:
    """Categories that have points in them, named, that the viewer may see (for a filter)."""
    rows = db.session.execute(
        select(CategoryReputation.category_type, CategoryReputation.category_id)
        .distinct()
        .order_by(CategoryReputation.category_type, CategoryReputation.category_id)
        .limit(limit)
    ).all()
    labels = category_labels(viewer, [(t, i) for t, i in rows])
    return [(cat, label) for cat, label in labels.items() if label is not None]


# ---------------------------------------------------------------- leaderboards


def _on_boards() -> list[Any]:
    # Team accounts and erased accounts are never ranked.
    return [User.role == Role.MEMBER.value, User.erased_at.is_(None)]


@dataclass(frozen=True)
class BoardEntry:
    rank: int
    user: User
    points: int


@dataclass(frozen=True)
class Board:
    period: str
    category: Category | None
    category_label: str | None
    entries: list[BoardEntry]
    # The viewer's own place when they have points but are not among ``entries``.
    viewer_entry: BoardEntry | None


def board(
    period: str,
    category: Category | None,
    viewer: Any,
    limit: int = BOARD_SIZE,
    today: dt.date | None = None,
) -> Board:
    """The top members of the period (and category), ranked with ties sharing a place,
    and the viewer's own place; a fixed number of queries, each an index walk of a
    bounded length, whatever the data size."""
    label = None
    if category is not None:
        label = category_labels(viewer, [category])[category]
        if label is None:
            raise NotFound(_("No such category."))
    today = today or utcnow().date()
    scope = scope_of(period, category, today)
    r = PeriodReputation
    rows = db.session.execute(
        select(User, r.points)
        .select_from(r)
        .join(User, User.id == r.user_id)
        .where(*in_scope(r, scope), r.points > 0, *_on_boards())
        .order_by(r.points.desc(), r.user_id)
        .limit(limit)
    ).all()
    entries: list[BoardEntry] = []
    for user, user_points in rows:
        same = entries and entries[-1].points == user_points
        rank = entries[-1].rank if same else len(entries) + 1
        entries.append(BoardEntry(rank, user, int(user_points)))
    viewer_entry = None
    listed = {entry.user.id for entry in entries}
    if getattr(viewer, "is_authenticated", False) and viewer.id not in listed:
        viewer_entry = _place_of(viewer, period, category, today)
    return Board(period, category, label, entries, viewer_entry)


def _place_of(
    user: User, period: str, category: Category | None, today: dt.date
) -> BoardEntry | None:
    """The member's place on a board (one query); None for the team and without points."""
    if user.is_team or user.is_erased:
        return None
    scope = scope_of(period, category, today)
    mine = points_of(user.id, scope)
    points, above = db.session.execute(select(mine, ranked_above(scope, mine))).one()
    if not points or points <= 0:
        return None
    return BoardEntry(above + 1, user, int(points))


def top_percent(user: User) -> int | None:
    """The member's all-time place as "top x%" of the members with points (one query, a
    few index look-ups); None for the team and for members without points."""
    if user.is_team or user.is_erased:
        return None
    scope = scope_of("all", None, ALL_TIME)
    mine = points_of(user.id, scope)
    points, above, total = db.session.execute(
        select(mine, ranked_above(scope, mine), ranked_above(scope, 0))
    ).one()
    if not points or points <= 0 or not total:
        return None
    return max(1, math.ceil(100 * (above + 1) / total))
