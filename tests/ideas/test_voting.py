"""Votes on ideas: one per member, importance, the budget, counts and reputation exact."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from community.core.errors import Conflict, InvalidInput, PermissionDenied
from community.extensions import db
from community.ideas.models import Idea, IdeaFollow, IdeaVote, IdeaVoter, Importance
from community.ideas.services import following, statuses, vote_counts, voting
from community.reputation.models import ReputationEvent
from tests.conftest import using_postgres
from tests.factories import make_user
from tests.ideas.factories import make_idea


def stored(idea: Idea) -> tuple[int, int]:
    """(vote_count, weighted_votes) as stored."""
    row = db.session.execute(
        select(Idea.vote_count, Idea.weighted_votes).where(Idea.id == idea.id)
    ).one()
    return row[0], row[1]


def open_votes(user) -> int:
    return db.session.scalar(select(IdeaVoter.open_votes).where(IdeaVoter.user_id == user.id)) or 0


def upvote_points(user) -> int:
    return (
        db.session.scalar(
            select(func.sum(ReputationEvent.points)).where(
                ReputationEvent.user_id == user.id, ReputationEvent.reason == "idea_upvoted"
            )
        )
        or 0
    )


def test_a_new_idea_carries_its_authors_vote_which_earns_nothing(db):
    idea = make_idea()

    assert stored(idea) == (1, int(Importance.IMPORTANT))
    assert open_votes(idea.author) == 1
    assert upvote_points(idea.author) == 0
    assert following.is_following(idea.author, idea)


def test_a_vote_counts_weighs_follows_and_rewards_the_author(db):
    idea = make_idea()
    fan = make_user()

    voting.vote(fan, idea, "critical")

    assert stored(idea) == (2, 2 + 3)
    assert open_votes(fan) == 1
    assert upvote_points(idea.author) == 10
    assert following.is_following(fan, idea)
    assert voting.voted_ids(fan, [idea.id]) == {idea.id}


def test_voting_twice_is_refused_and_changes_nothing(db):
    idea = make_idea()
    fan = make_user()
    voting.vote(fan, idea)

    with pytest.raises(Conflict):
        voting.vote(fan, idea, "critical")

    assert stored(idea) == (2, 4)
    assert open_votes(fan) == 1
    assert upvote_points(idea.author) == 10


def test_unvoting_moves_everything_back(db):
    idea = make_idea()
    fan = make_user()
    voting.vote(fan, idea, "nice_to_have")

    assert voting.unvote(fan, idea) is True
    assert voting.unvote(fan, idea) is False

    assert stored(idea) == (1, 2)
    assert open_votes(fan) == 0
    assert upvote_points(idea.author) == 0


def test_importance_can_change_and_the_weight_follows(db):
    idea = make_idea()
    fan = make_user()
    voting.vote(fan, idea, 1)

    voting.set_importance(fan, idea, "critical")

    assert stored(idea) == (2, 2 + 3)
    assert db.session.get(IdeaVote, (idea.id, fan.id)).importance == 3


def test_an_unknown_importance_is_a_clear_error(db):
    idea = make_idea()

    with pytest.raises(InvalidInput) as error:
        voting.vote(make_user(), idea, "urgent!!")

    assert error.value.field == "importance"
    assert stored(idea) == (1, 2)


def test_visitors_cannot_vote(db):
    from flask_login import AnonymousUserMixin

    with pytest.raises(PermissionDenied):
        voting.vote(AnonymousUserMixin(), make_idea())


@pytest.mark.parametrize("status", ["shipped", "declined"])
def test_closed_ideas_take_no_votes(db, status):
    idea = make_idea()
    statuses.change_status(make_user(role="team"), idea, status, "Done." if status else "")
    fan = make_user()

    with pytest.raises(Conflict):
        voting.vote(fan, idea)

    assert stored(idea) == (1, 2)
    assert open_votes(fan) == 0


@pytest.mark.parametrize("action", ["vote", "unvote"])
def test_a_vote_on_an_idea_closed_since_it_was_loaded_is_refused(db, action):
    """The team closes the idea between the member's page load and their vote: the
    counts' UPDATE re-checks the status under the row lock and refuses (the request's
    rollback then undoes the vote row, so the closing's budget refund stays exact)."""
    idea = make_idea()
    fan = make_user()
    if action == "unvote":
        voting.vote(fan, idea)
    closed_meanwhile = (
        update(Idea.__table__).where(Idea.__table__.c.id == idea.id).values(status="shipped")
    )
    db.session.execute(closed_meanwhile)  # not seen by the loaded ``idea``
    assert not idea.is_closed
    counts = stored(idea)

    with pytest.raises(Conflict):
        getattr(voting, action)(fan, idea)

    assert stored(idea) == counts


def test_the_budget_refuses_a_vote_beyond_it_and_closing_gives_votes_back(app, db):
    app.config["IDEA_VOTE_BUDGET"] = 2
    try:
        first, second, third = make_idea(), make_idea(), make_idea()
        fan = make_user()
        voting.vote(fan, first)
        voting.vote(fan, second)

        with pytest.raises(vote_counts.OverBudget):
            voting.vote(fan, third)
        assert stored(third) == (1, 2)
        assert voting.balance(fan).left == 0

        statuses.change_status(make_user(role="team"), first, "shipped", "")
        assert open_votes(fan) == 1
        voting.vote(fan, third)
        assert voting.balance(fan).left == 0
    finally:
        app.config["IDEA_VOTE_BUDGET"] = 0


def test_reopening_a_closed_idea_takes_its_votes_again(db):
    idea = make_idea()
    fan = make_user()
    voting.vote(fan, idea)
    team = make_user(role="team")
    statuses.change_status(team, idea, "declined", "Out of scope.")
    assert open_votes(fan) == 0

    statuses.change_status(team, idea, "open", "Reconsidered.")

    assert open_votes(fan) == 1


def test_an_unfollow_is_kept_when_voting(db):
    idea = make_idea()
    fan = make_user()
    following.set_following(fan, idea, False)

    voting.vote(fan, idea)

    follow = db.session.get(IdeaFollow, (idea.id, fan.id))
    assert follow.following is False


def test_a_vote_costs_a_few_statements_whatever_the_data(db, count_queries):
    idea = make_idea()
    voting.vote(make_user(), idea)  # the author's first upvote: its badges are theirs now
    fan = make_user()

    with count_queries() as statements:
        voting.vote(fan, idea)

    # The budget, the follow, the vote, the idea's votes of the day and its counts; the
    # daily cap, the ledger with its roll-ups and the badge rules: on PostgreSQL each
    # group is one statement.
    assert len(statements) == (2 if using_postgres() else 11), statements
    # psycopg parses a statement longer than 4 kB anew on every call.
    assert max(len(statement.encode()) for statement in statements) <= 4096
