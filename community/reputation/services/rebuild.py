"""Recompute every stored total from the ledger and say what had drifted.

Each total is compared with one aggregate pass over the ledger, and a table that drifted
is refilled with one INSERT ... SELECT instead of row-by-row writes. Totals are derived
data; the ledger itself is never touched. The period roll-ups are added up from the daily
ones once those are right, and compared in SQL (there are millions of them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    cast,
    delete,
    except_,
    func,
    insert,
    literal,
    literal_column,
    select,
    text,
    union,
    update,
)

from community.accounts.models import User
from community.core.db import BigId
from community.extensions import db
from community.reputation.models import (
    ALL_CATEGORIES,
    ALL_TIME,
    CategoryReputation,
    DailyReputation,
    PeriodLadder,
    PeriodReputation,
    ReputationDay,
    ReputationEvent,
)
from community.reputation.models.ledger import NO_CATEGORY
from community.reputation.rules import RULES
from community.reputation.services.mavens.places import (
    lock_places,
    recount_ladders,
    settle_places,
)

EXAMPLES = 20


@dataclass
class RebuildReport:
    users_fixed: int = 0
    categories_fixed: int = 0
    days_fixed: int = 0
    caps_fixed: int = 0
    periods_fixed: int = 0  # period roll-ups (the maven boards)
    ladders_fixed: int = 0  # rungs of the boards' ladders (places)
    examples: list[str] = field(default_factory=list)

    @property
    def total_fixed(self) -> int:
        return (
            self.users_fixed
            + self.categories_fixed
            + self.days_fixed
            + self.caps_fixed
            + self.periods_fixed
            + self.ladders_fixed
        )


def rebuild() -> RebuildReport:
    """Make users' totals, category totals, daily and period roll-ups, the boards'
    ladders and daily-cap counters equal to what the ledger says; returns how many
    differed, with examples. Settles every place (``settle_places``) on the way."""
    report = RebuildReport()
    report.users_fixed = _rebuild_users(report)
    event = ReputationEvent
    report.categories_fixed = _rebuild_table(
        report,
        CategoryReputation,
        ("user_id", "category_type", "category_id"),
        "points",
        select(event.user_id, event.category_type, event.category_id, func.sum(event.points))
        .where(event.category_type != NO_CATEGORY[0])
        .group_by(event.user_id, event.category_type, event.category_id),
    )
    report.days_fixed = _rebuild_table(
        report,
        DailyReputation,
        ("user_id", "day", "category_type", "category_id"),
        "points",
        select(
            event.user_id, event.day, event.category_type, event.category_id, func.sum(event.points)
        ).group_by(event.user_id, event.day, event.category_type, event.category_id),
    )
    capped = [name for name, rule in RULES.items() if rule.capped]
    report.caps_fixed = _rebuild_table(
        report,
        ReputationDay,
        ("user_id", "day"),
        "capped_points",
        select(event.user_id, event.day, func.sum(event.points))
        .where(event.reason.in_(capped), event.requested > 0, event.reverses_id.is_(None))
        .group_by(event.user_id, event.day),
        extra={"last_grant": literal(0)},
    )
    _rebuild_periods(report)
    return report


def _rebuild_users(report: RebuildReport) -> int:
    truth = dict(
        db.session.execute(
            select(ReputationEvent.user_id, func.sum(ReputationEvent.points)).group_by(
                ReputationEvent.user_id
            )
        ).all()
    )
    fixes = []
    for user_id, stored in db.session.execute(select(User.id, User.reputation)):
        right = int(truth.get(user_id) or 0)
        if stored != right:
            fixes.append({"id": user_id, "reputation": right})
            _example(report, f"user {user_id}: {stored} -> {right}")
    if fixes:
        # ORM bulk UPDATE by primary key: one executemany.
        db.session.execute(update(User), fixes)
    return len(fixes)


def _rebuild_table(
    report: RebuildReport,
    model: type,
    keys: tuple[str, ...],
    value: str,
    truth_query: Select,
    extra: dict | None = None,
) -> int:
    """Compare ``model`` with the ledger aggregate (one pass over each); when anything
    differs, refill the table with one INSERT ... SELECT."""
    truth = {tuple(row[:-1]): int(row[-1] or 0) for row in db.session.execute(truth_query)}
    table = model.__table__  # type: ignore[attr-defined]
    drifted = 0
    seen = 0
    for row in db.session.execute(select(*[table.c[k] for k in keys], table.c[value])):
        key, stored = tuple(row[:-1]), row[-1]
        right = truth.get(key)
        if right:
            seen += 1
        if (right or 0) != stored:
            drifted += 1
            _example(report, f"{table.name} {key}: {stored} -> {right or 0}")
    # A group worth 0 points (an award the daily cap cut to nothing) needs no row: the
    # ledger writes none for it.
    missing = sum(1 for points in truth.values() if points) - seen
    if missing:
        _example(report, f"{table.name}: {missing} rows missing")
    drifted += missing
    if drifted:
        db.session.execute(delete(model))
        columns = [*keys, value, *(extra or {})]
        source = truth_query.add_columns(*(extra or {}).values())
        db.session.execute(insert(model).from_select(columns, source))
    return drifted


# ---------------------------------------------------------------- period roll-ups

_KEY = ("period", "starts_on", "category_type", "category_id", "user_id")


def _rebuild_periods(report: RebuildReport) -> None:
    """The period roll-ups from the (rebuilt) daily ones and the ladders from the rows'
    counted points: compared in SQL, refilled when anything differs, then settled."""
    lock_places()
    if db.session.get_bind().dialect.name == "postgresql":
        # Millions of rows to group and compare: in memory (the default spills to disk and
        # takes minutes longer on a big ledger). For this transaction only.
        db.session.execute(text("SET LOCAL work_mem = '256MB'"))
    report.ladders_fixed = _ladder_drift(report)
    truth = _period_truth()
    try:
        report.periods_fixed = _period_drift(report, truth)
        if report.periods_fixed:
            db.session.execute(delete(PeriodReputation))
            db.session.execute(
                insert(PeriodReputation).from_select(
                    [*_KEY, "points", "counted_points"],
                    select(*(truth.c[k] for k in _KEY), truth.c.points, truth.c.points),
                )
            )
    finally:
        truth.drop(db.session.connection())
    if report.periods_fixed or report.ladders_fixed:
        recount_ladders()  # every row was written settled
    else:
        settle_places()


def _ladder_drift(report: RebuildReport) -> int:
    """How many rungs differ from the ladders the rows' counted points make."""
    r, rung = PeriodReputation, PeriodLadder
    scope = (r.period, r.starts_on, r.category_type, r.category_id)
    right = (
        select(
            *scope,
            r.counted_points,
            func.sum(func.count()).over(partition_by=scope, order_by=r.counted_points.desc()),
        )
        .where(r.counted_points > 0)
        .group_by(*scope, r.counted_points)
    )
    stored = select(
        rung.period, rung.starts_on, rung.category_type, rung.category_id, rung.points, rung.members
    )
    return _differences(report, "period_ladder", stored, right, key_width=5)


def _period_drift(report: RebuildReport, truth: Table) -> int:
    """How many period roll-ups differ from ``truth`` (a missing row is worth 0)."""
    r = PeriodReputation.__table__
    stored = select(*(r.c[k] for k in _KEY), r.c.points).where(r.c.points != 0)
    right = select(*(truth.c[k] for k in _KEY), truth.c.points).where(truth.c.points != 0)
    return _differences(report, "period_reputation", stored, right, key_width=len(_KEY))


def _differences(
    report: RebuildReport, name: str, stored: Select, right: Select, key_width: int
) -> int:
    """How many keys have another value in ``stored`` than in ``right`` (or are only in
    one of them), with examples."""
    wrong = except_(stored, right).subquery()
    missing = except_(right, stored).subquery()
    keys = union(
        select(*list(wrong.c)[:key_width]), select(*list(missing.c)[:key_width])
    ).subquery()
    count = db.session.scalar(select(func.count()).select_from(keys)) or 0
    if count:
        shown: dict[tuple, list] = {}
        for side, rows in enumerate((wrong, missing)):
            for row in db.session.execute(select(rows).limit(EXAMPLES)):
                shown.setdefault(tuple(row[:key_width]), [0, 0])[side] = row[-1]
        for key, (was, right_value) in list(shown.items())[:EXAMPLES]:
            _example(report, f"{name} {key}: {was} -> {right_value}")
    return count


def _period_truth() -> Table:
    """A temporary table of the period roll-ups as the daily ones add up: weeks and
    months from the days, years from the months, all time from the years."""
    truth = Table(
        "period_truth",
        MetaData(),
        Column("period", String(8)),
        Column("starts_on", Date),
        Column("category_type", String(40)),
        Column("category_id", BigId),
        Column("user_id", BigId),
        Column("points", Integer),
        prefixes=["TEMPORARY"],
    )
    connection = db.session.connection()
    truth.create(connection)
    day = DailyReputation
    columns = [*_KEY, "points"]
    for period in ("week", "month"):
        starts_on = _start_of(period, day.day)
        overall = select(
            literal(period),
            starts_on,
            literal(ALL_CATEGORIES[0]),
            literal(ALL_CATEGORIES[1]),
            day.user_id,
            func.sum(day.points),
        ).group_by(day.user_id, starts_on)
        per_category = (
            select(
                literal(period),
                starts_on,
                day.category_type,
                day.category_id,
                day.user_id,
                func.sum(day.points),
            )
            .where(day.category_type != NO_CATEGORY[0])
            .group_by(day.user_id, starts_on, day.category_type, day.category_id)
        )
        db.session.execute(insert(truth).from_select(columns, overall))
        db.session.execute(insert(truth).from_select(columns, per_category))
    of_year = _start_of("year", truth.c.starts_on)
    for period, source, starts_on, grouped in (
        ("year", "month", of_year, [of_year]),
        ("all", "year", literal(ALL_TIME, Date), []),
    ):
        rollup = (
            select(
                literal(period),
                starts_on,
                truth.c.category_type,
                truth.c.category_id,
                truth.c.user_id,
                func.sum(truth.c.points),
            )
            .where(truth.c.period == source)
            .group_by(*grouped, truth.c.category_type, truth.c.category_id, truth.c.user_id)
        )
        db.session.execute(insert(truth).from_select(columns, rollup))
    return truth


def _start_of(period: str, day: Any) -> Any:
    """SQL: the first day of the week (Monday), month or year containing ``day``. Written
    with literals: the same expression is selected and grouped by."""
    if db.session.get_bind().dialect.name == "postgresql":
        field = literal_column(f"'{period}'")
        return cast(func.date_trunc(field, cast(day, DateTime)), Date)
    modifiers = {"week": ("weekday 0", "-6 days"), "month": ("start of month",)}
    return func.date(
        day, *(literal_column(f"'{m}'") for m in modifiers.get(period, ("start of year",)))
    )


def _example(report: RebuildReport, text: str) -> None:
    if len(report.examples) < EXAMPLES:
        report.examples.append(text)
