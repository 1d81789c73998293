"""What moderation can act on: each feature registers its kinds of member content once.

Moderation (floor 3) cannot import the features above it; a feature registers, per kind
(a table name such as ``forum_post``), how to load items for the queue, how to hide and
restore one through its own service (so its counters, search entries and notifications
move the feature's way), how to hide everything a member wrote (a spammer purge), and the
member's recent texts (for the near-duplicate and burst signals of the risk score).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from community.core.errors import InvalidInput


@dataclass(frozen=True)
class TargetInfo:
    """One item as the review queue shows it."""

    kind: str
    subject_id: int
    author_id: int | None
    # What it is, e.g. "Reply in “Export as PDF”" (plain text, escaped when shown).
    title: str
    # Its text (plain), and how many links it holds.
    text: str
    links: int
    url: str | None
    is_hidden: bool
    created_at: dt.datetime
    # The posts just before it in its thread, oldest first: (author name, plain text).
    context: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Target:
    # The kind's name for people ("Forum post"), a lazy gettext string.
    label: Any
    # ids -> {id: TargetInfo} for those that exist (one batch, a few queries).
    load: Callable[[set[int]], dict[int, TargetInfo]]
    # (actor, id, reason) -> None: hide through the feature's service (audited there).
    hide: Callable[[Any, int, str], None]
    # (actor, id) -> None: show again.
    restore: Callable[[Any, int], None]
    # (actor, user, reason) -> how many items were hidden: everything the member wrote.
    hide_all_by: Callable[[Any, Any, str], int]
    # (author_id, limit) -> [(created_at, plain text)] newest first: their recent writing.
    recent_texts: Callable[[int, int], list[tuple[dt.datetime, str]]]


@dataclass(frozen=True)
class Tools:
    """A feature's own tools for one item, shown on its review page (edit it, lock or
    move its topic ...): a template rendered with ``tools`` (this context) and ``back``
    (the review page), whose forms post to the feature's routes and return to ``back``."""

    template: str
    context: dict[str, Any]


_TARGETS: dict[str, Target] = {}
_TOOLS: dict[str, Callable[[Any, int], Tools | None]] = {}


def register(kind: str, target: Target) -> None:
    """Make ``kind`` flaggable and reviewable."""
    _TARGETS[kind] = target


def register_tools(kind: str, make: Callable[[Any, int], Tools | None]) -> None:
    """Offer ``make(viewer, id)``'s tools on the review page of items of ``kind`` (None
    when the viewer may use none)."""
    _TOOLS[kind] = make


def tools_for(viewer: Any, kind: str, subject_id: int) -> Tools | None:
    """The feature's tools for one item that still exists, if the viewer may use any."""
    make = _TOOLS.get(kind)
    return make(viewer, subject_id) if make is not None else None


def get(kind: str) -> Target:
    """The registered target of ``kind``; an unknown kind is bad input (400)."""
    try:
        return _TARGETS[kind]
    except KeyError:
        raise InvalidInput(_("This cannot be flagged."), field="kind") from None


def kinds() -> dict[str, Target]:
    """Every registered kind, for filters and the purge."""
    return dict(_TARGETS)
