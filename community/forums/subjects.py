"""How ledgers (notifications, audit, reputation) link to forum content and who sees it;
and which search scopes a viewer holds. Registered once at import."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import select

from community.core import search, subjects
from community.extensions import db
from community.forums.models import ForumCategory, Post, Topic
from community.forums.services import visibility


def _category_urls(ids: set[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(ForumCategory.id, ForumCategory.slug).where(ForumCategory.id.in_(ids))
    )
    return {i: url_for("forums.category", slug=slug) for i, slug in rows}


def _category_visible(viewer: Any, ids: set[int]) -> set[int]:
    stmt = select(ForumCategory.id).where(
        ForumCategory.id.in_(ids), visibility.category_clause(viewer)
    )
    return set(db.session.scalars(stmt))


def _category_labels(ids: set[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(ForumCategory.id, ForumCategory.name).where(ForumCategory.id.in_(ids))
    )
    return dict(rows.all())


def _topic_urls(ids: set[int]) -> dict[int, str]:
    rows = db.session.execute(select(Topic.id, Topic.slug).where(Topic.id.in_(ids)))
    return {i: url_for("forums.topic", topic_id=i, slug=slug) for i, slug in rows}


def _topic_visible(viewer: Any, ids: set[int]) -> set[int]:
    stmt = select(Topic.id).where(Topic.id.in_(ids), visibility.topic_clause(viewer))
    return set(db.session.scalars(stmt))


def _topic_labels(ids: set[int]) -> dict[int, str]:
    return dict(db.session.execute(select(Topic.id, Topic.title).where(Topic.id.in_(ids))).all())


def _post_urls(ids: set[int]) -> dict[int, str]:
    return {i: url_for("forums.post", post_id=i) for i in ids}


def _post_visible(viewer: Any, ids: set[int]) -> set[int]:
    stmt = select(Post.id).where(Post.id.in_(ids), visibility.post_clause(viewer))
    return set(db.session.scalars(stmt))


def _post_labels(ids: set[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(Post.id, Topic.title).join(Topic, Post.topic_id == Topic.id).where(Post.id.in_(ids))
    )
    return dict(rows.all())


subjects.register("forum_category", _category_urls, _category_visible, _category_labels)
subjects.register("forum_topic", _topic_urls, _topic_visible, _topic_labels)
subjects.register("forum_post", _post_urls, _post_visible, _post_labels)
search.register_scopes(visibility.focus_scopes)
