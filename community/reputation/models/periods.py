"""Reputation per period (week, month, year, all time): the maven boards' stored roll-ups,
and the ladders members' places are counted on.

``PeriodReputation`` holds one row per member, period and category, plus the member's
overall row for the period (the empty category key, as ``MavenScore`` has it); the ledger
moves both with every event (``period_moves``), so a board is an index walk from the
top. A place ("how many members have more points than x") is counted on the period's
``PeriodLadder``: the rows' ``counted_points`` as ``settle_places`` last saw them, summed
from the top, corrected by the rows whose points moved since (``points <>
counted_points``: a small partial index). So a place costs a few index look-ups plus the
rows changed since the last settling, whatever the number of members.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    String,
    literal_column,
    select,
    text,
    true,
    union_all,
)
from sqlalchemy.orm import Mapped, mapped_column

from community.accounts.models import User
from community.core.db import BigId, as_sql, dialect_insert
from community.extensions import db

__all__ = [
    "ALL_CATEGORIES",
    "ALL_TIME",
    "PERIOD_KINDS",
    "PeriodLadder",
    "PeriodReputation",
    "period_key",
    "period_moves",
    "period_start",
    "period_starts",
]

# The overall row of a member and period: every category and none (MavenScore's key).
ALL_CATEGORIES = ("", 0)
PERIOD_KINDS = ("week", "month", "year", "all")
# The all-time period's key.
ALL_TIME = dt.date(1, 1, 1)
_UNSETTLED = "points <> counted_points"
_UNRANKED = "role <> 'member' OR erased_at IS NOT NULL"


def period_start(period: str, today: dt.date) -> dt.date | None:
    """The first day (UTC calendar) of the period containing ``today``; None for all time.
    Weeks start on Monday (ISO)."""
    if period == "week":
        return today - dt.timedelta(days=today.weekday())
    if period == "month":
        return today.replace(day=1)
    if period == "year":
        return today.replace(month=1, day=1)
    return None


def period_key(period: str, day: dt.date) -> dt.date:
    """The stored ``starts_on`` of the period containing ``day`` (ALL_TIME for all time)."""
    return period_start(period, day) or ALL_TIME


class PeriodReputation(db.Model):
    """A member's points in one period, in one category or overall (the empty key)."""

    __tablename__ = "period_reputation"
    __table_args__ = (
        # The rows whose points moved since their period's ladder was settled.
        Index(
            "ix_period_reputation_unsettled",
            "period",
            "starts_on",
            "category_type",
            "category_id",
            "points",
            "counted_points",
            sqlite_where=text(_UNSETTLED),
            postgresql_where=text(_UNSETTLED),
        ),
    )

    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    starts_on: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    category_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    category_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"), primary_key=True)
    points: Mapped[int] = mapped_column(default=0)
    # ``points`` as the period's ladder counts them (written by settle_places only).
    counted_points: Mapped[int] = mapped_column(default=0)


# The board: the top of one period and category, ties in member order.
Index(
    "ix_period_reputation_board",
    PeriodReputation.period,
    PeriodReputation.starts_on,
    PeriodReputation.category_type,
    PeriodReputation.category_id,
    PeriodReputation.points.desc(),
    PeriodReputation.user_id,
)


class PeriodLadder(db.Model):
    """One rung per distinct positive ``counted_points`` of a period and category: how
    many of its rows count at least that many points."""

    __tablename__ = "period_ladder"

    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    starts_on: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    category_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    category_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    points: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    members: Mapped[int]


# Team and erased accounts have period rows like anyone but are never ranked: a place
# subtracts theirs, found through this (small) index.
Index(
    "ix_user_account_unranked",
    User.__table__.c.id,
    sqlite_where=text(_UNRANKED),
    postgresql_where=text(_UNRANKED),
)


def period_starts(day: dt.date) -> dict[str, dt.date]:
    """Each period's ``starts_on`` for an event of ``day``."""
    return {period: period_key(period, day) for period in PERIOD_KINDS}


def period_moves(
    user_id: Any,
    delta: Any,
    starts: dict[str, Any],
    category: tuple[Any, Any] | None = None,
    when: Any = None,
) -> list[Any]:
    """The statement (for ``together``) that moves a member's period roll-ups by
    ``delta``: for each period (``starts``: its ``starts_on``, see ``period_starts``),
    the overall row and, for an event with a ``category``, that category's row; a row
    is created at ``delta`` when missing. Values, bound parameters or, with ``when`` (a
    condition without which nothing is written), as in ``counter_move``, a column of
    what the same statement computes.

    One upsert from a SELECT of the rows' keys: SQLAlchemy cannot cache a multi-row
    VALUES, and one upsert a row makes a statement too long for psycopg to cache its
    parsing."""
    table = PeriodReputation.__table__
    periods = union_all(
        *(
            select(
                literal_column(f"'{period}'").label("period"),
                as_sql(starts[period]).label("starts_on"),
            )
            for period in PERIOD_KINDS
        )
    ).subquery("p")
    categories = select(
        literal_column("''").label("category_type"), literal_column("0").label("category_id")
    )  # ALL_CATEGORIES
    if category is not None:
        categories = union_all(categories, select(*(as_sql(v) for v in category)))
    keys = categories.subquery("c")
    rows = periods.join(keys, true())
    if when is not None and isinstance(delta, ColumnElement) and delta.table is not None:
        rows = rows.join(delta.table, true())  # the one-row source of the delta
    # SQLite reads "ON CONFLICT" after a bare SELECT as a join's ON: hence the WHERE.
    source = (
        select(
            periods.c.period,
            periods.c.starts_on,
            keys.c.category_type,
            keys.c.category_id,
            as_sql(user_id).label("user_id"),
            as_sql(delta).label("points"),
            literal_column("0").label("counted_points"),
        )
        .select_from(rows)
        .where(true() if when is None else when)
    )
    columns = ["period", "starts_on", "category_type", "category_id"]
    insert = dialect_insert(table).from_select(
        [*columns, "user_id", "points", "counted_points"], source
    )
    moved = table.c.points + (delta if when is None else insert.excluded.points)
    return [
        insert.on_conflict_do_update(
            index_elements=[column.name for column in table.primary_key.columns],
            set_={"points": moved},
        )
    ]
