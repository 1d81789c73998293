"""Products: what ideas, reviews and forum categories are about."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from community.core.db import intpk, str64, str200, timestamp
from community.extensions import db


class Product(db.Model):
    __tablename__ = "product"

    id: Mapped[intpk]
    slug: Mapped[str64] = mapped_column(unique=True)
    name: Mapped[str200]
    description_source: Mapped[str] = mapped_column(default="")
    description_html: Mapped[str] = mapped_column(default="")
    # A free-text grouping shown on /products/ ("Apps", "Hardware", ...).
    category: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[timestamp]
    # Retired products stay (their ideas, reviews and forums keep their links) but are
    # listed apart and take no new ideas.
    retired_at: Mapped[dt.datetime | None]

    @property
    def is_active(self) -> bool:
        return self.retired_at is None

    def __repr__(self) -> str:
        return f"<Product {self.id} {self.slug}>"
