"""Badges (filled by the badges work)."""

from __future__ import annotations

from typing import Any


def after_event(user: Any, event: Any) -> None:
    """Evaluate the badge rules a new ledger event may satisfy."""


def badge_title(key: str) -> str | None:
    """The name of a badge shown as a member's title (None for an unknown key)."""
    return None
