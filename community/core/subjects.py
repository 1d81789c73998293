"""What a ledger entry (audit, notification, reputation) points at.

Ledgers store a subject as ``(type, id)``. Each feature registers, once, how to link to
its subjects and which of them a viewer may see, both in batches, so a ledger page
resolves all its rows in one query per kind without importing the feature.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

Ref = tuple[str | None, int | None]


class HasId(Protocol):
    id: Any


def _all_visible(viewer: Any, ids: set[int]) -> set[int]:
    return ids


@dataclass(frozen=True)
class SubjectKind:
    # ids -> {id: url} for those that still exist
    urls: Callable[[set[int]], dict[int, str]]
    # (viewer, ids) -> the ids the viewer may see
    visible: Callable[[Any, set[int]], set[int]]
    # ids -> {id: name} for showing the subject (e.g. a category on a leaderboard)
    labels: Callable[[set[int]], dict[int, str]] | None = None


_KINDS: dict[str, SubjectKind] = {}


def register(
    kind: str,
    urls: Callable[[set[int]], dict[int, str]],
    visible: Callable[[Any, set[int]], set[int]] = _all_visible,
    labels: Callable[[set[int]], dict[int, str]] | None = None,
) -> None:
    """Declare how subjects of ``kind`` (a table name) are linked, named and who sees them."""
    _KINDS[kind] = SubjectKind(urls=urls, visible=visible, labels=labels)


def ref(subject: HasId | Ref | None) -> Ref:
    """The ``(type, id)`` stored for a model instance (a ``(type, id)`` pair is kept as
    it is: moderation names the content it acts on by kind and id, not by model)."""
    if subject is None:
        return None, None
    if isinstance(subject, tuple):
        return subject
    return subject.__class__.__tablename__, subject.id  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Resolved:
    """What one viewer may see of a batch of subjects, and where each leads."""

    hidden: frozenset[tuple[str, int]]
    links: dict[tuple[str, int], str]
    names: dict[tuple[str, int], str]

    def is_visible(self, kind: str | None, subject_id: int | None) -> bool:
        return kind is None or subject_id is None or (kind, subject_id) not in self.hidden

    def url(self, kind: str | None, subject_id: int | None) -> str | None:
        if kind is None or subject_id is None:
            return None
        return self.links.get((kind, subject_id))

    def label(self, kind: str | None, subject_id: int | None) -> str | None:
        if kind is None or subject_id is None:
            return None
        return self.names.get((kind, subject_id))


def resolve(
    viewer: Any, refs: Iterable[Ref], with_links: bool = True, with_labels: bool = False
) -> Resolved:
    """Visibility, links (and names) for many subjects: one call per kind, not per subject.

    Subjects of unregistered kinds are visible and have no link.
    """
    wanted: dict[str, set[int]] = {}
    for kind, subject_id in refs:
        if kind is not None and subject_id is not None and kind in _KINDS:
            wanted.setdefault(kind, set()).add(subject_id)
    hidden: set[tuple[str, int]] = set()
    links: dict[tuple[str, int], str] = {}
    names: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():
        entry = _KINDS[kind]
        seen = entry.visible(viewer, ids) if ids else set()
        hidden.update((kind, i) for i in ids - seen)
        if with_links and seen:
            links.update(((kind, i), url) for i, url in entry.urls(seen).items())
        if with_labels and seen and entry.labels is not None:
            names.update(((kind, i), name) for i, name in entry.labels(seen).items())
    return Resolved(hidden=frozenset(hidden), links=links, names=names)


def is_visible(kind: str | None, subject_id: int | None, viewer: Any) -> bool:
    """Whether ``viewer`` may see one subject."""
    return resolve(viewer, [(kind, subject_id)], with_links=False).is_visible(kind, subject_id)
