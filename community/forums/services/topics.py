"""New topics and replies (a double submit makes one), and the similar topics shown
while a title is typed. Every counter moves by SQL arithmetic in the same transaction and
counts visible content only; the search entry follows the post."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from community.accounts.models import User
from community.core import plain_text, search
from community.core.db import dialect_insert, expire_loaded, utcnow, write_together
from community.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from community.extensions import db
from community.forums import policy
from community.forums.models import (
    ForumCategory,
    Level,
    Post,
    Topic,
    TopicUser,
)
from community.forums.services import common, visibility, watching
from community.forums.services import tags as topic_tags
from community.forums.services.common import (
    POST_KIND,
    TOPIC_KIND,
    category_of,
    check_visible_topic,
    load_topic,
    row_move,
)
from community.moderation.services import screening
from community.moderation.services.penalties import check_can_write
from community.reputation import sandbox

DUPLICATE_WINDOW = dt.timedelta(seconds=30)
CLIENT_KEY_MAX = 64
SLUG_MAX = 80
RESERVED_SLUGS = frozenset({"reply"})


def slugify(title: str) -> str:
    """The URL slug of a topic title: ASCII lower-case words joined by hyphens."""
    slug = plain_text.slugify(title, SLUG_MAX)
    if slug in RESERVED_SLUGS:
        slug += "-topic"  # /t/<id>/reply is the reply page, not a topic called "Reply"
    return slug or "topic"


def _check_client_key(client_key: str | None) -> str | None:
    client_key = (client_key or "").strip() or None
    if client_key is not None and len(client_key) > CLIENT_KEY_MAX:
        raise InvalidInput(_("At most %(n)d characters.", n=CLIENT_KEY_MAX), field="client_key")
    return client_key


def _post_by_key(author: User, client_key: str | None) -> Post | None:
    if client_key is None:
        return None
    return db.session.scalar(
        select(Post).where(Post.author_id == author.id, Post.client_key == client_key)
    )


def _track(user_id: int, topic_id: int, number: int, now: dt.datetime) -> Any:
    """The statement by which the author follows the topic (TRACKING unless they chose a
    level) and has read up to their own post (one upsert: run it with the post's other
    writes); the caller expires the loaded row (``expire_loaded``)."""
    table = TopicUser.__table__
    tracking = int(Level.TRACKING)
    behind = table.c.last_read_number < number
    return (
        dialect_insert(table)
        .values(
            topic_id=topic_id,
            user_id=user_id,
            level=tracking,
            last_read_number=number,
            last_read_at=now,
        )
        .on_conflict_do_update(
            index_elements=[table.c.topic_id, table.c.user_id],
            set_={
                "level": func.coalesce(table.c.level, tracking),
                "last_read_number": case((behind, number), else_=table.c.last_read_number),
                "last_read_at": case((behind, now), else_=table.c.last_read_at),
            },
        )
    )


def _collision_guard(client_key: str | None) -> Any:
    """A savepoint where a double submit can collide on its ``client_key`` (the unique
    key raises IntegrityError and the earlier post is returned); without a key nothing
    can collide, and no savepoint costs its two round trips."""
    return db.session.begin_nested() if client_key is not None else contextlib.nullcontext()


# ---------------------------------------------------------------- new topics and replies


def _duplicate_topic(
    author: User, category: ForumCategory, title: str, body: str, client_key: str | None
) -> Topic | None:
    post = _post_by_key(author, client_key)
    if post is not None:
        if post.number != 1:
            raise Conflict(_("This form was already sent. Please reload the page."))
        return load_topic(post.topic_id)
    since = utcnow() - DUPLICATE_WINDOW
    topic_id = db.session.scalar(
        select(Topic.id)
        .join(Post, (Post.topic_id == Topic.id) & (Post.number == 1))
        .where(
            Topic.author_id == author.id,
            Topic.category_id == category.id,
            Topic.title == title,
            Topic.created_at >= since,
            Post.body_source == body,
        )
        .order_by(Topic.id.desc())
        .limit(1)
    )
    return load_topic(topic_id) if topic_id is not None else None


def create_topic(
    author: User,
    category: ForumCategory,
    title: str,
    body: str,
    tags: Iterable[str] | str | None = (),
    client_key: str | None = None,
) -> Topic:
    """Start a topic with its first post in a category the author may see; a double
    submit (same ``client_key``, or same title and body within 30 seconds) returns the
    topic already made. Counters, tags, search entry and the author's tracking follow."""
    check_can_write(author)
    if not policy.can_start_topic(author, category):
        raise PermissionDenied(_("Please sign in to start a topic."))
    if not visibility.can_see_category(author, category):
        raise NotFound(_("No such category."))
    title = common.check_title(title)
    body = common.check_body(body)
    tag_names = topic_tags.normalise_tags(tags)
    client_key = _check_client_key(client_key)
    existing = _duplicate_topic(author, category, title, body, client_key)
    if existing is not None:
        return existing

    rendered = common.render_body(body)
    now = utcnow()
    topic = Topic(
        category_id=category.id,
        author_id=author.id,
        title=title,
        slug=slugify(title),
        created_at=now,
        last_posted_at=now,
        last_poster_id=author.id,
        highest_number=1,
        post_count=1,
    )
    try:
        with _collision_guard(client_key):
            sandbox.use_sandbox(author, "topic", links=sandbox.count_links(rendered.html))
            db.session.add(topic)
            db.session.flush()
            post = Post(
                topic_id=topic.id,
                author_id=author.id,
                number=1,
                body_source=body,
                body_html=rendered.html,
                client_key=client_key,
                created_at=now,
            )
            db.session.add(post)
            db.session.flush()
    except IntegrityError:
        # A concurrent request with the same key won the race: it made the topic.
        existing = _duplicate_topic(author, category, title, body, client_key)
        if existing is None:
            raise Conflict(_("This form was already sent. Please reload the page.")) from None
        return existing

    topic.last_post_id = post.id
    topic.category = category
    topic.author = author
    post.topic = topic
    post.author = author
    if tag_names:
        topic_tags.apply_tags(topic, tag_names)
    category_moves = {
        "topic_count": ForumCategory.topic_count + 1,
        "post_count": ForumCategory.post_count + 1,
        "last_posted_at": now,
        "last_topic_id": topic.id,
    }
    # One round trip on PostgreSQL: the counters, the author's tracking, the search entry.
    write_together(
        row_move(ForumCategory, category.id, **category_moves),
        _track(author.id, topic.id, 1, now),
        common.search_entry(post, topic, category),
    )
    expire_loaded(ForumCategory, category.id, list(category_moves))
    expire_loaded(TopicUser, (topic.id, author.id))
    # The spam check first: a held post is hidden, so nobody is notified of it.
    screening.screen_new_post(TOPIC_KIND, topic.id, author)
    watching.after_post(post, rendered.mentions)
    return topic


def _duplicate_reply(author: User, topic: Topic, body: str, client_key: str | None) -> Post | None:
    post = _post_by_key(author, client_key)
    if post is not None:
        if post.topic_id != topic.id:
            raise Conflict(_("This form was already sent. Please reload the page."))
        return post
    since = utcnow() - DUPLICATE_WINDOW
    return db.session.scalar(
        select(Post)
        .where(
            Post.topic_id == topic.id,
            Post.author_id == author.id,
            Post.created_at >= since,
            Post.body_source == body,
            Post.number > 1,
        )
        .order_by(Post.id.desc())
        .limit(1)
    )


def _reply_target(topic: Topic, reply_to: Post | int | None) -> int | None:
    if reply_to is None:
        return None
    reply_to_id = reply_to.id if isinstance(reply_to, Post) else reply_to
    exists = db.session.scalar(
        select(Post.id).where(
            Post.id == reply_to_id, Post.topic_id == topic.id, Post.hidden_at.is_(None)
        )
    )
    if exists is None:
        raise InvalidInput(_("That post is not in this topic."), field="reply_to")
    return exists


def reply(
    author: User,
    topic: Topic,
    body: str,
    reply_to: Post | int | None = None,
    client_key: str | None = None,
) -> Post:
    """Add a post to a topic the author may see and reply to (Conflict when locked);
    a double submit returns the post already made. Counters, last activity, search
    entry, the author's tracking and the notifications follow."""
    check_can_write(author)
    check_visible_topic(author, topic)
    if not policy.is_signed_in(author):
        raise PermissionDenied(_("Please sign in to reply."))
    if not policy.can_reply(author, topic):
        raise Conflict(_("This topic is locked."))
    body = common.check_body(body)
    client_key = _check_client_key(client_key)
    reply_to_id = _reply_target(topic, reply_to)
    existing = _duplicate_reply(author, topic, body, client_key)
    if existing is not None:
        return existing

    rendered = common.render_body(body)
    now = utcnow()
    try:
        with _collision_guard(client_key):
            sandbox.use_sandbox(author, "post", links=sandbox.count_links(rendered.html))
            number = db.session.execute(
                update(Topic)
                .where(Topic.id == topic.id)
                .values(highest_number=Topic.highest_number + 1)
                .returning(Topic.highest_number),
                execution_options={"synchronize_session": False},
            ).scalar_one()
            db.session.expire(topic, ["highest_number"])
            post = Post(
                topic_id=topic.id,
                author_id=author.id,
                number=number,
                reply_to_post_id=reply_to_id,
                body_source=body,
                body_html=rendered.html,
                client_key=client_key,
                created_at=now,
            )
            db.session.add(post)
            db.session.flush()
    except IntegrityError:
        existing = _duplicate_reply(author, topic, body, client_key)
        if existing is None:
            raise Conflict(_("This form was already sent. Please reload the page.")) from None
        return existing

    post.topic = topic
    post.author = author
    topic_moves = {
        "post_count": Topic.post_count + 1,
        "last_posted_at": now,
        "last_post_id": post.id,
        "last_poster_id": author.id,
    }
    category_moves = {
        "post_count": ForumCategory.post_count + 1,
        "last_posted_at": now,
        "last_topic_id": topic.id,
    }
    listed = not topic.is_hidden
    # One round trip on PostgreSQL: the counters, the author's tracking, the search entry.
    write_together(
        row_move(Topic, topic.id, **topic_moves),
        row_move(ForumCategory, topic.category_id, **category_moves) if listed else None,
        _track(author.id, topic.id, number, now),
        common.search_entry(post, topic, category_of(topic)),
    )
    expire_loaded(Topic, topic.id, list(topic_moves))
    if listed:
        expire_loaded(ForumCategory, topic.category_id, list(category_moves))
    expire_loaded(TopicUser, (topic.id, author.id))
    screening.screen_new_post(POST_KIND, post.id, author)
    watching.after_post(post, rendered.mentions)
    return post


# ---------------------------------------------------------------- similar topics

SIMILAR_MIN_WORD = 3


def similar_topics(
    viewer: Any, title: str, category: ForumCategory | None = None, limit: int = 5
) -> list[Topic]:
    """Topics whose title or first post share words with ``title``, best first, among
    those the viewer may see (in ``category`` when given)."""
    words = [w for w in search.parse_terms(title) if len(w) >= SIMILAR_MIN_WORD]
    if not words or limit < 1:
        return []
    results = search.search(
        " ".join(words),
        search.viewer_scopes(viewer),
        kinds=[common.TOPIC_KIND],
        per_page=limit * 3,
        any_term=True,
    )
    ids = [hit.subject_id for hit in results.hits]
    if not ids:
        return []
    stmt = (
        select(Topic)
        .options(joinedload(Topic.category))
        .where(Topic.id.in_(ids), visibility.topic_clause(viewer), Topic.hidden_at.is_(None))
    )
    if category is not None:
        stmt = stmt.where(Topic.category_id == category.id)
    found = {topic.id: topic for topic in db.session.scalars(stmt)}
    return [found[i] for i in ids if i in found][:limit]
