"""Reactions under real concurrent clients (PostgreSQL: separate connections, commits).

These tests commit for real, so they clean up after themselves instead of relying on the
rolled-back ``db`` fixture.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import delete, func, or_, select

from community.accounts import services as accounts
from community.accounts.models import User
from community.core.search import SearchEntry
from community.extensions import db
from community.forums.models import (
    CategoryUser,
    ForumCategory,
    ForumVisit,
    Post,
    PostMention,
    PostReactionCount,
    PostRevision,
    Reaction,
    Topic,
    TopicTag,
    TopicUser,
)
from community.forums.services import reactions, topics, visibility
from community.moderation.models import ReviewItem
from community.notifications.models import Notification
from community.reputation.models import (
    BadgeAward,
    BadgeCount,
    CategoryReputation,
    DailyReputation,
    PeriodLadder,
    PeriodReputation,
    ReputationDay,
    ReputationEvent,
)
from community.reputation.models.sandbox import SandboxUsage
from tests.conftest import using_postgres
from tests.test_concurrency import run_concurrently

pytestmark = pytest.mark.skipif(
    not using_postgres(), reason="needs PostgreSQL's concurrent connections; runs in CI"
)

MEMBERS = 30
PASSWORD = "long enough pw"  # noqa: S105


@dataclass
class Made:
    user_ids: list[int] = field(default_factory=list)
    category_id: int | None = None


@pytest.fixture()
def made(app):
    made = Made()
    yield made
    with app.app_context():
        _clean(made)
        db.session.commit()
        db.session.remove()


def _clean(made: Made) -> None:
    users = made.user_ids
    topic_ids = select(Topic.id).where(Topic.category_id == made.category_id)
    post_ids = select(Post.id).where(Post.topic_id.in_(topic_ids))
    db.session.execute(
        delete(SearchEntry).where(
            or_(
                (SearchEntry.kind == "forum_topic") & SearchEntry.subject_id.in_(topic_ids),
                (SearchEntry.kind == "forum_post") & SearchEntry.subject_id.in_(post_ids),
            )
        )
    )
    for model in (Reaction, PostReactionCount, PostMention, PostRevision):
        db.session.execute(delete(model).where(model.post_id.in_(post_ids)))
    for model in (TopicUser, TopicTag):
        db.session.execute(delete(model).where(model.topic_id.in_(topic_ids)))
    db.session.execute(delete(CategoryUser).where(CategoryUser.category_id == made.category_id))
    db.session.execute(delete(Post).where(Post.topic_id.in_(topic_ids)))
    db.session.execute(delete(Topic).where(Topic.category_id == made.category_id))
    db.session.execute(delete(ForumCategory).where(ForumCategory.id == made.category_id))
    db.session.execute(delete(Notification).where(Notification.user_id.in_(users)))
    # A sandboxed author's first post waits in the review queue.
    db.session.execute(delete(ReviewItem).where(ReviewItem.author_id.in_(users)))
    for model in (
        BadgeAward,
        ReputationEvent,
        CategoryReputation,
        DailyReputation,
        PeriodReputation,
        ReputationDay,
        SandboxUsage,
        ForumVisit,
    ):
        db.session.execute(delete(model).where(model.user_id.in_(users)))
    # Holder counts and board ladders are committed only by these tests: start the next
    # one from zero.
    db.session.execute(delete(BadgeCount))
    db.session.execute(delete(PeriodLadder))
    db.session.execute(delete(User).where(User.id.in_(users)))


def _setup(app, made: Made) -> tuple[int, int, int]:
    """A topic by an author and MEMBERS other members, committed: (post, topic, author)."""
    with app.test_request_context("/"):
        author = accounts.create_user(
            "react_author", "react_author@example.com", PASSWORD, confirmed=True
        )
        members = [
            accounts.create_user(f"react_fan{n}", f"fan{n}@example.com", PASSWORD, confirmed=True)
            for n in range(MEMBERS)
        ]
        db.session.flush()
        made.user_ids.extend([author.id, *(m.id for m in members)])
        # Made directly: the service audits, and the audit log cannot be cleaned up.
        category = ForumCategory(name="Concurrent reactions", slug="concurrent-reactions")
        db.session.add(category)
        db.session.flush()
        made.category_id = category.id
        topic = topics.create_topic(author, category, "Many hands", "Please react to this.")
        db.session.flush()
        post_id = db.session.scalar(
            select(Post.id).where(Post.topic_id == topic.id, Post.number == 1)
        )
        ids = (post_id, topic.id, author.id)
        db.session.commit()
        db.session.remove()
    return ids


def _react(post_id: int, n: int, name: str | None) -> None:
    user = db.session.scalar(select(User).where(User.username_key == f"react_fan{n}"))
    post = visibility.get_post(user, post_id)
    if name is None:
        reactions.unreact(user, post)
    else:
        reactions.react(user, post, name)


def _state(post_id: int, topic_id: int, author_id: int) -> dict:
    counts = dict(
        db.session.execute(
            select(PostReactionCount.name, PostReactionCount.count).where(
                PostReactionCount.post_id == post_id, PostReactionCount.count != 0
            )
        ).all()
    )
    rows = dict(
        db.session.execute(
            select(Reaction.name, func.count())
            .where(Reaction.post_id == post_id)
            .group_by(Reaction.name)
        ).all()
    )
    ledger = db.session.scalar(
        select(func.coalesce(func.sum(ReputationEvent.points), 0)).where(
            ReputationEvent.user_id == author_id
        )
    )
    return {
        "post": db.session.scalar(select(Post.reaction_count).where(Post.id == post_id)),
        "topic": db.session.scalar(select(Topic.reaction_count).where(Topic.id == topic_id)),
        "counts": counts,
        "rows": rows,
        "reputation": db.session.scalar(select(User.reputation).where(User.id == author_id)),
        "ledger": ledger,
    }


def test_thirty_concurrent_reactions_leave_exact_counts_and_reputation(app, made):
    post_id, topic_id, author_id = _setup(app, made)

    outcomes = run_concurrently(app, lambda n: _react(post_id, n, "like"), clients=MEMBERS)

    assert outcomes == [None] * MEMBERS
    with app.app_context():
        state = _state(post_id, topic_id, author_id)
        db.session.remove()
    assert state == {
        "post": MEMBERS,
        "topic": MEMBERS,
        "counts": {"like": MEMBERS},
        "rows": {"like": MEMBERS},
        "reputation": MEMBERS * 5,
        "ledger": MEMBERS * 5,
    }


def test_concurrent_changes_and_removals_leave_exact_counts_and_reputation(app, made):
    post_id, topic_id, author_id = _setup(app, made)
    run_concurrently(app, lambda n: _react(post_id, n, "like"), clients=MEMBERS)
    third = MEMBERS // 3
    plan = [None] * third + ["confused"] * third + ["thanks"] * (MEMBERS - 2 * third)

    outcomes = run_concurrently(app, lambda n: _react(post_id, n, plan[n]), clients=MEMBERS)

    assert outcomes == [None] * MEMBERS
    kept = MEMBERS - third
    with app.app_context():
        state = _state(post_id, topic_id, author_id)
        db.session.remove()
    thanks = MEMBERS - 2 * third
    assert state == {
        "post": kept,
        "topic": kept,
        "counts": {"confused": third, "thanks": thanks},
        "rows": {"confused": third, "thanks": thanks},
        "reputation": thanks * 5,
        "ledger": thanks * 5,
    }
