"""What a ledger entry (audit, notification, reputation) points at.

Ledgers store a subject as ``(type, id)``. Each feature registers, once, how to link to
its subjects and whether a viewer may see one, so a ledger can show a link without
importing the feature.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


class HasId(Protocol):
    id: Any


@dataclass(frozen=True)
class SubjectKind:
    url: Callable[[int], str | None]
    label: Callable[[int], str | None]
    visible_to: Callable[[Any, int], bool]


_KINDS: dict[str, SubjectKind] = {}


def register(
    kind: str,
    url: Callable[[int], str | None],
    label: Callable[[int], str | None],
    visible_to: Callable[[Any, int], bool] = lambda viewer, subject_id: True,
) -> None:
    """Declare how subjects of ``kind`` are linked, labelled and shown."""
    _KINDS[kind] = SubjectKind(url=url, label=label, visible_to=visible_to)


def ref(subject: HasId | None) -> tuple[str | None, int | None]:
    """The ``(type, id)`` stored for a model instance."""
    if subject is None:
        return None, None
    return subject.__class__.__tablename__, subject.id  # type: ignore[attr-defined]


def url_for_subject(kind: str | None, subject_id: int | None, viewer: Any = None) -> str | None:
    """A link to the subject, or None when it is unknown or hidden from ``viewer``."""
    if kind is None or subject_id is None or kind not in _KINDS:
        return None
    entry = _KINDS[kind]
    if not entry.visible_to(viewer, subject_id):
        return None
    return entry.url(subject_id)


def is_visible(kind: str | None, subject_id: int | None, viewer: Any) -> bool:
    """Whether ``viewer`` may see the subject (unknown kinds are visible)."""
    if kind is None or subject_id is None or kind not in _KINDS:
        return True
    return _KINDS[kind].visible_to(viewer, subject_id)
