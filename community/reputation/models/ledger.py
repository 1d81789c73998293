"""The reputation ledger and the totals kept from it."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, and_, exists, func
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from community.accounts.models import User
from community.core.db import BigId, intpk, timestamp
from community.extensions import db

# A reputation event may belong to a product or forum category; events without one use
# the empty key so that totals can have a primary key.
NO_CATEGORY = ("", 0)


class ReputationEvent(db.Model):
    """One change of a member's reputation, with why, for what, caused by whom. Appended
    only: a correction is a new event that ``reverses`` an earlier one."""

    __tablename__ = "reputation_event"
    __table_args__ = (
        Index("ix_reputation_event_user_id_id", "user_id", "id"),
        # Badge rules count a member's events of one reason (up to the threshold).
        Index("ix_reputation_event_user_reason", "user_id", "reason", "id"),
        Index("ix_reputation_event_subject", "subject_type", "subject_id", "reason"),
        Index("ix_reputation_event_actor_user", "actor_id", "user_id", "created_at"),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(String(40))
    # What the rule asked for, and what counted after the daily cap (0 when capped).
    requested: Mapped[int]
    points: Mapped[int]
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(BigId)
    actor_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("user_account.id"))
    category_type: Mapped[str] = mapped_column(String(40), default="")
    category_id: Mapped[int] = mapped_column(BigId, default=0)
    day: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[timestamp]
    # Set on a reversal: the event it cancels. Unique, so nothing is reversed twice.
    reverses_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("reputation_event.id"), unique=True
    )

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="raise_on_sql")

    @property
    def is_capped(self) -> bool:
        return self.points < self.requested and self.requested > 0

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


@functools.cache
def standing(event: Any = ReputationEvent) -> Any:
    """SQL: ``event`` (ReputationEvent or an alias) is neither a reversal nor reversed.
    Built once per entity (clauses are immutable; building one costs more than running
    the query it guards).

    Written as ``coalesce(reverses_id, 0) = 0``, not ``reverses_id IS NULL``: SQLite
    would walk the unique index on reverses_id for that (millions of NULLs on a big
    ledger, seconds per query) instead of the index the rest of the query picks."""
    reversal = aliased(ReputationEvent)
    return and_(
        func.coalesce(event.reverses_id, 0) == 0,
        ~exists().where(reversal.reverses_id == event.id),
    )


class CategoryReputation(db.Model):
    """A member's all-time points within one product or forum category."""

    __tablename__ = "category_reputation"
    __table_args__ = (
        Index("ix_category_reputation_board", "category_type", "category_id", "points"),
    )

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"), primary_key=True)
    category_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    category_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    points: Mapped[int] = mapped_column(default=0)


class DailyReputation(db.Model):
    """Points per member per UTC day and category: what the week, month and year boards
    add up, so they never read the raw ledger."""

    __tablename__ = "daily_reputation"
    __table_args__ = (Index("ix_daily_reputation_day", "day", "category_type", "category_id"),)

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    category_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    category_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    points: Mapped[int] = mapped_column(default=0)


class ReputationDay(db.Model):
    """How many capped points (votes, kudos) a member got on one UTC day."""

    __tablename__ = "reputation_day"

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    capped_points: Mapped[int] = mapped_column(default=0)
    # What the last capped award actually granted (read back with RETURNING).
    last_grant: Mapped[int] = mapped_column(default=0)
