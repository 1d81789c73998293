"""Pure predicates: who may do what with ideas. Services enforce them (raising the
matching DomainError); templates show buttons by them."""

from __future__ import annotations

from typing import Any

from community.ideas.models import Idea


def is_signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and not getattr(user, "is_erased", False)


def is_team(user: Any) -> bool:
    """The product team (and admins) triage ideas: statuses, merges, priorities."""
    return is_signed_in(user) and bool(user.is_team)


def can_see_hidden(user: Any, author_id: int) -> bool:
    """A hidden idea or comment stays visible to its author (marked hidden) and the team."""
    return is_signed_in(user) and (user.is_team or user.id == author_id)


def can_edit_idea(user: Any, idea: Idea) -> bool:
    return is_signed_in(user) and (user.is_team or user.id == idea.author_id)
