"""Who may see which category, topic and post: the one place the focus-group and
hidden-content rules are written. Everything that lists or loads forum content goes
through these helpers, so a private category or a hidden post leaks nowhere."""

from __future__ import annotations

import functools
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, bindparam, exists, false, or_, select, true
from sqlalchemy.orm import joinedload

from community.core.errors import NotFound
from community.extensions import db
from community.forums import policy
from community.forums.models import FocusGroupMember, ForumCategory, Post, Topic

FOCUS_SCOPE = "forum_category:{}"


def _member_of(viewer: Any):
    return select(FocusGroupMember.category_id).where(FocusGroupMember.user_id == viewer.id)


def category_clause(viewer: Any) -> ColumnElement[bool]:
    """A WHERE clause on ForumCategory: the categories the viewer may see."""
    if policy.is_moderator(viewer):
        return true()
    if not policy.is_signed_in(viewer):
        return ForumCategory.is_private == false()
    return or_(ForumCategory.is_private == false(), ForumCategory.id.in_(_member_of(viewer)))


def topic_clause(viewer: Any) -> ColumnElement[bool]:
    """A WHERE clause on Topic (joined to nothing): visible category, not hidden unless the
    viewer wrote it or moderates."""
    visible_categories = select(ForumCategory.id).where(category_clause(viewer))
    clause = Topic.category_id.in_(visible_categories)
    if policy.is_moderator(viewer):
        return clause
    if policy.is_signed_in(viewer):
        return clause & or_(Topic.hidden_at.is_(None), Topic.author_id == viewer.id)
    return clause & Topic.hidden_at.is_(None)


def post_clause(viewer: Any) -> ColumnElement[bool]:
    """A WHERE clause on Post for posts the viewer may see (in topics they may see).
    The topic is checked by a correlated EXISTS, one index look-up per post, so a few
    posts (a search page, a profile) never make SQLite list every visible topic."""
    clause = exists().where(Topic.id == Post.topic_id, topic_clause(viewer))
    if policy.is_moderator(viewer):
        return clause
    if policy.is_signed_in(viewer):
        return clause & or_(Post.hidden_at.is_(None), Post.author_id == viewer.id)
    return clause & Post.hidden_at.is_(None)


def is_focus_group_member(viewer: Any, category: ForumCategory) -> bool:
    if not policy.is_signed_in(viewer):
        return False
    return (
        db.session.get(FocusGroupMember, {"category_id": category.id, "user_id": viewer.id})
        is not None
    )


def can_see_category(viewer: Any, category: ForumCategory) -> bool:
    if not category.is_private or policy.is_moderator(viewer):
        return True
    return is_focus_group_member(viewer, category)


def can_see_topic(viewer: Any, topic: Topic) -> bool:
    """Needs ``topic.category`` loaded."""
    if topic.is_hidden and not policy.can_see_hidden(viewer, topic.author_id):
        return False
    return can_see_category(viewer, topic.category)


def can_see_post(viewer: Any, post: Post) -> bool:
    """Needs ``post.topic.category`` loaded."""
    if post.is_hidden and not policy.can_see_hidden(viewer, post.author_id):
        return False
    return can_see_topic(viewer, post.topic)


def get_category(viewer: Any, slug: str) -> ForumCategory:
    """The category, or NotFound when it does not exist or the viewer may not see it."""
    category = db.session.scalar(
        select(ForumCategory)
        .options(joinedload(ForumCategory.product))
        .where(ForumCategory.slug == slug)
    )
    if category is None or not can_see_category(viewer, category):
        raise NotFound(_("No such category."))
    return category


def get_topic(viewer: Any, topic_id: int) -> Topic:
    """The topic with its category, or NotFound (missing, private or hidden)."""
    topic = db.session.scalar(
        select(Topic)
        .options(joinedload(Topic.category), joinedload(Topic.author))
        .where(Topic.id == topic_id)
    )
    if topic is None or not can_see_topic(viewer, topic):
        raise NotFound(_("No such topic."))
    return topic


def get_post(viewer: Any, post_id: int) -> Post:
    """The post with its topic and category, or NotFound (missing, private or hidden)."""
    post = db.session.scalar(_post_query(), {"post_id": post_id})
    if post is None or not can_see_post(viewer, post):
        raise NotFound(_("No such post."))
    return post


@functools.cache
def _post_query() -> Any:
    """``get_post``'s query, built once (every reaction asks it)."""
    return (
        select(Post)
        .options(
            joinedload(Post.topic).joinedload(Topic.category),
            joinedload(Post.author),
        )
        .where(Post.id == bindparam("post_id"))
    )


def focus_scopes(viewer: Any) -> set[str]:
    """The search scopes of the private categories the viewer may see."""
    if not policy.is_signed_in(viewer):
        return set()
    stmt = select(ForumCategory.id).where(ForumCategory.is_private == true())
    if not policy.is_moderator(viewer):
        stmt = stmt.where(ForumCategory.id.in_(_member_of(viewer)))
    return {FOCUS_SCOPE.format(category_id) for category_id in db.session.scalars(stmt)}


def scope_of(category: ForumCategory) -> str | None:
    """The search scope of a category's content: None for public ones."""
    return FOCUS_SCOPE.format(category.id) if category.is_private else None
