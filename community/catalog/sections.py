"""Sections that higher floors add to a product's page.

The catalog cannot import the features built on products (forums, ideas, reviews); they
register here instead, once at import: a template to include and a function that loads
its data (one batch of queries, never one per row).
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
