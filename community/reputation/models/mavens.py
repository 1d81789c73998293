"""Market mavens: the stored maven score and the monthly designations it leads to."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from community.core.db import BigId, intpk, timestamp
from community.extensions import db

__all__ = ["MavenDesignation", "MavenScore"]


class MavenScore(db.Model):
    """A member's maven score within one category (or overall: the empty category key),
    with the components it is made of, as ``designate-mavens`` last computed them."""

    __tablename__ = "maven_score"
    __table_args__ = (
        Index("ix_maven_score_board", "category_type", "category_id", "score"),
        Index("ix_maven_score_recency", "recency"),
    )

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"), primary_key=True)
    category_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    category_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    # Share (0..1) of the member's contributions that helped someone.
    helpfulness: Mapped[float] = mapped_column(Float, default=0.0)
    # Distinct members who gave them a helpful outcome.
    reach: Mapped[int] = mapped_column(default=0)
    # Distinct categories with a helpful outcome (1 on a category's own row).
    breadth: Mapped[int] = mapped_column(default=0)
    # Share (0..1) of their helpful outcomes from the last RECENT_DAYS days.
    recency: Mapped[float] = mapped_column(Float, default=0.0)
    computed_at: Mapped[timestamp]


class MavenDesignation(db.Model):
    """One month as a category's Market Maven. Live while ``revoked_at`` is empty; a
    member who keeps the title has one live row per month since they first earned it."""

    __tablename__ = "maven_designation"
    __table_args__ = (
        # At most one live designation per member, category and month.
        Index(
            "uq_maven_designation_live",
            "user_id",
            "category_type",
            "category_id",
            "month",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
        Index("ix_maven_designation_category", "category_type", "category_id", "month"),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    category_type: Mapped[str] = mapped_column(String(40))
    category_id: Mapped[int] = mapped_column(BigId)
    # The first day of the month the designation is for.
    month: Mapped[dt.date] = mapped_column(Date)
    granted_at: Mapped[timestamp]
    revoked_at: Mapped[dt.datetime | None]

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None
