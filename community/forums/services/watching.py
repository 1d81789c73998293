"""Watching, tracking and muting topics and categories, and who hears about a new post.

A member's level in a topic is the one they chose for the topic, else the one they chose
for its category, else NORMAL. ``after_post`` and ``after_edit`` turn a post into at most
one notification per member: never to its author, never to someone who cannot see the
topic, never to a member who muted it. Mentions are remembered in ``PostMention``, so an
edit never notifies the same member of the same post twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, null, or_, select, union_all, update

from community.accounts.models import User
from community.accounts.services import in_language_of
from community.core.db import insert_ignore
from community.core.errors import InvalidInput, PermissionDenied
from community.extensions import db
from community.forums import policy
from community.forums.models import (
    CategoryUser,
    ForumCategory,
    Level,
    Post,
    PostMention,
    Topic,
    TopicUser,
)
from community.forums.services import common, visibility
from community.notifications.services import notify

MENTION = "forum_mention"
REPLY = "forum_reply"
NEW_TOPIC = "forum_new_topic"


# ---------------------------------------------------------------- levels


def _check_level(level: Any) -> Level:
    try:
        return Level(int(level))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(_("Choose a notification level."), field="level") from exc


def _check_member(user: Any) -> None:
    if not policy.is_signed_in(user):
        raise PermissionDenied(_("Please sign in to follow topics."))


def set_topic_level(user: User, topic: Topic, level: Level | int) -> Level:
    """Store the member's level for ``topic``; it overrides their category level."""
    _check_member(user)
    level = _check_level(level)
    insert_ignore(TopicUser, topic_id=topic.id, user_id=user.id, level=None, last_read_number=0)
    db.session.execute(
        update(TopicUser)
        .where(TopicUser.topic_id == topic.id, TopicUser.user_id == user.id)
        .values(level=int(level))
    )
    return level


def set_category_level(user: User, category: ForumCategory, level: Level | int) -> Level:
    """Store the member's level for every topic of ``category`` that has none of its own."""
    _check_member(user)
    level = _check_level(level)
    insert_ignore(CategoryUser, category_id=category.id, user_id=user.id, level=int(level))
    db.session.execute(
        update(CategoryUser)
        .where(CategoryUser.category_id == category.id, CategoryUser.user_id == user.id)
        .values(level=int(level))
    )
    return level


def category_level(user: Any, category: ForumCategory) -> Level:
    """The member's level for ``category`` (NORMAL when unset or signed out)."""
    if not policy.is_signed_in(user):
        return Level.NORMAL
    level = db.session.scalar(
        select(CategoryUser.level).where(
            CategoryUser.category_id == category.id, CategoryUser.user_id == user.id
        )
    )
    return Level.NORMAL if level is None else Level(level)


def topic_level(user: Any, topic: Topic) -> Level:
    """The member's level for ``topic``: their topic level, else their category level,
    else NORMAL (also for visitors who are not signed in). One query."""
    if not policy.is_signed_in(user):
        return Level.NORMAL
    row = db.session.execute(
        select(TopicUser.level, CategoryUser.level)
        .select_from(Topic)
        .outerjoin(TopicUser, and_(TopicUser.topic_id == Topic.id, TopicUser.user_id == user.id))
        .outerjoin(
            CategoryUser,
            and_(
                CategoryUser.category_id == Topic.category_id,
                CategoryUser.user_id == user.id,
            ),
        )
        .where(Topic.id == topic.id)
    ).first()
    if row is None:
        return Level.NORMAL
    return effective_level(row[0], row[1])


def effective_level(topic_level: int | None, category_level: int | None) -> Level:
    """The level that applies: the topic's own, else the category's, else NORMAL."""
    if topic_level is not None:
        return Level(topic_level)
    if category_level is not None:
        return Level(category_level)
    return Level.NORMAL


def _levels(topic: Topic, user_ids: set[int]) -> dict[int, Level]:
    """Effective levels in ``topic`` of the given members and of every member watching it
    (by topic or by category): one query, however many there are."""
    ids = sorted(user_ids)
    watching = int(Level.WATCHING)
    # (member, level in the topic, level in the category): the topic's rows, then the
    # category's with the member's topic level beside it.
    in_topic = select(TopicUser.user_id, TopicUser.level, null().label("category_level")).where(
        TopicUser.topic_id == topic.id,
        TopicUser.level.is_not(None),
        or_(TopicUser.level == watching, TopicUser.user_id.in_(ids)),
    )
    in_category = (
        select(CategoryUser.user_id, TopicUser.level, CategoryUser.level)
        .outerjoin(
            TopicUser,
            and_(TopicUser.topic_id == topic.id, TopicUser.user_id == CategoryUser.user_id),
        )
        .where(
            CategoryUser.category_id == topic.category_id,
            or_(CategoryUser.level == watching, CategoryUser.user_id.in_(ids)),
        )
    )
    topic_levels: dict[int, int] = {}
    category_levels: dict[int, int] = {}
    for user_id, level_in_topic, level_in_category in db.session.execute(
        union_all(in_topic, in_category)
    ):
        if level_in_topic is not None:
            topic_levels[user_id] = level_in_topic
        if level_in_category is not None:
            category_levels[user_id] = level_in_category
    everyone = set(ids) | set(topic_levels) | set(category_levels)
    return {u: effective_level(topic_levels.get(u), category_levels.get(u)) for u in everyone}


# ---------------------------------------------------------------- notifications


def after_post(post: Post, mentions: Iterable[str] | None = None) -> int:
    """Notify about a new post: mentioned members ("forum_mention"), the author of the
    post it replies to (or of the topic, for a plain reply) and the topic's watchers
    ("forum_reply"), or the category's watchers for a new topic ("forum_new_topic").
    One notification per member; returns how many were sent. ``mentions``: the
    usernames its rendering found, when the caller has them (else it is rendered)."""
    mentioned = _mentioned_users(post, mentions)
    return _notify(post, mentioned, skip=set(), with_followers=True)


def after_edit(post: Post, mentioned_before: set[int]) -> int:
    """Notify the members an edit newly mentions (never one already notified of a
    mention in this post, nor one in ``mentioned_before``); returns how many."""
    mentioned = _mentioned_users(post)
    return _notify(post, mentioned, skip=set(mentioned_before), with_followers=False)


def mentioned_user_ids(post: Post) -> set[int]:
    """The ids of the existing members the post's text mentions (for ``after_edit``)."""
    return {user.id for user in _mentioned_users(post)}


def _mentioned_users(post: Post, mentions: Iterable[str] | None = None) -> list[User]:
    names = common.render_body(post.body_source).mentions if mentions is None else mentions
    if not names:
        return []
    return list(
        db.session.scalars(
            select(User).where(User.username_key.in_(sorted(names)), User.erased_at.is_(None))
        )
    )


def _notify(post: Post, mentioned: list[User], skip: set[int], with_followers: bool) -> int:
    topic = db.session.get(Topic, post.topic_id)
    assert topic is not None
    category = db.session.get(ForumCategory, topic.category_id)
    assert category is not None
    author = db.session.get(User, post.author_id)
    assert author is not None

    # Who gets which kind: a mention beats a reply, a reply beats a followed topic.
    kinds: dict[int, str] = {}
    already = _already_mentioned(post, [u.id for u in mentioned])
    for user in mentioned:
        if user.id not in skip and user.id not in already:
            kinds.setdefault(user.id, MENTION)
    if with_followers:
        replied_to = _replied_to_author(post, topic)
        if replied_to is not None:
            kinds.setdefault(replied_to, REPLY)
    kinds.pop(post.author_id, None)

    levels = _levels(topic, set(kinds))
    if with_followers:
        follower_kind = NEW_TOPIC if post.number == 1 else REPLY
        for user_id, level in levels.items():
            if level == Level.WATCHING:
                kinds.setdefault(user_id, follower_kind)
        kinds.pop(post.author_id, None)
    kinds = {u: k for u, k in kinds.items() if levels.get(u, Level.NORMAL) != Level.MUTED}
    if not kinds:
        return 0

    users = _load_users(kinds, mentioned)
    sent = 0
    newly_mentioned: list[int] = []
    for user_id, kind in sorted(kinds.items()):
        user = users.get(user_id)
        if user is None or not _can_see(user, post, topic):
            continue
        subject = topic if kind == NEW_TOPIC else post
        with in_language_of(user):
            text = _text(kind, author, topic, category)
        if notify(user, kind, subject, text, seen_checked=True) is not None:
            sent += 1
            if kind == MENTION:
                newly_mentioned.append(user_id)
    for user_id in newly_mentioned:
        insert_ignore(PostMention, post_id=post.id, user_id=user_id)
    return sent


def _already_mentioned(post: Post, user_ids: list[int]) -> set[int]:
    if not user_ids:
        return set()
    return set(
        db.session.scalars(
            select(PostMention.user_id).where(
                PostMention.post_id == post.id, PostMention.user_id.in_(user_ids)
            )
        )
    )


def _replied_to_author(post: Post, topic: Topic) -> int | None:
    """Whose post this one answers: the post it replies to, else (a plain reply) the
    topic's author. None for a first post."""
    if post.number == 1:
        return None
    if post.reply_to_post_id is None:
        return topic.author_id
    return db.session.scalar(
        select(Post.author_id).where(Post.id == post.reply_to_post_id, Post.topic_id == topic.id)
    )


def _load_users(kinds: dict[int, str], mentioned: Iterable[User]) -> dict[int, User]:
    users = {u.id: u for u in mentioned if u.id in kinds}
    missing = [u for u in kinds if u not in users]
    if missing:
        users.update(
            (u.id, u) for u in db.session.scalars(select(User).where(User.id.in_(missing)))
        )
    return users


def _can_see(user: User, post: Post, topic: Topic) -> bool:
    if user.is_erased:
        return False
    if post.is_hidden and not policy.can_see_hidden(user, post.author_id):
        return False
    return visibility.can_see_topic(user, topic)


def _text(kind: str, author: User, topic: Topic, category: ForumCategory) -> str:
    name = author.name
    if kind == MENTION:
        return _("%(name)s mentioned you in “%(title)s”", name=name, title=topic.title)
    if kind == NEW_TOPIC:
        return _(
            "%(name)s started “%(title)s” in %(category)s",
            name=name,
            title=topic.title,
            category=category.name,
        )
    return _("%(name)s replied in “%(title)s”", name=name, title=topic.title)
