"""Places on the period boards, counted on the periods' ladders.

How many ranked members of a period (and category) have more than ``x`` points:

    the ladder's count of rows whose counted points exceed x      (one index look-up)
  + for the rows whose points moved since: [points > x] - [counted_points > x]
  - the team and erased accounts (never ranked) with more than x  (a small index)

Exact at every moment (one statement sees one snapshot of rows and ladder), and as cheap
as the number of rows that moved since the last ``settle_places``, whatever the number of
members. ``settle_places`` (from cron, every few minutes, and from ``reputation
rebuild``) counts the moved rows into their ladders.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from typing import Any

from sqlalchemy import (
    bindparam,
    case,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    update,
)

from community.accounts.models import User
from community.extensions import db
from community.reputation.models import (
    ALL_CATEGORIES,
    PeriodLadder,
    PeriodReputation,
    period_key,
)

# (period, starts_on, category_type, category_id): one board.
Scope = tuple[str, dt.date, str, int]
# Any number: settle_places and rebuild take it so that they never run concurrently.
_LOCK_KEY = 604_117


def scope_of(period: str, category: tuple[str, int] | None, today: dt.date) -> Scope:
    """The stored key of the board of ``period`` (containing ``today``) and ``category``
    (None: all categories)."""
    category_type, category_id = category or ALL_CATEGORIES
    return period, period_key(period, today), category_type, category_id


def in_scope(model: Any, scope: Scope) -> list[Any]:
    """SQL: the rows of ``model`` (PeriodReputation or PeriodLadder) of one board."""
    period, starts_on, category_type, category_id = scope
    return [
        model.period == period,
        model.starts_on == starts_on,
        model.category_type == category_type,
        model.category_id == category_id,
    ]


def unranked() -> Any:
    """SQL: a team or erased account. Written with literals, so that both databases see
    it is the predicate of ``ix_user_account_unranked``."""
    return or_(User.role != literal_column("'member'"), User.erased_at.is_not(None))


def points_of(user_id: int, scope: Scope) -> Any:
    """SQL scalar: the member's points on one board (NULL without a row)."""
    r = PeriodReputation
    return select(r.points).where(*in_scope(r, scope), r.user_id == user_id).scalar_subquery()


def ranked_above(scope: Scope, points: Any) -> Any:
    """SQL scalar: how many ranked members of the board have more than ``points`` (a
    number or a scalar subquery)."""
    r, rung = PeriodReputation, PeriodLadder
    counted = (
        select(rung.members)
        .where(*in_scope(rung, scope), rung.points > points)
        .order_by(rung.points)
        .limit(1)
        .scalar_subquery()
    )
    moved = (
        select(
            func.sum(
                case((r.points > points, 1), else_=0)
                - case((r.counted_points > points, 1), else_=0)
            )
        )
        .where(*in_scope(r, scope), r.points != r.counted_points)
        .scalar_subquery()
    )
    # Driven from the few unranked accounts (their index), each row found by its key.
    theirs = select(r.points).where(*in_scope(r, scope), r.user_id == User.id).scalar_subquery()
    not_ranked = (
        select(func.count()).select_from(User).where(unranked(), theirs > points).scalar_subquery()
    )
    return func.coalesce(counted, 0) + func.coalesce(moved, 0) - not_ranked


# ---------------------------------------------------------------- settling


def settle_places() -> int:
    """Count the rows whose points moved since the last settling into their boards'
    ladders; returns how many rows were settled. Places stay exact either way; this keeps
    them cheap. The cost follows the rows that moved (and the rungs between their old
    and new points), not the number of members. Safe beside the ledger's writes (rows a
    writer holds are skipped, for the next run) and against a concurrent run (one waits).
    """
    lock_places()
    table = PeriodReputation.__table__
    key = (table.c.period, table.c.starts_on, table.c.category_type, table.c.category_id)
    moved = db.session.execute(
        select(*key, table.c.user_id, table.c.counted_points, table.c.points)
        .where(table.c.points != table.c.counted_points)
        .with_for_update(skip_locked=True)
    ).all()
    if not moved:
        return 0
    names = [column.name for column in (*key, table.c.user_id)]
    db.session.execute(
        update(table)
        .where(*(table.c[name] == bindparam(f"k_{name}") for name in names))
        .values(counted_points=bindparam("k_points")),
        [
            {
                **{f"k_{name}": value for name, value in zip(names, row[:5], strict=True)},
                "k_points": row[6],
            }
            for row in moved
        ],
    )
    by_scope: dict[Scope, list[tuple[int, int]]] = {}
    for period, starts_on, category_type, category_id, _user_id, was, now in moved:
        scope = (period, starts_on, category_type, category_id)
        by_scope.setdefault(scope, []).append((was, now))
    for scope, changes in sorted(by_scope.items()):
        _move_rungs(scope, changes)
    return len(moved)


def _move_rungs(scope: Scope, changes: list[tuple[int, int]]) -> None:
    """Move one ladder by rows whose counted points change from ``was`` to ``now``.

    The rungs are the distinct positive counted points, each with how many rows count at
    least that many; only the rungs between a row's old and new points change: each
    gains the rows now at or above it and loses those that were. A value without a rung
    gets one (counted from the rung above it), a rung no row stands on any more goes.
    """
    rung = PeriodLadder
    olds = sorted(was for was, _now in changes)
    news = sorted(now for _was, now in changes)

    def gained(points: int) -> int:
        return bisect_left(olds, points) - bisect_left(news, points)

    # From the lowest old or new points: a rung a row left may have no row left.
    low = max(1, min(min(was, now) for was, now in changes))
    high = max(max(was, now) for was, now in changes)
    if high < low:
        return  # only changes at or below zero: no rung moves
    in_range = [*in_scope(rung, scope), rung.points >= low, rung.points <= high]
    rungs = dict(db.session.execute(select(rung.points, rung.members).where(*in_range)).all())
    above = db.session.scalar(
        select(rung.members)
        .where(*in_scope(rung, scope), rung.points > high)
        .order_by(rung.points)
        .limit(1)
    )
    values = sorted(set(rungs) | {now for _was, now in changes if now >= low}, reverse=True)
    counted_before = above or 0  # rows at or above the smallest rung over the value
    next_kept = above or 0
    kept = []
    for points in values:  # from the top down
        counted_before = rungs.get(points, counted_before)
        members = counted_before + gained(points)
        if members != next_kept:  # some row stands on exactly these points
            kept.append(points)
            next_kept = members
            rungs[points] = members
    db.session.execute(delete(rung).where(*in_range))
    if kept:
        period, starts_on, category_type, category_id = scope
        db.session.execute(
            insert(rung),
            [
                {
                    "period": period,
                    "starts_on": starts_on,
                    "category_type": category_type,
                    "category_id": category_id,
                    "points": points,
                    "members": rungs[points],
                }
                for points in kept
            ],
        )


def recount_ladders() -> None:
    """Write every board's ladder anew from its rows' counted points (``reputation
    rebuild``)."""
    r, rung = PeriodReputation, PeriodLadder
    key = (r.period, r.starts_on, r.category_type, r.category_id)
    rungs = (
        select(
            *key,
            r.counted_points,
            func.sum(func.count()).over(partition_by=key, order_by=r.counted_points.desc()),
        )
        .where(r.counted_points > 0)
        .group_by(*key, r.counted_points)
    )
    db.session.execute(delete(rung))
    db.session.execute(
        insert(rung).from_select(
            ["period", "starts_on", "category_type", "category_id", "points", "members"], rungs
        )
    )


def lock_places() -> None:
    """PostgreSQL: one settling (or rebuild) at a time, until the transaction ends. SQLite
    has one writer anyway."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
