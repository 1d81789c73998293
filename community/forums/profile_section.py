"""A member's forum activity on their profile: how much they wrote and their latest
topics, counting only what the viewer may see."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from community.accounts import profile_sections
from community.extensions import db
from community.forums.models import Post, Topic
from community.forums.services import visibility

RECENT_TOPICS = 5


def activity(user: Any, viewer: Any) -> dict[str, Any]:
    """The member's visible topic and reply counts and latest topics (three queries)."""
    topics = db.session.scalar(
        select(func.count(Topic.id)).where(
            Topic.author_id == user.id, visibility.topic_clause(viewer)
        )
    )
    replies = db.session.scalar(
        select(func.count(Post.id)).where(
            Post.author_id == user.id, Post.number > 1, visibility.post_clause(viewer)
        )
    )
    recent = db.session.scalars(
        select(Topic)
        .options(joinedload(Topic.category))
        .where(Topic.author_id == user.id, visibility.topic_clause(viewer))
        .order_by(Topic.id.desc())
        .limit(RECENT_TOPICS)
    ).all()
    return {"topics": topics or 0, "replies": replies or 0, "recent": recent}


profile_sections.register("forums", "forums/_profile_forums.html", activity, 40)
