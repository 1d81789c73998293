"""Who may see and change notifications."""

from __future__ import annotations

from typing import Any


def can_read(viewer: Any, notification: Any) -> bool:
    """A notification belongs to its addressee alone."""
    return bool(viewer.is_authenticated and viewer.id == notification.user_id)
