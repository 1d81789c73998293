"""Notifications addressed to one member."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from community.core.db import BigId, intpk, str200, timestamp
from community.extensions import db


class Notification(db.Model):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_id_id", "user_id", "id"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(BigId)
    text: Mapped[str200]
    created_at: Mapped[timestamp]
    read_at: Mapped[dt.datetime | None]

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
