"""What moderation may act on in the forums: topics and posts, registered once at import.

"forum_topic" is a topic as a whole (its text is its first post's); "forum_post" is one
post. The Flag link of a first post flags its topic, so a topic is reviewed as one item;
hiding a first post hides its topic either way. Hiding and restoring go through the
forums' own services (``services/moderating.py``), so counters, search entries, the
audit log and the author's notification move the forums' way.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from community.accounts.models import User
from community.core.plain_text import plain_text
from community.extensions import db
from community.forums.models import Post, Topic
from community.forums.services import moderating
from community.forums.services.common import POST_KIND, TOPIC_KIND
from community.moderation import targets
from community.moderation.targets import Target, TargetInfo
from community.reputation.sandbox import count_links

# How many earlier posts of the thread the queue shows above a post.
CONTEXT_POSTS = 3


def _url(endpoint: str, **values: object) -> str:
    """A path on this site, also outside a request (the CLI, a purge, the tests)."""
    if has_request_context():
        return url_for(endpoint, **values)
    adapter = current_app.url_map.bind(
        current_app.config.get("SERVER_NAME") or "localhost",
        script_name=current_app.config.get("APPLICATION_ROOT") or "/",
    )
    return adapter.build(endpoint, values)


def _author_name(user: User | None) -> str:
    return _("deleted user") if user is None or user.is_erased else user.name


def _topic_title(topic: Topic) -> str:
    return _("Topic “%(title)s”", title=topic.title)


def _reply_title(topic: Topic) -> str:
    return _("Reply in “%(title)s”", title=topic.title)


# ---------------------------------------------------------------- loading for the queue


def _context(posts: list[Post]) -> dict[int, tuple[tuple[str, str], ...]]:
    """Up to ``CONTEXT_POSTS`` visible posts before each post of ``posts`` in its thread,
    oldest first, all in one query."""
    # One range per post, each walking the (topic_id, number) index; a row-value IN
    # would not use it on SQLite.
    ranges = [
        and_(
            Post.topic_id == post.topic_id,
            Post.number.between(post.number - CONTEXT_POSTS, post.number - 1),
        )
        for post in posts
        if post.number > 1
    ]
    if not ranges:
        return {}
    earlier = db.session.scalars(
        select(Post)
        .options(joinedload(Post.author))
        .where(or_(*ranges), Post.hidden_at.is_(None))
        .order_by(Post.topic_id, Post.number)
    )
    by_place = {(p.topic_id, p.number): p for p in earlier}
    context = {}
    for post in posts:
        rows = []
        for number in range(max(1, post.number - CONTEXT_POSTS), post.number):
            before = by_place.get((post.topic_id, number))
            if before is not None:
                rows.append((_author_name(before.author), plain_text(before.body_html)))
        context[post.id] = tuple(rows)
    return context


def _post_info(post: Post, context: tuple[tuple[str, str], ...] = ()) -> TargetInfo:
    topic = post.topic
    first = post.number == 1
    return TargetInfo(
        kind=POST_KIND,
        subject_id=post.id,
        author_id=post.author_id,
        title=_topic_title(topic) if first else _reply_title(topic),
        text=plain_text(post.body_html),
        links=count_links(post.body_html),
        url=_url("forums.post", post_id=post.id),
        # Hiding a first post hides its topic: that is its hidden state.
        is_hidden=topic.is_hidden if first else post.is_hidden,
        created_at=post.created_at,
        context=context,
    )


def load_posts(ids: set[int]) -> dict[int, TargetInfo]:
    """The posts of ``ids`` that exist, with their thread context (two queries)."""
    if not ids:
        return {}
    posts = list(
        db.session.scalars(select(Post).options(joinedload(Post.topic)).where(Post.id.in_(ids)))
    )
    context = _context(posts)
    return {post.id: _post_info(post, context.get(post.id, ())) for post in posts}


def load_topics(ids: set[int]) -> dict[int, TargetInfo]:
    """The topics of ``ids`` that exist, each with its first post's text (one query)."""
    if not ids:
        return {}
    firsts = db.session.scalars(
        select(Post).options(joinedload(Post.topic)).where(Post.topic_id.in_(ids), Post.number == 1)
    )
    infos = {}
    for post in firsts:
        topic = post.topic
        infos[topic.id] = TargetInfo(
            kind=TOPIC_KIND,
            subject_id=topic.id,
            author_id=topic.author_id,
            title=_topic_title(topic),
            text=plain_text(post.body_html),
            links=count_links(post.body_html),
            url=_url("forums.topic", topic_id=topic.id, slug=topic.slug),
            is_hidden=topic.is_hidden,
            created_at=topic.created_at,
        )
    return infos


# ---------------------------------------------------------------- hiding and restoring


def _post(post_id: int) -> Post:
    post = db.session.scalar(select(Post).options(joinedload(Post.topic)).where(Post.id == post_id))
    if post is None:
        raise LookupError(f"no forum post {post_id}")
    return post


def _topic(topic_id: int) -> Topic:
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        raise LookupError(f"no forum topic {topic_id}")
    return topic


# An actor of None is the community's weighted flags hiding an item pending review.


def hide_post(actor: User | None, post_id: int, reason: str) -> None:
    moderating.hide_post(actor, _post(post_id), reason, system=actor is None)


def restore_post(actor: User, post_id: int) -> None:
    moderating.restore_post(actor, _post(post_id))


def hide_topic(actor: User | None, topic_id: int, reason: str) -> None:
    moderating.hide_topic(actor, _topic(topic_id), reason, system=actor is None)


def restore_topic(actor: User, topic_id: int) -> None:
    moderating.restore_topic(actor, _topic(topic_id))


def hide_all_topics_by(actor: User, user: User, reason: str) -> int:
    """Hide every visible topic ``user`` started (a spammer purge), with the replies in
    them; returns how many. The author is not notified once per topic."""
    topics = list(
        db.session.scalars(
            select(Topic)
            .where(Topic.author_id == user.id, Topic.hidden_at.is_(None))
            .order_by(Topic.id)
        )
    )
    for topic in topics:
        moderating.hide_topic(actor, topic, reason, tell_author=False)
    return len(topics)


def hide_all_replies_by(actor: User, user: User, reason: str) -> int:
    """Hide every visible reply ``user`` wrote (a spammer purge), in any topic; returns
    how many. The author is not notified once per reply."""
    posts = list(
        db.session.scalars(
            select(Post)
            .options(joinedload(Post.topic))
            .where(Post.author_id == user.id, Post.number > 1, Post.hidden_at.is_(None))
            .order_by(Post.id)
        )
    )
    for post in posts:
        moderating.hide_post(actor, post, reason, tell_author=False)
    return len(posts)


def recent_texts(author_id: int, limit: int) -> list[tuple[dt.datetime, str]]:
    """The member's latest posts (first posts included), newest first, as plain text."""
    rows = db.session.execute(
        select(Post.created_at, Post.body_html)
        .where(Post.author_id == author_id)
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(limit)
    )
    return [(created_at, plain_text(html)) for created_at, html in rows]


# Each kind hides its own part of what a member wrote: topics, then replies.
targets.register(
    TOPIC_KIND,
    Target(
        label=_l("Forum topic"),
        load=load_topics,
        hide=hide_topic,
        restore=restore_topic,
        hide_all_by=hide_all_topics_by,
        recent_texts=recent_texts,
    ),
)
targets.register(
    POST_KIND,
    Target(
        label=_l("Forum post"),
        load=load_posts,
        hide=hide_post,
        restore=restore_post,
        hide_all_by=hide_all_replies_by,
        recent_texts=recent_texts,
    ),
)
