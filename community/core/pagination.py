"""Keyset pagination: page N costs what page 1 costs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute

from community.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: int | None


def parse_cursor(value: str | None) -> int | None:
    """A cursor from the query string; junk means the first page."""
    try:
        cursor = int(value) if value else None
    except ValueError:
        return None
    return cursor if cursor is None or cursor > 0 else None


def newest_first(
    stmt: Select[Any], id_column: InstrumentedAttribute, cursor: int | None, per_page: int
) -> Page[Any]:
    """Rows with id below ``cursor``, newest first, and the cursor of the next page."""
    if cursor is not None:
        stmt = stmt.where(id_column < cursor)
    rows = list(db.session.scalars(stmt.order_by(id_column.desc()).limit(per_page + 1)))
    next_cursor = rows[per_page - 1].id if len(rows) > per_page else None
    return Page(items=rows[:per_page], next_cursor=next_cursor)
