"""A product's ideas on its catalog page, and its idea count on the product list."""

from __future__ import annotations

from typing import Any

from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from community.catalog import sections
from community.extensions import db
from community.ideas.models import CLOSED_STATUSES, Idea
from community.ideas.services import common

TOP_IDEAS = 5


def _load(product: Any, viewer: Any) -> dict[str, Any]:
    """The product's most wanted open ideas (one query)."""
    ideas = list(
        db.session.scalars(
            select(Idea)
            .options(joinedload(Idea.product))
            .where(
                Idea.product_id == product.id,
                Idea.status.not_in([s.value for s in CLOSED_STATUSES]),
                common.idea_clause(viewer),
            )
            .order_by(Idea.vote_count.desc(), Idea.id.desc())
            .limit(TOP_IDEAS)
        )
    )
    return {"ideas": ideas}


def _counts(product_ids: list[int]) -> dict[int, int]:
    """Visible ideas per product, merged duplicates left out (one query)."""
    rows = db.session.execute(
        select(Idea.product_id, func.count())
        .where(
            Idea.product_id.in_(product_ids),
            Idea.hidden_at.is_(None),
            Idea.merged_into_id.is_(None),
        )
        .group_by(Idea.product_id)
    )
    return dict(rows.all())


def _label(n: int) -> str:
    return ngettext("%(num)d idea", "%(num)d ideas", n)


sections.register("ideas", "ideas/_product_ideas.html", _load, 20)
sections.register_count("ideas", _label, _counts)
