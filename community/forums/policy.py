"""Pure predicates: who may do what in the forums. Services enforce them (raising the
matching DomainError); templates show buttons by them. Visibility needs the database
and lives in ``services/visibility.py``."""

from __future__ import annotations

from typing import Any

from community.forums.models import ForumCategory, Post, Topic


def is_signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and not getattr(user, "is_erased", False)


def is_moderator(user: Any) -> bool:
    """The product team and admins moderate the forums."""
    return is_signed_in(user) and bool(user.is_team)


def can_manage_categories(user: Any) -> bool:
    return is_moderator(user)


def can_manage_focus_group(user: Any, category: ForumCategory) -> bool:
    return is_moderator(user) and category.is_private


def can_manage_reactions(user: Any) -> bool:
    return is_signed_in(user) and bool(user.is_admin)


def can_start_topic(user: Any, category: ForumCategory) -> bool:
    return is_signed_in(user)


def can_reply(user: Any, topic: Topic) -> bool:
    """Members reply to open topics; the team also to locked ones."""
    return is_signed_in(user) and (not topic.is_locked or user.is_team)


def can_edit_post(user: Any, post: Post) -> bool:
    return is_signed_in(user) and (user.id == post.author_id or user.is_team)


def can_revert_post(user: Any, post: Post) -> bool:
    return is_moderator(user)


def can_accept_answer(user: Any, topic: Topic) -> bool:
    """In a Q&A category the asker or the team accepts an answer."""
    return (
        is_signed_in(user) and topic.category.is_qa and (user.id == topic.author_id or user.is_team)
    )


def can_react(user: Any, post: Post) -> bool:
    """One reaction per member per post, never on one's own post."""
    return is_signed_in(user) and user.id != post.author_id


def can_mark_official(user: Any, post: Post) -> bool:
    return is_moderator(user)


def can_see_hidden(user: Any, author_id: int) -> bool:
    """Hidden content stays visible to its author (marked hidden) and to the team."""
    return is_signed_in(user) and (user.is_team or user.id == author_id)
