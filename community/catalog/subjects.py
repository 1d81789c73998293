"""How ledgers (audit log, notifications, reputation boards) link to and name products.

Products are public, retired ones included, so every viewer may see them.
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from community.catalog.models import Product
from community.core import subjects
from community.extensions import db


def product_urls(product_ids: set[int]) -> dict[int, str]:
    """Each existing product's page."""
    rows = db.session.execute(select(Product.id, Product.slug).where(Product.id.in_(product_ids)))
    return {product_id: url_for("catalog.product", slug=slug) for product_id, slug in rows}


def product_names(product_ids: set[int]) -> dict[int, str]:
    """Each existing product's name (a reputation board's "product:7" category)."""
    rows = db.session.execute(select(Product.id, Product.name).where(Product.id.in_(product_ids)))
    return {product_id: name for product_id, name in rows}


subjects.register("product", urls=product_urls, labels=product_names)
