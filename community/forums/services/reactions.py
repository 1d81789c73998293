"""Reactions on posts: one per member per post, never on one's own post.

Every count moves by SQL arithmetic in the reacting transaction: the post's total, its
per-reaction count (``PostReactionCount``) and the topic's total (reactions on visible
posts, which "top" sorts by). Positive reactions give the post's author "post kudos";
taking one back, or changing it to a reaction that is not positive, reverses them.
"""

from __future__ import annotations

import functools
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Integer, String, bindparam, delete, exists, select, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from community.accounts.models import User
from community.accounts.services.lifecycle import register_vote_reverser
from community.core.db import (
    BigId,
    UTCDateTime,
    counter_move,
    dialect_insert,
    dialect_name,
    prepared,
    run_together,
    together,
    utcnow,
)
from community.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from community.extensions import db
from community.forums import policy
from community.forums.models import (
    ForumCategory,
    Post,
    PostReactionCount,
    Reaction,
    ReactionType,
    Topic,
)
from community.forums.services import common, visibility
from community.moderation.services.penalties import check_can_write
from community.reputation import services as reputation

KUDOS = "post_kudos"


# ---------------------------------------------------------------- reacting


def _load(user: Any, post: Post) -> tuple[Topic, ForumCategory]:
    """The post's topic and category, or NotFound when the user may not see the post."""
    topic = db.session.get(Topic, post.topic_id)
    category = db.session.get(ForumCategory, topic.category_id) if topic else None
    if topic is None or category is None or not visibility.can_see_post(user, post):
        raise NotFound(_("No such post."))
    return topic, category


def _active_type(name: Any) -> ReactionType:
    reaction_type = db.session.get(ReactionType, name) if isinstance(name, str) else None
    if reaction_type is None or not reaction_type.is_active:
        raise InvalidInput(_("There is no such reaction."), field="name")
    return reaction_type


def _insert_reaction(
    post: Post, user_id: int, name: Any
) -> tuple[bool, Reaction | None, int | None]:
    """Check that ``name`` is a reaction on offer and insert the member's reaction, and
    when it is new move the counts (``_move_counts``): whether it is a positive one, the
    new row (None when they have one on the post already) and, where the statement could
    tell it, the reaction's new count on the post. InvalidInput when there is no such
    active reaction.

    On PostgreSQL the check, the insert and the counts are one statement (reacting is one
    of the busiest writes); SQLite, in-process, runs them one after the other."""
    if not isinstance(name, str):
        raise InvalidInput(_("There is no such reaction."), field="name")
    values = {"post_id": post.id, "user_id": user_id, "name": name, "created_at": utcnow()}
    params = {f"r_{column}": value for column, value in values.items()}
    moved = None
    if dialect_name() == "postgresql":
        params["r_topic"] = post.topic_id
        checked = db.session.execute(_checked_reaction_insert(), params).first()
        if checked is None:
            raise InvalidInput(_("There is no such reaction."), field="name")
        is_positive, inserted, total, moved = checked
        if inserted:
            set_committed_value(post, "reaction_count", total)
    else:
        is_positive = _active_type(name).is_positive
        inserted = run_together(_reaction_insert(), params).first() is not None
        if inserted:
            moved = _move_counts(post, {name: +1}, topic_too=True)
    if not inserted:
        return is_positive, None, None
    reaction = Reaction(**values)
    make_transient_to_detached(reaction)  # the row exists: attach it without a query
    db.session.add(reaction)
    return is_positive, reaction, moved


def _reaction_values() -> dict[str, Any]:
    return {
        "post_id": bindparam("r_post_id", type_=BigId),
        "user_id": bindparam("r_user_id", type_=BigId),
        "name": bindparam("r_name", type_=String()),
        "created_at": bindparam("r_created_at", type_=UTCDateTime()),
    }


@prepared
def _reaction_insert() -> tuple[Any, ...]:
    table = Reaction.__table__
    insert = dialect_insert(table).values(**_reaction_values())
    return together(insert.on_conflict_do_nothing().returning(table.c.post_id))


@prepared
def _checked_reaction_insert() -> Any:
    """PostgreSQL: ``(is_positive, inserted, post total, reaction count)`` of the active
    reaction ``r_name``, whose row for the member is inserted unless they have one, with
    the post's, its topic's (``r_topic``) and the reaction's counts moved by one when it
    was (the totals are NULL when not); no row when the reaction is not offered."""
    types, table = ReactionType.__table__, Reaction.__table__
    values = _reaction_values()
    offered = (
        select(types.c.name, types.c.is_positive)
        .where(types.c.name == values["name"], types.c.is_active.is_(True))
        .cte("offered")
    )
    rows = select(values["post_id"], values["user_id"], offered.c.name, values["created_at"])
    inserted = (
        dialect_insert(table)
        .from_select(["post_id", "user_id", "name", "created_at"], rows)
        .on_conflict_do_nothing()
        .returning(table.c.post_id)
        .cte("inserted")
    )
    is_new = exists(select(inserted.c.post_id))
    counts = PostReactionCount.__table__
    moved = (
        counter_move(
            PostReactionCount, "count", 1, is_new, post_id=values["post_id"], name=values["name"]
        )
        .returning(counts.c["count"])
        .cte("moved")
    )
    topics, posts = Topic.__table__, Post.__table__
    topic_total = (
        update(topics)
        .where(topics.c.id == bindparam("r_topic", type_=BigId), is_new)
        .values(reaction_count=topics.c.reaction_count + 1)
        .cte("topic_total")
    )
    post_total = (
        update(posts)
        .where(posts.c.id == values["post_id"], is_new)
        .values(reaction_count=posts.c.reaction_count + 1)
        .returning(posts.c.reaction_count)
        .cte("post_total")
    )
    return (
        select(
            offered.c.is_positive,
            is_new,
            select(post_total.c.reaction_count).scalar_subquery(),
            select(moved.c["count"]).scalar_subquery(),
        )
        .select_from(offered)
        .add_cte(topic_total)
    )


def _move_counts(post: Post, changes: dict[str, int], topic_too: bool) -> int | None:
    """Move the post's per-reaction counts by ``changes`` and its stored total (and its
    topic's, with ``topic_too``) by their sum, together; ``post.reaction_count`` shows
    the new total. Returns the new count of the one reaction a new reaction moves, where
    the same statement could tell it (PostgreSQL), else None. Prepared statements:
    reacting is one of the busiest writes."""
    total, count = _move_stored_counts(post.id, post.topic_id, changes, topic_too)
    if total is not None:
        set_committed_value(post, "reaction_count", total)
    return count


def _move_stored_counts(
    post_id: int, topic_id: int, changes: dict[str, int], topic_too: bool
) -> tuple[int | None, int | None]:
    """``_move_counts`` by ids: the post's new total (None when it is unchanged) and, when
    known, the new count of the one reaction moved."""
    delta = sum(changes.values())
    params: dict[str, Any] = {"r_post": post_id, "r_topic": topic_id, "r_total": delta}
    for i, (name, change) in enumerate(changes.items()):
        params[f"r_name_{i}"], params[f"r_change_{i}"] = name, change
    writes = _count_writes(len(changes), bool(delta) and topic_too, bool(delta))
    result = run_together(writes, params)
    if not delta:
        return None, None
    row = result.one()
    return row[0], (row[1] if len(row) > 1 else None)


@prepared
def _count_writes(names: int, topic: bool, total: bool) -> tuple[Any, ...]:
    """``names`` per-reaction counts (``r_name_<i>`` by ``r_change_<i>``), then the
    topic's total and the post's (returning it) by ``r_total``. On PostgreSQL, one
    reaction's move also returns that reaction's new count (after the post's total)."""
    post_id, total_change = bindparam("r_post", type_=BigId), bindparam("r_total", type_=Integer())
    moves = [
        counter_move(
            PostReactionCount,
            "count",
            bindparam(f"r_change_{i}", type_=Integer()),
            post_id=post_id,
            name=bindparam(f"r_name_{i}", type_=String()),
        )
        for i in range(names)
    ]
    if topic:
        topics = Topic.__table__
        moves.append(
            update(topics)
            .where(topics.c.id == bindparam("r_topic", type_=BigId))
            .values(reaction_count=topics.c.reaction_count + total_change)
        )
    if not total:
        return together(*moves)
    posts = Post.__table__
    post_total = (
        update(posts)
        .where(posts.c.id == post_id)
        .values(reaction_count=posts.c.reaction_count + total_change)
    )
    if names != 1 or dialect_name() != "postgresql":
        return together(*moves, post_total.returning(posts.c.reaction_count))
    # One statement sees one snapshot: the moved count comes from its own RETURNING.
    moved = moves[0].returning(PostReactionCount.__table__.c["count"]).cte("moved")
    moved_count = select(moved.c["count"]).scalar_subquery()
    post_total = post_total.returning(posts.c.reaction_count, moved_count).add_cte(moved)
    return together(*moves[1:], post_total)


def _is_positive(name: str) -> bool:
    reaction_type = db.session.get(ReactionType, name)
    return reaction_type is not None and reaction_type.is_positive


def react(user: User, post: Post, name: str) -> Reaction:
    """The member's reaction ``name`` on ``post``, replacing the one they had there; counts
    and the author's kudos follow (unchanged when they pick the same reaction again)."""
    return _react(user, post, name)[0]


def react_and_count(user: User, post: Post, name: str) -> dict[str, int]:
    """``react``, then the post's reaction counts as ``reaction_counts`` gives them: read
    from the write itself when the post has no other kind of reaction (its total is the
    moved count), else read back."""
    _reaction, counts = _react(user, post, name)
    return counts if counts is not None else reaction_counts(post.id)


def reaction_counts(post_id: int) -> dict[str, int]:
    """``{name: count}`` of one post's reactions (those it has), in the offered order."""
    return dict(db.session.execute(_reaction_counts_query(), {"post_id": post_id}).all())


@functools.cache
def _reaction_counts_query() -> Any:
    """``reaction_counts``' query, built once (answering every reaction by the API)."""
    return (
        select(PostReactionCount.name, PostReactionCount.count)
        .join(ReactionType, ReactionType.name == PostReactionCount.name)
        .where(PostReactionCount.post_id == bindparam("post_id"), PostReactionCount.count > 0)
        .order_by(ReactionType.position, ReactionType.name)
    )


def _react(user: User, post: Post, name: str) -> tuple[Reaction, dict[str, int] | None]:
    """``react``, and the post's counts when the write showed them (else None)."""
    check_can_write(user)
    topic, category = _load(user, post)
    if post.is_hidden or topic.is_hidden:
        raise NotFound(_("No such post."))
    if not policy.can_react(user, post):
        if policy.is_signed_in(user):
            raise PermissionDenied(_("You cannot react to your own post."))
        raise PermissionDenied(_("Please sign in to react."))

    author = db.session.get(User, post.author_id)
    assert author is not None
    is_positive, reaction, moved = _insert_reaction(post, user.id, name)
    counts = None
    if reaction is not None:
        existing = None
        if moved is not None and moved == post.reaction_count:
            counts = {name: moved}  # the post has no other kind of reaction
        was_positive = False
    else:
        # They have one: lock it so a concurrent change waits, then change it.
        existing = db.session.scalar(
            select(Reaction)
            .where(Reaction.post_id == post.id, Reaction.user_id == user.id)
            .with_for_update()
        )
        if existing is None:
            raise Conflict(_("You have just changed your reaction to this post."))
        if existing.name == name:
            return existing, None
        reaction = existing
        old_name = existing.name
        was_positive = _is_positive(old_name)
        reaction.name = name
        db.session.flush()
        _move_counts(post, {old_name: -1, name: +1}, topic_too=False)
    if not is_positive:
        # Idempotent: also right when an admin has changed a reaction's kind since.
        if existing is not None:
            reputation.reverse(post, KUDOS, actor=user)
    elif not was_positive:
        if existing is not None:
            reputation.reverse(post, KUDOS, actor=user)  # never two standing kudos
        reputation.record(
            author, KUDOS, post, actor=user, category=common.reputation_category(category)
        )
    return reaction, counts


def unreact(user: User, post: Post) -> bool:
    """Remove the member's reaction on ``post`` (False when there was none); the counts
    drop and the kudos it gave are reversed."""
    _load(user, post)
    if not policy.is_signed_in(user):
        return False
    name = db.session.execute(
        delete(Reaction)
        .where(Reaction.post_id == post.id, Reaction.user_id == user.id)
        .returning(Reaction.name),
        execution_options={"synchronize_session": "fetch"},
    ).scalar_one_or_none()
    if name is None:
        return False
    _forget(post, name)
    reputation.reverse(post, KUDOS, actor=user)
    return True


def _forget(post: Post, name: str) -> None:
    """Move every count down for one removed reaction."""
    # A hidden post's reactions are already out of its topic's total.
    _move_counts(post, {name: -1}, topic_too=post.hidden_at is None)


def my_reaction(user: Any, post: Post) -> str | None:
    """The name of the member's reaction on ``post``, if any."""
    if not policy.is_signed_in(user):
        return None
    return db.session.scalar(
        select(Reaction.name).where(Reaction.post_id == post.id, Reaction.user_id == user.id)
    )


def remove_reactions_of(user: User) -> int:
    """Remove every reaction of ``user`` with all counts moved; returns how many. The
    kudos they gave are reversed by reputation's own vote reverser."""
    rows = db.session.execute(
        select(Reaction.post_id, Reaction.name, Post.topic_id, Post.hidden_at)
        .join(Post, Post.id == Reaction.post_id)
        .where(Reaction.user_id == user.id)
        .order_by(Reaction.post_id)
    ).all()
    if not rows:
        return 0
    db.session.execute(
        delete(Reaction).where(Reaction.user_id == user.id),
        execution_options={"synchronize_session": "fetch"},
    )
    for post_id, name, topic_id, hidden_at in rows:
        # The topic counts reactions on its visible posts only.
        _move_stored_counts(post_id, topic_id, {name: -1}, topic_too=hidden_at is None)
    return len(rows)


def _reverse_votes(user: User) -> int:
    remove_reactions_of(user)
    # Reputation's reverser already counts (and reverses) the kudos these reactions gave.
    return 0


register_vote_reverser(_reverse_votes)
