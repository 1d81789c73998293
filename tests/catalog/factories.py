"""Catalog test data through the real services."""

from __future__ import annotations

import itertools
from typing import Any

from community.catalog import services
from community.catalog.models import Product
from community.extensions import db
from tests.factories import make_user

_seq = itertools.count(1)


def make_product(**overrides: Any) -> Product:
    """An active product made by a team member (retired with ``retired=True``)."""
    n = next(_seq)
    actor = overrides.pop("actor", None) or make_user(role="team")
    product = services.create_product(
        actor,
        name=overrides.pop("name", f"Product {n}"),
        slug=overrides.pop("slug", f"product-{n}"),
        description=overrides.pop("description", "What it does."),
        category=overrides.pop("category", ""),
    )
    if overrides.pop("retired", False):
        services.retire_product(actor, product)
    assert not overrides, f"unknown overrides: {sorted(overrides)}"
    db.session.flush()
    return product
