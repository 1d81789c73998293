"""Who may do what with accounts; pure predicates over the acting user."""

from __future__ import annotations

from typing import Any


def is_self(viewer: Any, user: Any) -> bool:
    """Whether the viewer is this user."""
    return bool(viewer.is_authenticated and viewer.id == user.id)


def can_edit_profile(viewer: Any, user: Any) -> bool:
    """Members edit their own profile."""
    return is_self(viewer, user)


def can_see_hidden_profile(viewer: Any, user: Any) -> bool:
    """A profile moderation hid is still shown, marked, to its owner and the team."""
    return is_self(viewer, user) or bool(viewer.is_authenticated and viewer.is_team)


def can_see_email(viewer: Any, user: Any) -> bool:
    """An address is shown to its owner and to admins only."""
    return is_self(viewer, user) or bool(viewer.is_authenticated and viewer.is_admin)


def can_see_role(viewer: Any, user: Any) -> bool:
    """Roles are public: customers should know who speaks for the company."""
    return True
