"""Who may see what of reputation."""

from __future__ import annotations

from typing import Any


def can_see_history(viewer: Any, user: Any) -> bool:
    """A member's reputation history is theirs; the team sees it to moderate."""
    return bool(viewer.is_authenticated and (viewer.id == user.id or viewer.is_team))
