"""Badge awards and the stored number of holders per badge."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.core.db import BigId, intpk, timestamp
from community.extensions import db

__all__ = ["BadgeAward", "BadgeCount"]

_LIVE = text("revoked_at IS NULL")


class BadgeAward(db.Model):
    """A badge given to a member, automatically (``awarded_by_id`` None) or by the team.

    Revoking keeps the row (who, when, why); a member holds a badge while an award of it
    is live, and the database allows at most one live award per member and badge.
    """

    __tablename__ = "badge_award"
    __table_args__ = (
        Index(
            "uq_badge_award_live",
            "user_id",
            "badge_key",
            unique=True,
            postgresql_where=_LIVE,
            sqlite_where=_LIVE,
        ),
        Index("ix_badge_award_user_id_badge_key", "user_id", "badge_key"),
        Index("ix_badge_award_badge_key_id", "badge_key", "id"),
    )

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    badge_key: Mapped[str] = mapped_column(String(40))
    awarded_at: Mapped[timestamp]
    awarded_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(default="")
    revoked_at: Mapped[dt.datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("user_account.id"))
    revoke_reason: Mapped[str | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise_on_sql")

    @property
    def is_automatic(self) -> bool:
        return self.awarded_by_id is None

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


class BadgeCount(db.Model):
    """How many members hold a badge now, moved by SQL arithmetic on award and revoke."""

    __tablename__ = "badge_count"

    badge_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    holders: Mapped[int] = mapped_column(default=0)
