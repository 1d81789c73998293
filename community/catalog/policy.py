"""Who may change the catalog; pure predicates over the acting user."""

from __future__ import annotations

from typing import Any


def can_manage_products(viewer: Any) -> bool:
    """The product team (and admins) create, edit, retire and restore products."""
    return bool(viewer.is_authenticated and viewer.is_team)
