"""Recompute every stored total from the ledger and say what had drifted."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select, update

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

CHUNK = 5000


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

    def note(self, text: str) -> None:
        if len(self.examples) < 20:
            self.examples.append(text)


def rebuild() -> RebuildReport:
    """Make users' totals, category totals, daily roll-ups and daily-cap counters equal
    to what the ledger says; returns what was different."""
    report = RebuildReport()
    _rebuild_users(report)
    _rebuild_table(
        report,
        "categories_fixed",
        CategoryReputation,
        ("user_id", "category_type", "category_id"),
        select(
            ReputationEvent.user_id,
            ReputationEvent.category_type,
            ReputationEvent.category_id,
            func.sum(ReputationEvent.points),
        )
        .where(ReputationEvent.category_type != NO_CATEGORY[0])
        .group_by(
            ReputationEvent.user_id, ReputationEvent.category_type, ReputationEvent.category_id
        ),
        "points",
    )
    _rebuild_table(
        report,
        "days_fixed",
        DailyReputation,
        ("user_id", "day", "category_type", "category_id"),
        select(
            ReputationEvent.user_id,
            ReputationEvent.day,
            ReputationEvent.category_type,
            ReputationEvent.category_id,
            func.sum(ReputationEvent.points),
        ).group_by(
            ReputationEvent.user_id,
            ReputationEvent.day,
            ReputationEvent.category_type,
            ReputationEvent.category_id,
        ),
        "points",
    )
    capped = [name for name, r in RULES.items() if r.capped]
    _rebuild_table(
        report,
        "caps_fixed",
        ReputationDay,
        ("user_id", "day"),
        select(ReputationEvent.user_id, ReputationEvent.day, func.sum(ReputationEvent.points))
        .where(
            ReputationEvent.reason.in_(capped),
            ReputationEvent.requested > 0,
            ReputationEvent.reverses_id.is_(None),
        )
        .group_by(ReputationEvent.user_id, ReputationEvent.day),
        "capped_points",
    )
    return report


def _rebuild_users(report: RebuildReport) -> None:
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
            report.note(f"user {user_id}: {stored} -> {right}")
    for start in range(0, len(fixes), CHUNK):
        # ORM bulk UPDATE by primary key: one executemany per chunk.
        db.session.execute(update(User), fixes[start : start + CHUNK])
    report.users_fixed = len(fixes)


def _rebuild_table(report, counter, model, keys, truth_query, value_column) -> None:
    truth = {tuple(row[:-1]): int(row[-1] or 0) for row in db.session.execute(truth_query)}
    key_columns = [getattr(model, k) for k in keys]
    stored = {
        tuple(row[:-1]): row[-1]
        for row in db.session.execute(select(*key_columns, getattr(model, value_column)))
    }
    wrong = defaultdict(list)
    for key, value in truth.items():
        if key not in stored:
            wrong["insert"].append({**dict(zip(keys, key, strict=True)), value_column: value})
        elif stored[key] != value:
            wrong["update"].append((key, value))
    for key, value in stored.items():
        if key not in truth and value != 0:
            wrong["update"].append((key, 0))
    for key, value in wrong["update"]:
        conditions = [col == k for col, k in zip(key_columns, key, strict=True)]
        db.session.execute(update(model).where(*conditions).values({value_column: value}))
        report.note(f"{model.__tablename__} {key}: {stored.get(key)} -> {value}")
    for start in range(0, len(wrong["insert"]), CHUNK):
        db.session.execute(insert(model), wrong["insert"][start : start + CHUNK])
    for row in wrong["insert"][:5]:
        report.note(f"{model.__tablename__} missing {row}")
    setattr(report, counter, len(wrong["insert"]) + len(wrong["update"]))
