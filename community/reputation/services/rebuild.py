"""Recompute every stored total from the ledger and say what had drifted.

Each total is compared with one aggregate pass over the ledger, and a table that drifted
is refilled with one INSERT ... SELECT instead of row-by-row writes. Totals are derived
data; the ledger itself is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, delete, func, insert, literal, select, update

from community.accounts.models import User
from community.extensions import db
from community.reputation.models import (
    CategoryReputation,
    DailyReputation,
    ReputationDay,
    ReputationEvent,
)
from community.reputation.models.ledger import NO_CATEGORY
from community.reputation.rules import RULES

EXAMPLES = 20


@dataclass
class RebuildReport:
    users_fixed: int = 0
    categories_fixed: int = 0
    days_fixed: int = 0
    caps_fixed: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def total_fixed(self) -> int:
        return self.users_fixed + self.categories_fixed + self.days_fixed + self.caps_fixed


def rebuild() -> RebuildReport:
    """Make users' totals, category totals, daily roll-ups and daily-cap counters equal
    to what the ledger says; returns how many differed, with examples."""
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


def _example(report: RebuildReport, text: str) -> None:
    if len(report.examples) < EXAMPLES:
        report.examples.append(text)
