"""Who may change the site."""

from __future__ import annotations

from typing import Any


def can_edit_branding(viewer: Any) -> bool:
    """Admins brand the site."""
    return bool(viewer.is_authenticated and viewer.is_admin)


def can_open_admin(viewer: Any) -> bool:
    """Admins see the admin pages."""
    return bool(viewer.is_authenticated and viewer.is_admin)
