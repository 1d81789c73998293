"""Small rules every forum service shares: limits, checks, pages, the search entry."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from community.accounts import services as accounts
from community.core import content, search
from community.core.db import expire_loaded
from community.core.errors import InvalidInput, NotFound, PermissionDenied
from community.core.plain_text import plain_text
from community.extensions import db
from community.forums import policy
from community.forums.models import ForumCategory, Post, Topic
from community.forums.services import visibility
from community.forums.services.visibility import scope_of

PER_PAGE = 20
TITLE_MAX = 200
BODY_MAX = 50_000
TAGS_MAX = 5
TOPIC_KIND = "forum_topic"
POST_KIND = "forum_post"


def reputation_category(category: ForumCategory) -> Any:
    """Where forum reputation counts: the linked product, else the category itself."""
    if category.product_id is not None:
        return ("product", category.product_id)
    return category


def render_body(source: str) -> content.Rendered:
    """A post's Markdown as safe HTML, with @mentions of existing members linked."""
    return accounts.render_markdown(source)


def _required(value: str | None, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(_("Please write something."), field=field)
    if len(value) > limit:
        raise InvalidInput(_("At most %(n)d characters.", n=limit), field=field)
    return value


def check_title(title: str | None) -> str:
    """A topic title: not empty, at most ``TITLE_MAX`` characters (InvalidInput on "title")."""
    return _required(title, "title", TITLE_MAX)


def check_body(body: str | None) -> str:
    """A post body: not empty, at most ``BODY_MAX`` characters (InvalidInput on "body")."""
    return _required(body, "body", BODY_MAX)


def page_of(number: int) -> int:
    """The topic page that shows post ``number``."""
    return (max(number, 1) - 1) // PER_PAGE + 1


def reindex_post(post: Post, topic: Topic, category: ForumCategory) -> None:
    """Write the search entry of ``post``: the first post stands for its topic."""
    db.session.execute(search_entry(post, topic, category))


def search_entry(post: Post, topic: Topic, category: ForumCategory) -> Any:
    """``reindex_post``'s statement, to run with other writes (``write_together``)."""
    hidden = post.is_hidden or topic.is_hidden
    body = plain_text(post.body_html)
    if post.number == 1:
        return search.index_statement(
            TOPIC_KIND, topic.id, topic.title, body, scope_of(category), hidden
        )
    return search.index_statement(POST_KIND, post.id, "", body, scope_of(category), hidden)


# ---------------------------------------------------------------- rows and checks the writers share


def move_row(model: Any, obj_id: int, **values: Any) -> None:
    """UPDATE one row with SQL expressions and expire what it changed in the session."""
    db.session.execute(row_move(model, obj_id, **values))
    expire_loaded(model, obj_id, list(values))


def row_move(model: Any, obj_id: int, **values: Any) -> Any:
    """``move_row``'s statement, to run with other writes (``write_together``); the
    caller expires the moved columns (``expire_loaded``)."""
    table = model.__table__
    return update(table).where(table.c.id == obj_id).values(**values)


def load_topic(topic_id: int) -> Topic:
    topic = db.session.scalar(
        select(Topic).options(joinedload(Topic.category)).where(Topic.id == topic_id)
    )
    assert topic is not None
    return topic


def category_of(topic: Topic) -> ForumCategory:
    category = db.session.get(ForumCategory, topic.category_id)
    assert category is not None
    return category


def check_visible_topic(user: Any, topic: Topic) -> None:
    if not visibility.can_see_topic(user, topic):
        raise NotFound(_("No such topic."))


def require_moderator(actor: Any) -> None:
    if not policy.is_moderator(actor):
        raise PermissionDenied(_("Only the team can do this."))


def refresh_topic_last(topic_id: int) -> None:
    """The topic's last activity: its latest visible post."""
    row = db.session.execute(
        select(Post.id, Post.created_at, Post.author_id)
        .where(Post.topic_id == topic_id, Post.hidden_at.is_(None))
        .order_by(Post.number.desc())
        .limit(1)
    ).first()
    if row is not None:
        move_row(
            Topic,
            topic_id,
            last_post_id=row.id,
            last_posted_at=row.created_at,
            last_poster_id=row.author_id,
        )


def refresh_category_last(category_id: int) -> None:
    """The category's last activity: its visible topic with the latest post."""
    row = db.session.execute(
        select(Topic.id, Topic.last_posted_at)
        .where(Topic.category_id == category_id, Topic.hidden_at.is_(None))
        .order_by(Topic.last_posted_at.desc(), Topic.id.desc())
        .limit(1)
    ).first()
    move_row(
        ForumCategory,
        category_id,
        last_topic_id=row.id if row else None,
        last_posted_at=row.last_posted_at if row else None,
    )
