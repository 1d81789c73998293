"""Recompute every stored forum counter from the rows, report the drifts, fix them.

Each check is a handful of set-based statements (aggregate, join, compare; then one
``UPDATE ... FROM``), never a Python loop over posts, so it runs on a million posts.
What each counter means is written once here, and is what the services keep moving
(``community.core.recount`` compares, reports and fixes):

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

from sqlalchemy import and_, func, insert, literal, or_, select, update

from community.core.recount import (
    MAX_EXAMPLES,
    Check,
    count_by,
    count_check,
    count_rows,
    drift_line,
    more,
    run_all,
    write,
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


def _topic_counts() -> Check:
    visible_posts = count_by(Post.topic_id, Post.hidden_at.is_(None))
    all_numbers = (
        select(Post.topic_id.label("key"), func.max(Post.number).label("n"))
        .group_by(Post.topic_id)
        .subquery()
    )
    reactions = count_by(
        Post.topic_id,
        Post.hidden_at.is_(None),
        join=Reaction.__table__.join(Post.__table__, Post.id == Reaction.post_id),
    )
    counts = {
        "post_count": visible_posts,
        "reaction_count": reactions,
        "highest_number": all_numbers,
    }
    return count_check("topic", Topic, Topic.id, counts)


def _topic_last_post() -> Check:
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
    return Check("topic", Topic, computed, ("last_post_id", "last_poster_id", "last_posted_at"))


def _post_counts() -> Check:
    return count_check("post", Post, Post.id, {"reaction_count": count_by(Reaction.post_id)})


def _category_counts() -> Check:
    topics = count_by(Topic.category_id, Topic.hidden_at.is_(None))
    posts = count_by(
        Topic.category_id,
        Topic.hidden_at.is_(None),
        Post.hidden_at.is_(None),
        join=Post.__table__.join(Topic.__table__, Topic.id == Post.topic_id),
    )
    counts = {"topic_count": topics, "post_count": posts}
    return count_check("category", ForumCategory, ForumCategory.slug, counts)


def _category_last_topic() -> Check:
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
    return Check("category", ForumCategory, computed, ("last_topic_id", "last_posted_at"))


def _tag_counts() -> Check:
    topics = count_by(
        TopicTag.tag_id,
        Topic.hidden_at.is_(None),
        join=TopicTag.__table__.join(Topic.__table__, Topic.id == TopicTag.topic_id),
    )
    return count_check("tag", Tag, Tag.name, {"topic_count": topics})


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
        total += count_rows(stmt)
        for post_id, name, was, n in db.session.execute(
            stmt.order_by(stmt.selected_columns[0], stmt.selected_columns[1]).limit(MAX_EXAMPLES)
        ):
            lines.append(drift_line("post", post_id, f"reactions {name!r}", was, n))
    lines += more("post reaction counts", total, len(lines))
    if fix and total:
        missing = (
            select(counted.c.post_id, counted.c.name, counted.c.n)
            .select_from(counted.outerjoin(stored, key))
            .where(stored.c.count.is_(None))
        )
        write(insert(stored).from_select(["post_id", "name", "count"], missing))
        write(update(stored).where(key, stored.c.count != counted.c.n).values(count=counted.c.n))
        write(
            update(stored)
            .where(
                stored.c.count != 0,
                ~select(Reaction.post_id)
                .where(Reaction.post_id == stored.c.post_id, Reaction.name == stored.c.name)
                .exists(),
            )
            .values(count=0)
        )
    return lines


def recount(fix: bool = False) -> list[str]:
    """Every stored forum counter that differs from what the rows say, one line each
    (examples, then a summary per check); with ``fix`` the stored values are corrected in
    the current transaction (the caller commits). Empty when everything is right."""
    return run_all(
        (
            _topic_counts(),
            _topic_last_post(),
            _post_counts(),
            _reaction_counts,
            _category_counts(),
            _category_last_topic(),
            _tag_counts(),
        ),
        fix,
    )
