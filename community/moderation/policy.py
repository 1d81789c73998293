"""Who may use the admin pages."""

from __future__ import annotations

from typing import Any

from community.reputation.privileges import has_privilege


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


def can_review(viewer: Any) -> bool:
    """The team, and members holding the "review_queue" privilege, work the review queue."""
    return bool(
        viewer.is_authenticated and (viewer.is_team or has_privilege(viewer, "review_queue"))
    )


def can_penalize(viewer: Any, user: Any) -> bool:
    """The team warns, silences, suspends and purges members: never themselves, never
    another team member or admin (an admin changes their role first)."""
    return bool(
        viewer.is_authenticated
        and viewer.is_team
        and viewer.id != user.id
        and not user.is_team
        and not user.is_erased
    )


def can_lift_penalty(viewer: Any) -> bool:
    """The team withdraws penalties."""
    return bool(viewer.is_authenticated and viewer.is_team)


def can_view_penalties(viewer: Any) -> bool:
    """The team reads members' penalty histories (each member reads their own)."""
    return bool(viewer.is_authenticated and viewer.is_team)
