"""What the forums hold about a member, for their data export, and what erasing their
account removes. Registered with accounts at import."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select

from community.accounts import services as accounts
from community.accounts.models import User
from community.extensions import db
from community.forums.models import (
    CategoryUser,
    FocusGroupMember,
    ForumCategory,
    ForumVisit,
    Level,
    Post,
    PostMention,
    PostRevision,
    Reaction,
    Topic,
    TopicUser,
)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _level(value: int | None) -> str | None:
    return Level(value).name.lower() if value is not None else None


def export(user: User) -> dict[str, Any]:
    """Everything the forums hold about ``user``: topics, posts (with their Markdown),
    reactions given, revisions written, watch levels, focus groups and the last visit."""
    topics = db.session.execute(
        select(Topic.id, Topic.title, Topic.created_at, Topic.hidden_at, ForumCategory.slug)
        .join(ForumCategory, Topic.category_id == ForumCategory.id)
        .where(Topic.author_id == user.id)
        .order_by(Topic.id)
    )
    posts = db.session.execute(
        select(
            Post.id,
            Post.topic_id,
            Post.number,
            Post.reply_to_post_id,
            Post.body_source,
            Post.created_at,
            Post.edited_at,
            Post.hidden_at,
        )
        .where(Post.author_id == user.id)
        .order_by(Post.id)
    )
    reactions = db.session.execute(
        select(Reaction.post_id, Reaction.name, Reaction.created_at)
        .where(Reaction.user_id == user.id)
        .order_by(Reaction.created_at, Reaction.post_id)
    )
    revisions = db.session.execute(
        select(
            PostRevision.post_id,
            PostRevision.number,
            PostRevision.title,
            PostRevision.body_source,
            PostRevision.reverted_from,
            PostRevision.created_at,
        )
        .where(PostRevision.editor_id == user.id)
        .order_by(PostRevision.id)
    )
    topic_states = db.session.execute(
        select(TopicUser.topic_id, TopicUser.level, TopicUser.last_read_number)
        .where(TopicUser.user_id == user.id)
        .order_by(TopicUser.topic_id)
    )
    category_levels = db.session.execute(
        select(ForumCategory.slug, CategoryUser.level)
        .join(ForumCategory, CategoryUser.category_id == ForumCategory.id)
        .where(CategoryUser.user_id == user.id)
        .order_by(ForumCategory.slug)
    )
    focus_groups = db.session.execute(
        select(ForumCategory.slug, FocusGroupMember.created_at)
        .join(ForumCategory, FocusGroupMember.category_id == ForumCategory.id)
        .where(FocusGroupMember.user_id == user.id)
        .order_by(ForumCategory.slug)
    )
    visit = db.session.get(ForumVisit, user.id)
    return {
        "topics": [
            {
                "id": t.id,
                "category": t.slug,
                "title": t.title,
                "created_at": _iso(t.created_at),
                "hidden_at": _iso(t.hidden_at),
            }
            for t in topics
        ],
        "posts": [
            {
                "id": p.id,
                "topic_id": p.topic_id,
                "number": p.number,
                "reply_to_post_id": p.reply_to_post_id,
                "body": p.body_source,
                "created_at": _iso(p.created_at),
                "edited_at": _iso(p.edited_at),
                "hidden_at": _iso(p.hidden_at),
            }
            for p in posts
        ],
        "reactions": [
            {"post_id": r.post_id, "reaction": r.name, "created_at": _iso(r.created_at)}
            for r in reactions
        ],
        "revisions": [
            {
                "post_id": r.post_id,
                "number": r.number,
                "title": r.title,
                "body": r.body_source,
                "reverted_from": r.reverted_from,
                "created_at": _iso(r.created_at),
            }
            for r in revisions
        ],
        "topic_levels": [
            {"topic_id": s.topic_id, "level": _level(s.level), "last_read": s.last_read_number}
            for s in topic_states
        ],
        "category_levels": [
            {"category": c.slug, "level": _level(c.level)} for c in category_levels
        ],
        "focus_groups": [
            {"category": f.slug, "member_since": _iso(f.created_at)} for f in focus_groups
        ],
        "last_visit": _iso(visit.last_seen_at) if visit is not None else None,
    }


def erase(user: User) -> None:
    """Forget what only concerned ``user`` (read state, watch levels, visits, focus-group
    memberships, mention receipts); their topics, posts and reactions stay, so threads read
    on and every count stays right, and they show under the anonymised name."""
    for model in (TopicUser, CategoryUser, ForumVisit, FocusGroupMember, PostMention):
        db.session.execute(
            delete(model).where(model.user_id == user.id),
            execution_options={"synchronize_session": "fetch"},
        )


accounts.register_exporter("forums", export)
accounts.register_eraser(erase)
