"""The forum categories about a product, shown on its catalog page."""

from __future__ import annotations

from typing import Any

from community.catalog import sections
from community.forums.services import categories


def _load(product: Any, viewer: Any) -> dict[str, Any]:
    return {"categories": categories.categories_for_product(viewer, product.id)}


sections.register("forums", "forums/_product_forums.html", _load, 30)
