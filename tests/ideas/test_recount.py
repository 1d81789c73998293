"""``flask ideas recount``: every stored ideas counter against the rows it counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import delete, select, update

from community.core.db import utcnow
from community.extensions import db
from community.ideas.cli import ideas_cli
from community.ideas.models import (
    Challenge,
    Idea,
    IdeaComment,
    IdeaTag,
    IdeaVoteDay,
    IdeaVoter,
    ShipFeedback,
)
from community.ideas.services import (
    comments,
    common,
    merging,
    recount,
    statuses,
    vote_counts,
    voting,
)
from tests.catalog.factories import make_product
from tests.factories import make_user
from tests.ideas.factories import make_idea


@dataclass
class Portal:
    idea: Idea  # open, in the challenge, tagged, voted, commented, a duplicate merged in
    shipped: Idea  # shipped, with feedback
    tag: IdeaTag  # "pdf": on the idea and on a hidden idea
    fan: object  # votes on the idea (critical) and on the shipped idea
    challenge: Challenge


@pytest.fixture()
def portal(db, team_user) -> Portal:
    """A small portal with every kind of counter in use, kept right by the services (and,
    where no service exists yet, by the same raw statements a service would run)."""
    product = make_product()
    now = utcnow()
    challenge = Challenge(
        slug="spring",
        title="Spring challenge",
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=7),
        created_by_id=team_user.id,
    )
    db.session.add(challenge)
    db.session.flush()

    idea = make_idea(product=product, tags=("pdf", "export"), challenge_id=challenge.id)
    make_idea(product=product, challenge_id=challenge.id)
    fan, other, proxied = (make_user(reputation=100) for _ in range(3))
    voting.vote(fan, idea, "critical")
    voting.vote(other, idea, "nice_to_have")
    voting.vote(proxied, idea, "important", proxy_by=team_user)
    comments.add_comment(other, idea, "Yes please.")
    comments.add_comment(team_user, idea, "We are looking at it.")
    spam = comments.add_comment(make_user(reputation=100), idea, "Buy paper!")
    _hide_comment(spam)

    duplicate = make_idea(product=product, title="PDF albums")
    voting.vote(make_user(reputation=100), duplicate)
    comments.add_comment(fan, duplicate, "Same as the other one.")
    merging.merge(team_user, duplicate, idea.id)

    shipped = make_idea(product=product, title="Dark mode")
    voting.vote(fan, shipped)
    statuses.change_status(team_user, shipped, "shipped", "In 4.3.")
    for answer, voter in (("yes", fan), ("no", shipped.author)):
        db.session.add(ShipFeedback(idea_id=shipped.id, user_id=voter.id, answer=answer))
        column = f"feedback_{answer}"
        db.session.execute(
            update(Idea).where(Idea.id == shipped.id).values({column: Idea.__table__.c[column] + 1})
        )

    hidden = make_idea(product=product, tags=("pdf",))
    db.session.execute(update(Idea).where(Idea.id == hidden.id).values(hidden_at=utcnow()))
    vote_counts.refund_open_votes(hidden.id, -1)  # its votes leave the budgets
    db.session.execute(
        update(IdeaTag).where(IdeaTag.name == "pdf").values(idea_count=IdeaTag.idea_count - 1)
    )
    db.session.flush()
    db.session.expire_all()
    tag = db.session.scalar(select(IdeaTag).where(IdeaTag.name == "pdf"))
    return Portal(
        db.session.get(Idea, idea.id), db.session.get(Idea, shipped.id), tag, fan, challenge
    )


def _hide_comment(comment: IdeaComment) -> None:
    db.session.execute(
        update(IdeaComment).where(IdeaComment.id == comment.id).values(hidden_at=utcnow())
    )
    db.session.execute(
        update(Idea).where(Idea.id == comment.idea_id).values(comment_count=Idea.comment_count - 1)
    )


def test_recount_reports_nothing_when_the_counters_are_right(db, portal):
    # the author, fan, other, the proxy, and the duplicate's author and voter (merged)
    assert portal.idea.vote_count == 6
    assert portal.idea.weighted_votes == 2 + 3 + 1 + 2 + 2 + 2
    assert portal.idea.comment_count == 3  # two, and one moved by the merge (one hidden)
    assert portal.tag.idea_count == 1
    assert recount.recount() == []
    assert recount.recount(fix=True) == []


def _break(portal: Portal, what: str) -> None:
    idea = update(Idea).where(Idea.id == portal.idea.id)
    if what == "idea votes":
        db.session.execute(idea.values(vote_count=Idea.vote_count + 2))
    elif what == "idea weighted votes":
        db.session.execute(idea.values(weighted_votes=0))
    elif what == "idea value score":
        db.session.execute(idea.values(value_score=Idea.value_score + 7))
    elif what == "idea comments":
        db.session.execute(idea.values(comment_count=4))
    elif what == "idea hot":
        db.session.execute(idea.values(hot=Idea.hot + 0.5))
    elif what == "idea feedback":
        shipped = update(Idea).where(Idea.id == portal.shipped.id)
        db.session.execute(shipped.values(feedback_yes=0, feedback_partly=3, feedback_no=1))
    elif what == "tag ideas":
        db.session.execute(update(IdeaTag).where(IdeaTag.id == portal.tag.id).values(idea_count=2))
    elif what == "voter open votes":
        voter = update(IdeaVoter).where(IdeaVoter.user_id == portal.fan.id)
        db.session.execute(voter.values(open_votes=IdeaVoter.open_votes + 1))
    elif what == "voter weight":
        voter = update(IdeaVoter).where(IdeaVoter.user_id == portal.fan.id)
        db.session.execute(voter.values(value=40))
    elif what == "idea votes of a day":
        db.session.execute(
            update(IdeaVoteDay)
            .where(IdeaVoteDay.idea_id == portal.idea.id)
            .values(votes=IdeaVoteDay.votes + 1)
        )
    elif what == "idea day missing":
        db.session.execute(delete(IdeaVoteDay).where(IdeaVoteDay.idea_id == portal.shipped.id))
    elif what == "voter row missing":
        db.session.execute(delete(IdeaVoter).where(IdeaVoter.user_id == portal.fan.id))
    elif what == "challenge ideas":
        challenge = update(Challenge).where(Challenge.id == portal.challenge.id)
        db.session.execute(challenge.values(idea_count=0))
    else:
        raise AssertionError(what)
    db.session.flush()


BREAKS = [
    ("idea votes", "vote_count: stored 8, counted 6"),
    ("idea weighted votes", "weighted_votes: stored 0, counted 12"),
    ("idea value score", "value_score: stored 19, counted 12"),
    ("idea comments", "comment_count: stored 4, counted 3"),
    ("idea hot", " hot: stored "),
    ("idea feedback", "feedback_yes: stored 0, counted 1"),
    ("tag ideas", "tag pdf idea_count: stored 2, counted 1"),
    ("voter open votes", "open_votes: stored 2, counted 1"),
    ("voter weight", "value: stored 40, counted 1"),
    ("idea votes of a day", "votes: stored 7, counted 6"),
    ("idea day missing", "votes: stored nothing, counted 2"),
    ("voter row missing", "open_votes: stored nothing, counted 1"),
    ("challenge ideas", "challenge spring idea_count: stored 0, counted 2"),
]


@pytest.mark.parametrize(("what", "expected"), BREAKS, ids=[b[0] for b in BREAKS])
def test_recount_finds_a_broken_counter_and_fixes_it(db, portal, what, expected):
    _break(portal, what)

    found = recount.recount()
    assert any(expected in line for line in found), found
    assert recount.recount() == found, "a recount without --fix changed something"

    assert recount.recount(fix=True) == found
    assert recount.recount() == []


def test_every_feedback_answer_is_counted(db, portal):
    _break(portal, "idea feedback")

    found = recount.recount()

    prefix = f"idea {portal.shipped.id} "
    assert prefix + "feedback_yes: stored 0, counted 1" in found
    assert prefix + "feedback_partly: stored 3, counted 0" in found
    assert len([line for line in found if line.startswith(prefix)]) == 2  # "no" is right


def test_a_drifted_vote_count_is_not_blamed_on_the_trending_score(db, portal):
    _break(portal, "idea votes")

    found = recount.recount()

    assert found == [f"idea {portal.idea.id} vote_count: stored 8, counted 6"]


def test_fixed_counters_are_what_the_services_keep(db, portal):
    ideas = select(
        Idea.id,
        Idea.vote_count,
        Idea.weighted_votes,
        Idea.comment_count,
        Idea.hot,
        Idea.feedback_yes,
        Idea.feedback_no,
    ).order_by(Idea.id)
    voters = select(IdeaVoter.user_id, IdeaVoter.open_votes).order_by(IdeaVoter.user_id)
    tags = select(IdeaTag.name, IdeaTag.idea_count).order_by(IdeaTag.name)
    expected = [db.session.execute(q).all() for q in (ideas, voters, tags)]
    db.session.execute(
        update(Idea).values(
            vote_count=0, weighted_votes=0, comment_count=0, hot=0.0, feedback_yes=0, feedback_no=0
        )
    )
    db.session.execute(delete(IdeaVoter).where(IdeaVoter.user_id == portal.fan.id))
    db.session.execute(update(IdeaVoter).values(open_votes=9))
    db.session.execute(update(IdeaTag).values(idea_count=0))
    db.session.execute(update(Challenge).values(idea_count=0))

    assert recount.recount(fix=True)
    assert recount.recount() == []
    db.session.expire_all()
    assert [db.session.execute(q).all() for q in (ideas, voters, tags)] == expected
    assert db.session.get(Challenge, portal.challenge.id).idea_count == 2


def test_the_trending_score_is_the_services_score(db, portal):
    db.session.execute(update(Idea).values(hot=0.0))

    recount.recount(fix=True)

    db.session.expire_all()
    idea = db.session.get(Idea, portal.idea.id)
    assert idea.hot == pytest.approx(common.hot_score(6, idea.created_at), abs=1e-9)


def test_many_drifts_are_summarised(db, portal, monkeypatch):
    ids = [make_idea().id for _ in range(recount.MAX_EXAMPLES + 3)]
    db.session.execute(update(Idea).where(Idea.id.in_(ids)).values(comment_count=5, hot=-1.0))
    monkeypatch.setattr(recount, "HOT_BATCH", 7)  # the scores are read in several batches

    lines = recount.recount()

    counts = [line for line in lines if "comment_count" in line]
    scores = [line for line in lines if " hot: " in line]
    assert len(counts) == len(scores) == recount.MAX_EXAMPLES
    assert lines.count("... and 3 more ideas with drift") == 2

    recount.recount(fix=True)
    assert recount.recount() == []


def test_the_command_reports_and_fixes(app, db, portal):
    _break(portal, "idea comments")
    runner = app.test_cli_runner()

    result = runner.invoke(ideas_cli, ["recount"])
    assert result.exit_code == 0, result.output
    assert "comment_count: stored 4, counted 3" in result.output
    assert "--fix" in result.output

    result = runner.invoke(ideas_cli, ["recount", "--fix"])
    assert result.exit_code == 0, result.output
    assert "fixed" in result.output

    result = runner.invoke(ideas_cli, ["recount"])
    assert "all ideas counters are right" in result.output


def test_the_command_is_registered_with_the_app(app, db, portal):
    result = app.test_cli_runner().invoke(args=["ideas", "recount"])

    assert result.exit_code == 0, result.output
    assert "all ideas counters are right" in result.output
