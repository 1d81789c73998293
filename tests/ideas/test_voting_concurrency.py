"""Votes on ideas under real concurrent clients (PostgreSQL: separate connections, commits).

These tests commit for real, so they clean up after themselves instead of relying on the
rolled-back ``db`` fixture.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import delete, func, select

from community.accounts import services as accounts
from community.accounts.models import User
from community.catalog.models import Product
from community.core.errors import Conflict
from community.core.search import SearchEntry
from community.extensions import db
from community.ideas.models import Idea, IdeaVote, IdeaVoter, Importance
from community.ideas.services import (
    common,
    customer_values,
    recount,
    submitting,
    vote_counts,
    voting,
)
from community.reputation.models import BadgeCount, PeriodLadder, ReputationEvent
from community.reputation.rules import DAILY_CAP
from tests.conftest import using_postgres
from tests.test_concurrency import run_concurrently

pytestmark = pytest.mark.skipif(
    not using_postgres(), reason="needs PostgreSQL's concurrent connections; runs in CI"
)

VOTERS = 50
UPVOTE_POINTS = 10
PASSWORD = "long enough pw"  # noqa: S105
# Tables whose rows these tests never make, though they point at members.
KEEP = frozenset({"audit_entry"})


@dataclass
class Made:
    user_ids: list[int] = field(default_factory=list)
    idea_ids: list[int] = field(default_factory=list)
    product_id: int | None = None


@pytest.fixture()
def made(app):
    made = Made()
    yield made
    with app.app_context():
        _clean(made)
        db.session.commit()
        db.session.remove()


def _delete_rows_pointing_at(table_name: str, ids: list[int]) -> None:
    """Delete the rows of every table with a foreign key to ``table_name`` among ``ids``
    (dependent tables first), so that new ledgers need no change here."""
    if not ids:
        return
    for table in reversed(db.metadata.sorted_tables):
        if table.name in KEEP or table.name == table_name:
            continue
        for key in table.foreign_keys:
            if key.column.table.name == table_name:
                db.session.execute(delete(table).where(key.parent.in_(ids)))


def _clean(made: Made) -> None:
    db.session.execute(
        delete(SearchEntry).where(
            SearchEntry.kind == common.IDEA_KIND, SearchEntry.subject_id.in_(made.idea_ids)
        )
    )
    _delete_rows_pointing_at("idea", made.idea_ids)
    db.session.execute(delete(Idea).where(Idea.id.in_(made.idea_ids)))
    db.session.execute(delete(Product).where(Product.id == made.product_id))
    _delete_rows_pointing_at("user_account", made.user_ids)
    # Holder counts are committed only by these tests: start the next one from zero.
    db.session.execute(delete(BadgeCount))
    db.session.execute(delete(PeriodLadder))  # board ladders: only these tests commit any
    db.session.execute(delete(User).where(User.id.in_(made.user_ids)))


def _setup(app, made: Made, ideas: int = 1) -> list[int]:
    """An author (out of the sandbox), ``VOTERS`` + 1 members and ``ideas`` ideas by the
    author, committed: the ideas' ids."""
    with app.test_request_context("/"):
        author = accounts.create_user(
            "idea_author", "idea_author@example.com", PASSWORD, confirmed=True
        )
        author.reputation = 100
        members = [
            accounts.create_user(
                f"idea_fan{n}", f"idea_fan{n}@example.com", PASSWORD, confirmed=True
            )
            for n in range(VOTERS + 1)
        ]
        db.session.flush()
        made.user_ids.extend([author.id, *(m.id for m in members)])
        # Made directly: the catalog service audits, and the audit log cannot be cleaned up.
        product = Product(slug="concurrent-votes", name="Concurrent votes")
        db.session.add(product)
        db.session.flush()
        made.product_id = product.id
        for n in range(ideas):
            idea = submitting.create_idea(
                author, f"Many hands {n}", "Please vote for this.", product.id
            )
            db.session.flush()
            made.idea_ids.append(idea.id)
        db.session.commit()
        db.session.remove()
    return list(made.idea_ids)


def _vote(idea_id: int, n: int, importance: Importance) -> None:
    user = db.session.scalar(select(User).where(User.username_key == f"idea_fan{n}"))
    voting.vote(user, common.get_idea(user, idea_id), importance)


def _author_state() -> dict:
    author = db.session.scalar(select(User).where(User.username_key == "idea_author"))
    upvotes = select(ReputationEvent).where(
        ReputationEvent.user_id == author.id, ReputationEvent.reason == voting.UPVOTED
    )
    return {
        "reputation": author.reputation,
        "upvote_events": db.session.scalar(select(func.count()).select_from(upvotes.subquery())),
        "upvote_points": db.session.scalar(
            select(func.coalesce(func.sum(ReputationEvent.points), 0)).where(
                ReputationEvent.user_id == author.id, ReputationEvent.reason == voting.UPVOTED
            )
        ),
    }


def test_fifty_concurrent_votes_and_a_double_click_leave_exact_counts(app, made):
    [idea_id] = _setup(app, made)
    with app.app_context():
        before = _author_state()
        db.session.remove()
    # Members 0-49 vote once each, with importances 1, 2, 3, 1, ...; member 50 clicks
    # twice (the last two clients), critical both times.
    weights = [Importance(n % 3 + 1) for n in range(VOTERS)]
    plan = [(n, weights[n]) for n in range(VOTERS)] + [(VOTERS, Importance.CRITICAL)] * 2

    outcomes = run_concurrently(
        app, lambda c: _vote(idea_id, plan[c][0], plan[c][1]), clients=len(plan)
    )

    assert outcomes[:VOTERS] == [None] * VOTERS
    clicks = outcomes[VOTERS:]
    assert None in clicks, clicks
    [refused] = [o for o in clicks if o is not None]
    assert isinstance(refused, Conflict) and not isinstance(refused, vote_counts.OverBudget)
    voters = VOTERS + 1
    with app.app_context():
        idea = db.session.get(Idea, idea_id)
        rows = db.session.execute(
            select(func.count(), func.count(func.distinct(IdeaVote.user_id))).where(
                IdeaVote.idea_id == idea_id
            )
        ).one()
        weighted_rows = db.session.scalar(
            select(func.sum(IdeaVote.importance)).where(IdeaVote.idea_id == idea_id)
        )
        double_clicker_open = db.session.scalar(
            select(IdeaVoter.open_votes)
            .join(User, User.id == IdeaVoter.user_id)
            .where(User.username_key == f"idea_fan{VOTERS}")
        )
        after = _author_state()
        db.session.remove()
    own = int(Importance.IMPORTANT)  # the author's own vote
    assert (idea.vote_count, tuple(rows)) == (1 + voters, (1 + voters, 1 + voters))
    expected_weight = own + sum(weights) + int(Importance.CRITICAL)
    assert (idea.weighted_votes, weighted_rows) == (expected_weight, expected_weight)
    assert idea.hot == common.hot_score(1 + voters, idea.created_at)
    assert double_clicker_open == 1
    # 10 points a vote, but at most DAILY_CAP capped points a day.
    earned = min(voters * UPVOTE_POINTS, DAILY_CAP)
    assert voters * UPVOTE_POINTS > DAILY_CAP  # the cap is what this proves
    assert after == {
        "reputation": before["reputation"] + earned,
        "upvote_events": voters,
        "upvote_points": earned,
    }


def test_concurrent_votes_by_one_member_never_pass_the_budget(app, made):
    idea_ids = _setup(app, made, ideas=5)
    app.config["IDEA_VOTE_BUDGET"] = 2
    try:
        outcomes = run_concurrently(
            app, lambda c: _vote(idea_ids[c], 0, Importance.IMPORTANT), clients=len(idea_ids)
        )
    finally:
        app.config["IDEA_VOTE_BUDGET"] = 0

    assert sum(o is None for o in outcomes) == 2
    assert all(isinstance(o, vote_counts.OverBudget) for o in outcomes if o is not None)
    with app.app_context():
        fan = db.session.scalar(select(User).where(User.username_key == "idea_fan0"))
        votes = db.session.scalar(
            select(func.count()).select_from(IdeaVote).where(IdeaVote.user_id == fan.id)
        )
        open_votes = db.session.scalar(
            select(IdeaVoter.open_votes).where(IdeaVoter.user_id == fan.id)
        )
        counts = db.session.scalars(select(Idea.vote_count).where(Idea.id.in_(idea_ids))).all()
        db.session.remove()
    assert (votes, open_votes) == (2, 2)
    assert sorted(counts) == [1, 1, 1, 2, 2]


def test_votes_and_new_customer_values_at_the_same_moment_leave_exact_value_scores(app, made):
    """Members 0-19 vote while the team gives each of them a customer value; members
    20-39, who voted before, take their votes back while they get theirs. Whichever
    comes first, each vote ends up weighed by its voter's new value, or gone."""
    [idea_id] = _setup(app, made)
    voters, leavers = range(20), range(20, 40)
    with app.test_request_context("/"):
        for n in leavers:
            _vote(idea_id, n, Importance.CRITICAL)
        db.session.commit()
        db.session.remove()

    plan = [(n, side) for n in [*voters, *leavers] for side in ("member", "team")]

    def work(c: int) -> None:
        n, side = plan[c]
        member = db.session.scalar(select(User).where(User.username_key == f"idea_fan{n}"))
        if side == "team":  # the service's statements, without an audit entry to clean up
            author = db.session.scalar(select(User).where(User.username_key == "idea_author"))
            customer_values._store_values(author, {member.id: (10, "")})
        elif n in voters:
            voting.vote(member, common.get_idea(member, idea_id), Importance.CRITICAL)
        else:
            voting.unvote(member, common.get_idea(member, idea_id))

    outcomes = run_concurrently(app, work, clients=len(plan))

    assert outcomes == [None] * len(plan)
    with app.app_context():
        score = db.session.scalar(select(Idea.value_score).where(Idea.id == idea_id))
        drifts = [line for line in recount.recount() if "value" in line]
        db.session.remove()
    own = int(Importance.IMPORTANT)  # the author's own vote, weight 1
    assert score == own + len(voters) * int(Importance.CRITICAL) * 10
    assert drifts == []
