"""Who may use the admin pages."""

from __future__ import annotations

from typing import Any


def can_view_audit(viewer: Any) -> bool:
    """Admins read the audit log."""
    return bool(viewer.is_authenticated and viewer.is_admin)


def can_manage_users(viewer: Any) -> bool:
    """Admins change roles and suspend accounts."""
    return bool(viewer.is_authenticated and viewer.is_admin)


def can_change_role(viewer: Any, user: Any) -> bool:
    """Admins change others' roles, never their own (nobody locks themselves out)."""
    return can_manage_users(viewer) and viewer.id != user.id and not user.is_erased


def can_suspend(viewer: Any, user: Any) -> bool:
    """Admins suspend anyone but themselves and other admins."""
    return (
        can_manage_users(viewer)
        and viewer.id != user.id
        and not user.is_admin
        and not user.is_erased
    )
