"""Forum test data through the real services (counters, search and watching included)."""

from __future__ import annotations

import itertools
from typing import Any

from community.accounts.models import User
from community.extensions import db
from community.forums.models import CategoryKind, ForumCategory, Post, Topic
from community.forums.services import categories, topics
from tests.factories import make_user

_seq = itertools.count(1)


def _team() -> User:
    return make_user(role="team")


def make_category(**overrides: Any) -> ForumCategory:
    """A public discussion category (or what the overrides say), made by a team member."""
    n = next(_seq)
    actor = overrides.pop("actor", None) or _team()
    category = categories.create_category(
        actor,
        name=overrides.pop("name", f"Category {n}"),
        slug=overrides.pop("slug", f"category-{n}"),
        description=overrides.pop("description", "About things."),
        kind=overrides.pop("kind", CategoryKind.DISCUSSION.value),
        is_private=overrides.pop("is_private", False),
        product_id=overrides.pop("product_id", None),
        position=overrides.pop("position", n),
    )
    assert not overrides, f"unknown overrides {overrides}"
    db.session.flush()
    return category


def make_topic(
    category: ForumCategory | None = None,
    author: User | None = None,
    title: str | None = None,
    body: str = "The first post of this topic.",
    tags: tuple[str, ...] = (),
) -> Topic:
    n = next(_seq)
    category = category or make_category()
    author = author or make_user()
    topic = topics.create_topic(author, category, title or f"Topic number {n}", body, tags=tags)
    db.session.flush()
    return topic


def make_reply(topic: Topic, author: User | None = None, body: str | None = None, **kw) -> Post:
    author = author or make_user()
    post = topics.reply(author, topic, body or f"Reply {next(_seq)}", **kw)
    db.session.flush()
    return post
