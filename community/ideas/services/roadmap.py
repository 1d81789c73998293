"""The public roadmap: what is planned, in progress and recently shipped, per product."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community.catalog.models import Product
from community.core.db import utcnow
from community.core.errors import NotFound
from community.extensions import db
from community.ideas.models import Idea, IdeaStatus
from community.ideas.services import common

# What a column shows at most (the shipped history has its own page).
COLUMN_MAX = 50
RECENTLY_SHIPPED = dt.timedelta(days=90)
COLUMNS = (IdeaStatus.PLANNED, IdeaStatus.IN_PROGRESS, IdeaStatus.SHIPPED)


@dataclass(frozen=True)
class Column:
    status: IdeaStatus
    ideas: list[Idea]
    # (product, its ideas in this column), in product name order.
    by_product: list[tuple[Product, list[Idea]]] = field(default_factory=list)


@dataclass(frozen=True)
class Roadmap:
    columns: list[Column]
    product: Product | None


def roadmap(
    viewer: Any, product_slug: str | None = None, now: dt.datetime | None = None
) -> Roadmap:
    """The three columns (most votes first; shipped: latest first, the last 90 days),
    for one product or all; one query per column (each bounded)."""
    product = None
    stmt = (
        select(Idea)
        .options(joinedload(Idea.product))
        .where(common.idea_clause(viewer), Idea.merged_into_id.is_(None))
    )
    if product_slug:
        product = db.session.scalar(select(Product).where(Product.slug == product_slug))
        if product is None:
            raise NotFound(_("No such product."))
        stmt = stmt.where(Idea.product_id == product.id)
    since = (now or utcnow()) - RECENTLY_SHIPPED
    columns = []
    for status in COLUMNS:
        column = stmt.where(Idea.status == status.value)
        if status is IdeaStatus.SHIPPED:
            column = column.where(Idea.shipped_at >= since).order_by(
                Idea.shipped_at.desc(), Idea.id.desc()
            )
        else:
            column = column.order_by(Idea.vote_count.desc(), Idea.id.desc())
        ideas = list(db.session.scalars(column.limit(COLUMN_MAX)))
        columns.append(Column(status, ideas, _by_product(ideas)))
    return Roadmap(columns, product)


def _by_product(ideas: list[Idea]) -> list[tuple[Product, list[Idea]]]:
    groups: dict[int, tuple[Product, list[Idea]]] = {}
    for idea in ideas:
        groups.setdefault(idea.product_id, (idea.product, []))[1].append(idea)
    return sorted(groups.values(), key=lambda group: group[0].name.lower())
