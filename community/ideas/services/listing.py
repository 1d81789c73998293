"""The ideas list: sorted by trending, top, new or recently shipped; filtered by status,
product and tag; keyset pagination (page N costs what page 1 costs)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from community.catalog.models import Product
from community.core.errors import InvalidInput
from community.extensions import db
from community.ideas.models import Idea, IdeaStatus, IdeaTag, IdeaTagLink
from community.ideas.services import common, submitting, voting

PER_PAGE = 20
SORTS = ("trending", "top", "new", "shipped")


@dataclass(frozen=True)
class IdeaFilter:
    sort: str = "trending"
    status: str | None = None
    product: str | None = None  # a product's slug
    tag: str | None = None


@dataclass(frozen=True)
class IdeaList:
    ideas: list[Idea]
    next_cursor: str | None
    voted: set[int] = field(default_factory=set)
    tags: dict[int, list[str]] = field(default_factory=dict)
    product: Product | None = None


def parse_filter(args: Any) -> IdeaFilter:
    """The filter from query arguments; unknown values are InvalidInput on their field."""
    sort = (args.get("sort") or "trending").strip()
    if sort not in SORTS:
        raise InvalidInput(_("Sort by trending, top, new or shipped."), field="sort")
    status = (args.get("status") or "").strip() or None
    if status is not None and status not in {s.value for s in IdeaStatus}:
        raise InvalidInput(_("There is no such status."), field="status")
    return IdeaFilter(
        sort=sort,
        status=status,
        product=(args.get("product") or "").strip() or None,
        tag=(args.get("tag") or "").strip().lower() or None,
    )


def _sort_key(sort: str) -> Any:
    return {
        "trending": Idea.hot,
        "top": Idea.vote_count,
        "new": Idea.id,
        "shipped": Idea.shipped_at,
    }[sort]


def _cursor_of(sort: str, idea: Idea) -> str:
    if sort == "trending":
        return f"{idea.hot!r}:{idea.id}"
    if sort == "top":
        return f"{idea.vote_count}:{idea.id}"
    if sort == "shipped":
        assert idea.shipped_at is not None
        return f"{idea.shipped_at.timestamp()!r}:{idea.id}"
    return str(idea.id)


def _after(sort: str, cursor: str) -> Any:
    """SQL: the ideas after ``cursor`` in ``sort`` order (descending key, then id)."""
    try:
        if sort == "new":
            return Idea.id < int(cursor)
        key_text, _sep, id_text = cursor.partition(":")
        last_id = int(id_text)
        key: Any
        if sort == "trending":
            key = float(key_text)
        elif sort == "top":
            key = int(key_text)
        else:
            key = dt.datetime.fromtimestamp(float(key_text), dt.UTC)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(
            _("This page link is broken; start again from the first page."), field="cursor"
        ) from None
    column = _sort_key(sort)
    return or_(column < key, and_(column == key, Idea.id < last_id))


def list_ideas(viewer: Any, filters: IdeaFilter, cursor: str | None = None) -> IdeaList:
    """One page of visible ideas (merged ones left out) with the viewer's "you voted"
    marks and the ideas' tags; a fixed number of queries whatever the data size."""
    product = None
    stmt = (
        select(Idea)
        .options(joinedload(Idea.product), joinedload(Idea.author))
        .where(common.idea_clause(viewer), Idea.merged_into_id.is_(None))
    )
    status = filters.status
    if filters.sort == "shipped":
        status = IdeaStatus.SHIPPED.value
    if status is not None:
        stmt = stmt.where(Idea.status == status)
    if filters.product is not None:
        product = db.session.scalar(select(Product).where(Product.slug == filters.product))
        if product is None:
            raise InvalidInput(_("There is no such product."), field="product")
        stmt = stmt.where(Idea.product_id == product.id)
    if filters.tag is not None:
        stmt = stmt.where(
            Idea.id.in_(
                select(IdeaTagLink.idea_id)
                .join(IdeaTag, IdeaTag.id == IdeaTagLink.tag_id)
                .where(IdeaTag.name == filters.tag)
            )
        )
    if cursor:
        stmt = stmt.where(_after(filters.sort, cursor))
    column = _sort_key(filters.sort)
    rows = list(
        db.session.scalars(stmt.order_by(column.desc(), Idea.id.desc()).limit(PER_PAGE + 1))
    )
    ideas = rows[:PER_PAGE]
    next_cursor = _cursor_of(filters.sort, ideas[-1]) if len(rows) > PER_PAGE else None
    ids = [idea.id for idea in ideas]
    return IdeaList(
        ideas=ideas,
        next_cursor=next_cursor,
        voted=voting.voted_ids(viewer, ids),
        tags=submitting.tags_of(ids),
        product=product,
    )
