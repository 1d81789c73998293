"""Recompute every stored forum counter from the rows, report the drifts, fix them.

Each check is a handful of set-based statements (aggregate, join, compare; then one
``UPDATE ... FROM``), never a Python loop over posts, so it runs on a million posts.
What each counter means is written once here, and is what the services keep moving:

- topic ``post_count``: its visible posts (the first included); ``reaction_count``:
  reactions on its visible posts; ``highest_number``: the largest post number;
  ``last_post_id``/``last_poster_id``/``last_posted_at``: its visible post with the
  highest number (left alone while it has no visible post);
- post ``reaction_count`` and ``PostReactionCount``: all reactions on the post;
- category ``topic_count``: visible topics; ``post_count``: visible posts in visible
  topics; ``last_topic_id``/``last_posted_at``: the visible topic with the latest
  ``last_posted_at`` (checked after the topics, so a fix builds on fixed topics);
- tag ``topic_count``: visible topics carrying the tag.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Subquery,
    and_,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)

from community.extensions import db
from community.forums.models import (
    ForumCategory,
    Post,
    PostReactionCount,
    Reaction,
    Tag,
    Topic,
    TopicTag,
)

# Drifts listed one by one per check; beyond that a summary line says how many more.
MAX_EXAMPLES = 20


@dataclass(frozen=True)
class _Check:
    """Stored columns of one table against values computed for every row."""

    noun: str  # "topic", "post", ...
    model: Any
    # the computed values: a subquery with "id", "label" and one column per stored column
    computed: Subquery
    columns: Sequence[str]


def _differs(stored: ColumnElement[Any], counted: ColumnElement[Any]) -> ColumnElement[bool]:
    return stored.is_distinct_from(counted)


def _run(check: _Check, fix: bool) -> list[str]:
    model, computed = check.model, check.computed
    table = model.__table__
    condition = or_(*(_differs(table.c[name], computed.c[name]) for name in check.columns))
    drift = (
        select(
            table.c.id,
            computed.c.label,
            *(table.c[name].label(f"stored_{name}") for name in check.columns),
            *(computed.c[name].label(f"counted_{name}") for name in check.columns),
        )
        .join(computed, computed.c.id == table.c.id)
        .where(condition)
    )
    total = db.session.scalar(select(func.count()).select_from(drift.subquery())) or 0
    if not total:
        return []
    lines: list[str] = []
    for row in db.session.execute(drift.order_by(table.c.id).limit(MAX_EXAMPLES)).mappings():
        for name in check.columns:
            stored, counted = row[f"stored_{name}"], row[f"counted_{name}"]
            if stored != counted:
                lines.append(
                    f"{check.noun} {row['label']} {name}: stored {_show(stored)}, "
                    f"counted {_show(counted)}"
                )
    if total > MAX_EXAMPLES:
        lines.append(f"... and {total - MAX_EXAMPLES} more {check.noun}s with drift")
    if fix:
        wrong = drift.subquery()
        db.session.execute(
            update(table)
            .where(table.c.id == wrong.c.id)
            .values({name: wrong.c[f"counted_{name}"] for name in check.columns}),
            execution_options={"synchronize_session": False},
        )
    return lines


def _show(value: Any) -> str:
    if value is None:
        return "nothing"
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ", timespec="seconds")
    return str(value)


# ---------------------------------------------------------------- what each counter is


def _count_by(key: ColumnElement[Any], *where: ColumnElement[bool], join=None) -> Subquery:
    stmt = select(key.label("key"), func.count().label("n"))
    if join is not None:
        stmt = stmt.select_from(join)
    return stmt.where(*where).group_by(key).subquery()


def _topic_counts() -> _Check:
    visible_posts = _count_by(Post.topic_id, Post.hidden_at.is_(None))
    all_numbers = (
        select(Post.topic_id.label("key"), func.max(Post.number).label("n"))
        .group_by(Post.topic_id)
        .subquery()
    )
    reactions = _count_by(
        Post.topic_id,
        Post.hidden_at.is_(None),
        join=Reaction.__table__.join(Post.__table__, Post.id == Reaction.post_id),
    )
    computed = (
        select(
            Topic.id.label("id"),
            Topic.id.label("label"),
            func.coalesce(visible_posts.c.n, 0).label("post_count"),
            func.coalesce(reactions.c.n, 0).label("reaction_count"),
            func.coalesce(all_numbers.c.n, 0).label("highest_number"),
        )
        .outerjoin(visible_posts, visible_posts.c.key == Topic.id)
        .outerjoin(reactions, reactions.c.key == Topic.id)
        .outerjoin(all_numbers, all_numbers.c.key == Topic.id)
        .subquery()
    )
    return _Check("topic", Topic, computed, ("post_count", "reaction_count", "highest_number"))


def _topic_last_post() -> _Check:
    last_number = (
        select(Post.topic_id.label("key"), func.max(Post.number).label("n"))
        .where(Post.hidden_at.is_(None))
        .group_by(Post.topic_id)
        .subquery()
    )
    last = Post.__table__.alias("last_post")
    computed = (
        select(
            Topic.id.label("id"),
            Topic.id.label("label"),
            last.c.id.label("last_post_id"),
            last.c.author_id.label("last_poster_id"),
            last.c.created_at.label("last_posted_at"),
        )
        .join(last_number, last_number.c.key == Topic.id)
        .join(last, and_(last.c.topic_id == Topic.id, last.c.number == last_number.c.n))
        .subquery()
    )
    return _Check("topic", Topic, computed, ("last_post_id", "last_poster_id", "last_posted_at"))


def _post_counts() -> _Check:
    reactions = _count_by(Reaction.post_id)
    computed = (
        select(
            Post.id.label("id"),
            Post.id.label("label"),
            func.coalesce(reactions.c.n, 0).label("reaction_count"),
        )
        .outerjoin(reactions, reactions.c.key == Post.id)
        .subquery()
    )
    return _Check("post", Post, computed, ("reaction_count",))


def _category_counts() -> _Check:
    topics = _count_by(Topic.category_id, Topic.hidden_at.is_(None))
    posts = _count_by(
        Topic.category_id,
        Topic.hidden_at.is_(None),
        Post.hidden_at.is_(None),
        join=Post.__table__.join(Topic.__table__, Topic.id == Post.topic_id),
    )
    computed = (
        select(
            ForumCategory.id.label("id"),
            ForumCategory.slug.label("label"),
            func.coalesce(topics.c.n, 0).label("topic_count"),
            func.coalesce(posts.c.n, 0).label("post_count"),
        )
        .outerjoin(topics, topics.c.key == ForumCategory.id)
        .outerjoin(posts, posts.c.key == ForumCategory.id)
        .subquery()
    )
    return _Check("category", ForumCategory, computed, ("topic_count", "post_count"))


def _category_last_topic() -> _Check:
    # Categories are few: one indexed look-up each for their latest visible topic.
    latest = (
        select(Topic.id)
        .where(Topic.category_id == ForumCategory.id, Topic.hidden_at.is_(None))
        .order_by(Topic.last_posted_at.desc(), Topic.id.desc())
        .limit(1)
        .correlate(ForumCategory)
        .scalar_subquery()
    )
    by_category = select(ForumCategory.id, ForumCategory.slug, latest.label("topic_id")).subquery(
        "latest"
    )
    computed = (
        select(
            by_category.c.id.label("id"),
            by_category.c.slug.label("label"),
            by_category.c.topic_id.label("last_topic_id"),
            Topic.last_posted_at.label("last_posted_at"),
        )
        .outerjoin(Topic, Topic.id == by_category.c.topic_id)
        .subquery()
    )
    return _Check("category", ForumCategory, computed, ("last_topic_id", "last_posted_at"))


def _tag_counts() -> _Check:
    topics = _count_by(
        TopicTag.tag_id,
        Topic.hidden_at.is_(None),
        join=TopicTag.__table__.join(Topic.__table__, Topic.id == TopicTag.topic_id),
    )
    computed = (
        select(
            Tag.id.label("id"),
            Tag.name.label("label"),
            func.coalesce(topics.c.n, 0).label("topic_count"),
        )
        .outerjoin(topics, topics.c.key == Tag.id)
        .subquery()
    )
    return _Check("tag", Tag, computed, ("topic_count",))


def _reaction_counts(fix: bool) -> list[str]:
    """PostReactionCount against the reactions: wrong or missing rows, and stored
    counts for reactions nobody gave (any more)."""
    stored = PostReactionCount.__table__
    counted = (
        select(Reaction.post_id, Reaction.name, func.count().label("n"))
        .group_by(Reaction.post_id, Reaction.name)
        .subquery("counted")
    )
    key = and_(stored.c.post_id == counted.c.post_id, stored.c.name == counted.c.name)
    # Counted reactions whose stored row is missing or wrong.
    wrong = (
        select(counted.c.post_id, counted.c.name, stored.c.count.label("stored"), counted.c.n)
        .select_from(counted.outerjoin(stored, key))
        .where(or_(stored.c.count.is_(None), stored.c.count != counted.c.n))
    )
    # Stored counts above zero with no reaction behind them.
    orphans = (
        select(stored.c.post_id, stored.c.name, stored.c.count.label("stored"), literal(0))
        .select_from(stored.outerjoin(counted, key))
        .where(counted.c.n.is_(None), stored.c.count != 0)
    )
    lines: list[str] = []
    total = 0
    for stmt in (wrong, orphans):
        total += db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        for post_id, name, was, n in db.session.execute(
            stmt.order_by(stmt.selected_columns[0], stmt.selected_columns[1]).limit(MAX_EXAMPLES)
        ):
            lines.append(f"post {post_id} reactions {name!r}: stored {_show(was)}, counted {n}")
    if total > len(lines):
        lines.append(f"... and {total - len(lines)} more post reaction counts with drift")
    if fix and total:
        missing = (
            select(counted.c.post_id, counted.c.name, counted.c.n)
            .select_from(counted.outerjoin(stored, key))
            .where(stored.c.count.is_(None))
        )
        db.session.execute(
            insert(stored).from_select(["post_id", "name", "count"], missing),
            execution_options={"synchronize_session": False},
        )
        db.session.execute(
            update(stored).where(key, stored.c.count != counted.c.n).values(count=counted.c.n),
            execution_options={"synchronize_session": False},
        )
        db.session.execute(
            update(stored)
            .where(
                stored.c.count != 0,
                ~select(Reaction.post_id)
                .where(Reaction.post_id == stored.c.post_id, Reaction.name == stored.c.name)
                .exists(),
            )
            .values(count=0),
            execution_options={"synchronize_session": False},
        )
    return lines


def recount(fix: bool = False) -> list[str]:
    """Every stored forum counter that differs from what the rows say, one line each
    (examples, then a summary per check); with ``fix`` the stored values are corrected in
    the current transaction (the caller commits). Empty when everything is right."""
    lines: list[str] = []
    for make in (_topic_counts, _topic_last_post, _post_counts):
        lines += _run(make(), fix)
    lines += _reaction_counts(fix)
    for make in (_category_counts, _category_last_topic, _tag_counts):
        lines += _run(make(), fix)
    if fix and lines:
        # The ORM may hold the old values of rows just corrected.
        db.session.expire_all()
    return lines
