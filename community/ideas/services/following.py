"""Following ideas: voters, the author and commenters follow by default; anyone signed
in may follow or unfollow; an unfollow is remembered (voting again does not undo it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from community.accounts.models import User
from community.accounts.services import in_language_of
from community.core.db import dialect_insert, utcnow
from community.extensions import db
from community.ideas.models import Idea, IdeaFollow
from community.ideas.services import common
from community.notifications.services import notify


def follow_by_default(user_id: int, idea_id: int) -> None:
    """Start following unless the member has a choice on record (one statement)."""
    db.session.execute(
        dialect_insert(IdeaFollow.__table__)
        .values(idea_id=idea_id, user_id=user_id, following=True, created_at=utcnow())
        .on_conflict_do_nothing()
    )


def set_following(user: Any, idea: Idea, following: bool) -> None:
    """Follow or unfollow explicitly (the choice is kept)."""
    common.require_member(user, _("Please sign in to follow ideas."))
    table = IdeaFollow.__table__
    insert = dialect_insert(table).values(
        idea_id=idea.id, user_id=user.id, following=following, created_at=utcnow()
    )
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=[table.c.idea_id, table.c.user_id], set_={"following": following}
        )
    )


def is_following(user: Any, idea: Idea) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(
        db.session.scalar(
            select(IdeaFollow.following).where(
                IdeaFollow.idea_id == idea.id, IdeaFollow.user_id == user.id
            )
        )
    )


def followers(idea_id: int) -> list[User]:
    """The members following the idea (one query)."""
    return list(
        db.session.scalars(
            select(User)
            .join(IdeaFollow, IdeaFollow.user_id == User.id)
            .where(IdeaFollow.idea_id == idea_id, IdeaFollow.following.is_(True))
            .order_by(User.id)
        )
    )


def notify_followers(idea: Idea, text: Callable[[], str], skip: int | None = None) -> int:
    """One notification per follower (not ``skip``, e.g. who caused it), its ``text()``
    written in each follower's language; returns how many were sent."""
    return notify_each(followers(idea.id), idea, text, skip)


def notify_each(
    users: list[User], idea: Idea, text: Callable[[], str], skip: int | None = None
) -> int:
    """Notify each of ``users`` (not ``skip``) about ``idea`` with ``text()`` in their
    language; returns how many were sent."""
    sent = 0
    for user in users:
        if user.id == skip:
            continue
        with in_language_of(user):
            message = text()
        if notify(user, "idea", idea, message) is not None:
            sent += 1
    return sent
