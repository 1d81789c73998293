"""Sections that higher floors add to a product's page.

The catalog cannot import the features built on products (forums, ideas, reviews); they
register here instead, once at import: a template to include and a function that loads
its data (one batch of queries, never one per row), and counts for the product list
("3 ideas").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    name: str
    template: str
    load: Callable[[Any, Any], dict[str, Any]]  # (product, viewer) -> template variables
    order: int


_SECTIONS: dict[str, Section] = {}


def register(
    name: str, template: str, load: Callable[[Any, Any], dict[str, Any]], order: int = 50
) -> None:
    """Show ``template`` on every product page with the variables ``load(product, viewer)``
    gives; registering a name again replaces that section."""
    _SECTIONS[name] = Section(name, template, load, order)


def load_all(product: Any, viewer: Any) -> list[tuple[str, dict[str, Any]]]:
    """Each registered section's template and variables, in display order."""
    sections = sorted(_SECTIONS.values(), key=lambda s: (s.order, s.name))
    return [(s.template, s.load(product, viewer)) for s in sections]


@dataclass(frozen=True)
class Count:
    name: str
    # n -> what to show, e.g. "3 ideas" (in the reader's language)
    label: Callable[[int], str]
    # product ids -> {product id: n} (one query for the whole list)
    load: Callable[[list[int]], dict[int, int]]


_COUNTS: dict[str, Count] = {}


def register_count(
    name: str, label: Callable[[int], str], load: Callable[[list[int]], dict[int, int]]
) -> None:
    """Show a count per product on the product list (e.g. its ideas)."""
    _COUNTS[name] = Count(name, label, load)


def counts_for(product_ids: list[int]) -> dict[int, list[str]]:
    """{product id: ["3 ideas", ...]} for the list (one query per registered count)."""
    shown: dict[int, list[str]] = {i: [] for i in product_ids}
    if not product_ids:
        return shown
    for count in sorted(_COUNTS.values(), key=lambda c: c.name):
        loaded = count.load(product_ids)
        for product_id in product_ids:
            shown[product_id].append(count.label(loaded.get(product_id, 0)))
    return shown
