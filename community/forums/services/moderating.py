"""The team's tools on topics and posts: pin, lock, move, hide and restore. Each is
audited; hiding and restoring tell the author and move every counter and search entry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from community.accounts.models import User
from community.accounts.services import in_language_of
from community.core import search
from community.core.db import utcnow
from community.core.errors import Conflict, InvalidInput
from community.extensions import db
from community.forums.models import (
    ForumCategory,
    Post,
    Topic,
)
from community.forums.services import common, tags, visibility
from community.forums.services.common import (
    move_row,
    refresh_category_last,
    refresh_topic_last,
    require_moderator,
)
from community.moderation.services import audit
from community.notifications.services import notify

REASON_MAX = 500
MODERATED = "forum_moderated"


# ---------------------------------------------------------------- pin, lock, move


def set_pinned(actor: User, topic: Topic, pinned: bool) -> None:
    """Pin a topic to the top of its category or unpin it (team; audited)."""
    require_moderator(actor)
    if topic.is_pinned == bool(pinned):
        return
    topic.is_pinned = bool(pinned)
    db.session.flush()
    audit(actor, "forum.topic.pin", topic, {"pinned": bool(pinned)})


def set_locked(actor: User, topic: Topic, locked: bool) -> None:
    """Lock a topic against members' replies or open it again (team; audited)."""
    require_moderator(actor)
    if topic.is_locked == bool(locked):
        return
    topic.is_locked = bool(locked)
    db.session.flush()
    audit(actor, "forum.topic.lock", topic, {"locked": bool(locked)})


def move_topic(actor: User, topic: Topic, category: ForumCategory) -> None:
    """Move a topic to another category (team; audited): both categories' counters and
    last activity follow, and its search entries take the new category's audience."""
    require_moderator(actor)
    old_id = topic.category_id
    if category.id == old_id:
        raise InvalidInput(_("The topic is already in this category."), field="category")
    topic_posts = select(Topic.post_count).where(Topic.id == topic.id).scalar_subquery()
    if not topic.is_hidden:
        move_row(
            ForumCategory,
            old_id,
            topic_count=ForumCategory.topic_count - 1,
            post_count=ForumCategory.post_count - topic_posts,
        )
        move_row(
            ForumCategory,
            category.id,
            topic_count=ForumCategory.topic_count + 1,
            post_count=ForumCategory.post_count + topic_posts,
        )
    topic.category_id = category.id
    topic.category = category
    db.session.flush()
    refresh_category_last(old_id)
    refresh_category_last(category.id)
    scope = visibility.scope_of(category)
    search.set_scope(common.TOPIC_KIND, [topic.id], scope)
    search.set_scope(common.POST_KIND, select(Post.id).where(Post.topic_id == topic.id), scope)
    audit(actor, "forum.topic.move", topic, {"from": old_id, "to": category.id})


# ---------------------------------------------------------------- hide and restore


def _check_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Please give a reason."), field="reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(_("At most %(n)d characters.", n=REASON_MAX), field="reason")
    return reason


def _tell_author(
    author_id: int, subject: Post | Topic, title: str, text: Callable[[str], str]
) -> None:
    author = db.session.get(User, author_id)
    if author is None:
        return
    with in_language_of(author):
        notify(author, MODERATED, subject, text(title))


def _by_flags(system: bool) -> dict[str, str]:
    # The audit entry of an automatic hide says who decided: the members' weighted flags.
    return {"by": "community_flags"} if system else {}


def _switch_hidden(model: Any, obj: Any, reason: str | None, message: str) -> None:
    """Hide (with a reason) or show ``obj`` by one conditional UPDATE, so two moderators
    acting at once move the counters once; Conflict for the second."""
    hide = reason is not None
    state = model.hidden_at.is_(None) if hide else model.hidden_at.is_not(None)
    result = db.session.execute(
        update(model)
        .where(model.id == obj.id, state)
        .values(hidden_at=utcnow() if hide else None, hidden_reason=reason),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(obj, ["hidden_at", "hidden_reason"])
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(message)


def hide_topic(
    actor: User | None,
    topic: Topic,
    reason: str,
    *,
    system: bool = False,
    tell_author: bool = True,
) -> None:
    """Hide a topic and its posts from everyone but its author and the team (team;
    audited; the author is told why). Counters and search follow.

    ``system=True`` is the community's weighted flags hiding it pending review: no human
    actor (audited with none), and the caller tells the author. ``tell_author=False``
    (a spammer purge) sends no notification."""
    if system:
        actor, tell_author = None, False
    else:
        require_moderator(actor)
    reason = _check_reason(reason)
    _switch_hidden(Topic, topic, reason, _("This topic is already hidden."))
    topic_posts = select(Topic.post_count).where(Topic.id == topic.id).scalar_subquery()
    move_row(
        ForumCategory,
        topic.category_id,
        topic_count=ForumCategory.topic_count - 1,
        post_count=ForumCategory.post_count - topic_posts,
    )
    tags.move_tag_counts(tags.topic_tag_ids(topic.id), -1)
    refresh_category_last(topic.category_id)
    search.set_hidden(common.TOPIC_KIND, [topic.id], True)
    search.set_hidden(common.POST_KIND, select(Post.id).where(Post.topic_id == topic.id), True)
    audit(actor, "forum.topic.hide", topic, {"reason": reason, **_by_flags(system)})
    if tell_author:
        _tell_author(
            topic.author_id,
            topic,
            topic.title,
            lambda title: _(
                "Your topic “%(title)s” was hidden: %(reason)s", title=title, reason=reason
            ),
        )


def restore_topic(actor: User, topic: Topic) -> None:
    """Show a hidden topic again (team; audited; the author is told). Counters and
    search follow; posts hidden one by one stay hidden."""
    require_moderator(actor)
    _switch_hidden(Topic, topic, None, _("This topic is not hidden."))
    topic_posts = select(Topic.post_count).where(Topic.id == topic.id).scalar_subquery()
    move_row(
        ForumCategory,
        topic.category_id,
        topic_count=ForumCategory.topic_count + 1,
        post_count=ForumCategory.post_count + topic_posts,
    )
    tags.move_tag_counts(tags.topic_tag_ids(topic.id), +1)
    refresh_category_last(topic.category_id)
    search.set_hidden(common.TOPIC_KIND, [topic.id], False)
    search.set_hidden(
        common.POST_KIND,
        select(Post.id).where(Post.topic_id == topic.id, Post.hidden_at.is_(None)),
        False,
    )
    audit(actor, "forum.topic.restore", topic)
    _tell_author(
        topic.author_id,
        topic,
        topic.title,
        lambda title: _("Your topic “%(title)s” is visible again.", title=title),
    )


def _reactions_of(post: Post) -> Any:
    return select(Post.reaction_count).where(Post.id == post.id).scalar_subquery()


def hide_post(
    actor: User | None,
    post: Post,
    reason: str,
    *,
    system: bool = False,
    tell_author: bool = True,
) -> None:
    """Hide a post from everyone but its author and the team (team; audited; the author
    is told why); hiding a first post hides its topic. Counters and search follow.
    ``system`` and ``tell_author`` as for ``hide_topic``."""
    if system:
        actor, tell_author = None, False
    else:
        require_moderator(actor)
    topic = post.topic
    if post.is_first:
        hide_topic(actor, topic, reason, system=system, tell_author=tell_author)
        return
    reason = _check_reason(reason)
    _switch_hidden(Post, post, reason, _("This post is already hidden."))
    move_row(
        Topic,
        topic.id,
        post_count=Topic.post_count - 1,
        reaction_count=Topic.reaction_count - _reactions_of(post),
    )
    if not topic.is_hidden:
        move_row(ForumCategory, topic.category_id, post_count=ForumCategory.post_count - 1)
    refresh_topic_last(topic.id)
    if not topic.is_hidden:
        refresh_category_last(topic.category_id)
    search.set_hidden(common.POST_KIND, [post.id], True)
    audit(actor, "forum.post.hide", post, {"reason": reason, **_by_flags(system)})
    if tell_author:
        _tell_author(
            post.author_id,
            post,
            topic.title,
            lambda title: _(
                "Your post in “%(title)s” was hidden: %(reason)s", title=title, reason=reason
            ),
        )


def restore_post(actor: User, post: Post) -> None:
    """Show a hidden post again (team; audited; the author is told); restoring a first
    post restores its topic. Counters and search follow."""
    require_moderator(actor)
    topic = post.topic
    if post.is_first:
        restore_topic(actor, topic)
        return
    _switch_hidden(Post, post, None, _("This post is not hidden."))
    move_row(
        Topic,
        topic.id,
        post_count=Topic.post_count + 1,
        reaction_count=Topic.reaction_count + _reactions_of(post),
    )
    if not topic.is_hidden:
        move_row(ForumCategory, topic.category_id, post_count=ForumCategory.post_count + 1)
    refresh_topic_last(topic.id)
    if not topic.is_hidden:
        refresh_category_last(topic.category_id)
    search.set_hidden(common.POST_KIND, [post.id], topic.is_hidden)
    audit(actor, "forum.post.restore", post)
    _tell_author(
        post.author_id,
        post,
        topic.title,
        lambda title: _("Your post in “%(title)s” is visible again.", title=title),
    )
