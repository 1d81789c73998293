"""Site-wide settings the admins edit (branding)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from community.core.db import intpk, str64, str200, timestamp, utcnow
from community.extensions import db


class SiteSettings(db.Model):
    """One row (id 1) holds the branding."""

    __tablename__ = "site_settings"

    id: Mapped[intpk]
    name: Mapped[str64]
    tagline: Mapped[str200]
    primary_color: Mapped[str] = mapped_column(String(7))
    updated_at: Mapped[timestamp] = mapped_column(onupdate=utcnow)
