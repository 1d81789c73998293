"""Roadmap, prioritisation with customer value, proxy votes, ship feedback, challenges."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update

from community.core.db import utcnow
from community.core.errors import Conflict, InvalidInput, PermissionDenied
from community.extensions import db
from community.ideas.models import CustomerValue, Idea, IdeaVote, IdeaVoter
from community.ideas.services import (
    challenges,
    customer_values,
    data,
    feedback,
    merging,
    moderating,
    priorities,
    recount,
    roadmap,
    statuses,
    voting,
)
from community.notifications.models import Notification
from community.reputation.models import ReputationEvent
from community.reputation.services import badges
from tests.catalog.factories import make_product
from tests.factories import make_user
from tests.ideas.factories import make_idea


@pytest.fixture()
def team(db):
    return make_user(role="team")


def shipped_days_ago(idea: Idea, days: int) -> None:
    db.session.execute(
        update(Idea).where(Idea.id == idea.id).values(shipped_at=utcnow() - dt.timedelta(days=days))
    )
    db.session.expire(idea)


# ---------------------------------------------------------------- roadmap


def test_the_roadmap_has_three_columns_per_product(db, team):
    app_product, web = make_product(name="App"), make_product(name="Web")
    planned, doing, shipped, old = (make_idea(product=app_product) for _ in range(4))
    web_planned = make_idea(product=web)
    make_idea(product=web)  # open: not on the roadmap
    statuses.change_status(team, planned, "planned", "")
    statuses.change_status(team, web_planned, "planned", "")
    statuses.change_status(team, doing, "in_progress", "")
    statuses.change_status(team, shipped, "shipped", "")
    statuses.change_status(team, old, "shipped", "")
    shipped_days_ago(old, 200)

    board = roadmap.roadmap(make_user())

    columns = {c.status.value: c for c in board.columns}
    assert {i.id for i in columns["planned"].ideas} == {planned.id, web_planned.id}
    assert [i.id for i in columns["in_progress"].ideas] == [doing.id]
    assert [i.id for i in columns["shipped"].ideas] == [shipped.id]
    assert [p.name for p, _ in columns["planned"].by_product] == ["App", "Web"]
    only_web = roadmap.roadmap(make_user(), web.slug)
    assert [i.id for c in only_web.columns for i in c.ideas] == [web_planned.id]


# ---------------------------------------------------------------- priorities


def test_the_priority_table_weighs_votes_by_customer_value(db, team):
    cheap, valuable = make_idea(title="Cheap"), make_idea(title="Valuable")
    big, small = make_user(username="bigco"), make_user(username="smallco")
    customer_values.set_customer_value(team, big.username, 500, "enterprise")
    customer_values.set_customer_value(team, small.username, 10, "starter")
    voting.vote(big, valuable, "critical")
    for _ in range(3):
        voting.vote(make_user(), cheap, "nice_to_have")

    rows = priorities.table(team, sort="value")

    assert [r.idea.title for r in rows] == ["Valuable", "Cheap"]
    top = rows[0]
    # The author's own vote (important, no value: 2 × 1) and bigco's (critical: 3 × 500).
    assert (top.unique_voters, top.weighted, top.value_score, top.trend) == (2, 5, 1502, 2)
    by_votes = priorities.table(team, sort="votes")
    assert [r.idea.title for r in by_votes] == ["Cheap", "Valuable"]
    enterprise = priorities.table(team, segment="enterprise")
    assert [(r.idea.title, r.unique_voters) for r in enterprise] == [("Valuable", 1)]
    assert customer_values.segments() == ["enterprise", "starter"]


def test_a_segment_counts_only_its_members_votes_on_open_visible_ideas(db, team):
    app_product, web = make_product(), make_product()
    first, second, closed, hidden = (make_idea(product=app_product) for _ in range(4))
    elsewhere = make_idea(product=web)
    big, mid, other = (make_user(reputation=100) for _ in range(3))
    customer_values.set_customer_value(team, big.username, 100, "pro")
    customer_values.set_customer_value(team, mid.username, 10, "pro")
    customer_values.set_customer_value(team, other.username, 1000, "free")
    for idea in (first, closed, hidden, elsewhere):
        voting.vote(big, idea, "critical")
    for idea in (first, second):
        voting.vote(mid, idea, "nice_to_have")
    voting.vote(other, second, "critical")
    statuses.change_status(team, closed, "declined", "Out of scope.")
    moderating.hide_idea(team, hidden, "Spam")
    today = utcnow()
    db.session.execute(
        update(IdeaVote)
        .where(IdeaVote.user_id == mid.id, IdeaVote.idea_id == second.id)
        .values(created_at=today - dt.timedelta(days=40))
    )

    def rows(sort: str, product_id: int | None = None) -> list[tuple]:
        table = priorities.table(team, sort=sort, segment="pro", product_id=product_id, now=today)
        return [(r.idea.id, r.unique_voters, r.weighted, r.trend, r.value_score) for r in table]

    # first: big (critical: 3 × 100) and mid (nice to have: 1 × 10), both today;
    # second: mid's vote of 40 days ago; elsewhere: big's. Not the author's own votes
    # (no customer value), nor free's, nor the declined and the hidden idea.
    first_row, second_row = (first.id, 2, 4, 2, 310), (second.id, 1, 1, 0, 10)
    elsewhere_row = (elsewhere.id, 1, 3, 1, 300)
    assert rows("value") == [first_row, elsewhere_row, second_row]
    assert rows("weighted") == [first_row, elsewhere_row, second_row]
    assert rows("votes") == [first_row, elsewhere_row, second_row]
    assert rows("trend") == [first_row, elsewhere_row, second_row]
    assert rows("value", app_product.id) == [first_row, second_row]
    assert priorities.table(team, segment="nobody") == []


def test_merged_votes_count_twice_in_votes_but_once_in_unique_voters(db, team):
    original, duplicate = make_idea(), make_idea()
    both = make_user()
    voting.vote(both, original)
    voting.vote(both, duplicate)
    merging.merge(team, duplicate, original.id)

    (row,) = priorities.table(team)

    # Authors of both ideas and the member who voted for both.
    assert (row.unique_voters, row.votes) == (3, 4)


def test_only_the_team_sees_priorities_and_sets_values(db):
    member = make_user()
    with pytest.raises(PermissionDenied):
        priorities.table(member)
    with pytest.raises(PermissionDenied):
        customer_values.set_customer_value(member, member.username, 5, "")


def test_customer_values_import_from_csv_all_or_nothing(db, team):
    ann, bob = make_user(username="ann"), make_user(username="bob", email="bob@example.com")

    bad = customer_values.import_csv(team, "member,value,segment\nann,100,pro\nnobody,5,\nbob,x,\n")
    assert bad.imported == 0 and len(bad.errors) == 2
    assert "Line 3" in bad.errors[0] and "Line 4" in bad.errors[1]  # lines of the file
    assert db.session.scalar(select(func.count()).select_from(CustomerValue)) == 0

    good = customer_values.import_csv(team, "ann,100,pro\nBOB@example.com,7,\n")
    assert good.imported == 2 and good.errors == []
    assert db.session.get(CustomerValue, ann.id).segment == "pro"
    assert db.session.get(CustomerValue, bob.id).value == 7

    with pytest.raises(InvalidInput):
        customer_values.import_csv(team, "\n\n")


def _scores(*ideas: Idea) -> list[int]:
    db.session.expire_all()
    return [db.session.get(Idea, idea.id).value_score for idea in ideas]


def test_the_stored_value_score_follows_votes_and_customer_values(db, team):
    first, second = make_idea(), make_idea()
    customer, other = make_user(username="bigco", reputation=100), make_user(reputation=100)
    voting.vote(customer, first, "critical")
    voting.vote(customer, second, "nice_to_have")
    voting.vote(other, first, "nice_to_have")
    # The authors' own votes (2 × 1 each), bigco (3 × 1 and 1 × 1), the other (1 × 1).
    assert _scores(first, second) == [2 + 3 + 1, 2 + 1]

    customer_values.set_customer_value(team, "bigco", 500, "enterprise")
    assert _scores(first, second) == [2 + 1500 + 1, 2 + 500]
    voting.set_importance(customer, second, "important")
    assert _scores(first, second) == [2 + 1500 + 1, 2 + 1000]
    customer_values.import_csv(team, "bigco,100,enterprise\n")
    assert _scores(first, second) == [2 + 300 + 1, 2 + 200]
    voting.unvote(customer, first)
    assert _scores(first, second) == [2 + 1, 2 + 200]
    voting.vote(customer, first, "critical", proxy_by=team)  # weighed like their own
    assert _scores(first, second) == [2 + 300 + 1, 2 + 200]
    assert [row.value_score for row in priorities.table(team)] == [303, 202]
    assert recount.recount() == []


def test_the_trend_counts_the_votes_of_the_last_thirty_days(db, team):
    idea, other = make_idea(), make_idea()
    old, recent = make_user(reputation=100), make_user(reputation=100)
    voting.vote(old, idea)
    voting.vote(recent, idea)
    today = utcnow()
    for voter, days in ((old, 30), (recent, 29)):
        db.session.execute(
            update(IdeaVote)
            .where(IdeaVote.user_id == voter.id)
            .values(created_at=today - dt.timedelta(days=days))
        )
    assert recount.recount(fix=True)  # the votes per day follow the moved votes

    rows = priorities.table(team, sort="trend", now=today)

    # The author's own vote today and the vote of 29 days ago; not the one of 30 days ago.
    assert [(row.idea.id, row.trend) for row in rows] == [(idea.id, 2), (other.id, 1)]
    voting.unvote(old, idea)  # its day, a month ago, counts one vote less
    assert recount.recount() == []
    assert priorities.table(team, sort="votes", now=today)[0].trend == 2


def test_erasing_a_customer_leaves_their_votes_at_weight_one(db, team):
    idea = make_idea()
    customer = make_user(username="bigco", reputation=100)
    voting.vote(customer, idea, "critical")
    customer_values.set_customer_value(team, "bigco", 50, "")
    assert _scores(idea) == [2 + 150]

    data.erase(customer)

    assert _scores(idea) == [2 + 3]
    assert db.session.get(CustomerValue, customer.id) is None
    assert recount.recount() == []
    data.remove_votes_of(customer)
    assert _scores(idea) == [2]
    assert recount.recount() == []


def test_a_merge_carries_the_value_score_and_an_unmerge_takes_it_back(db, team):
    original, duplicate = make_idea(), make_idea()
    customer = make_user(username="bigco", reputation=100)
    customer_values.set_customer_value(team, "bigco", 10, "")
    voting.vote(customer, duplicate, "critical")

    merging.merge(team, duplicate, original.id)
    # The duplicate's author's vote and bigco's moved over.
    assert _scores(original, duplicate) == [2 + 2 + 30, 0]
    merging.unmerge(team, db.session.get(Idea, duplicate.id))
    assert _scores(original, duplicate) == [2, 2 + 30]
    assert recount.recount() == []


def test_the_priority_table_reads_stored_counts_in_constant_queries(db, team, count_queries):
    ideas = [make_idea() for _ in range(3)]
    voting.vote(make_user(reputation=100), ideas[0], "critical")

    def queries() -> int:
        db.session.expire_all()
        with count_queries() as counted:
            priorities.table(team, sort="trend")
        return len(counted)

    few = queries()
    for idea in ideas + [make_idea() for _ in range(5)]:
        for _ in range(2):
            voting.vote(make_user(reputation=100), idea, "important")
    merging.merge(team, ideas[2], ideas[1].id)
    assert queries() == few <= 3


# ---------------------------------------------------------------- proxy votes


def test_a_proxy_vote_is_labelled_outside_the_budget_and_withdrawable(app, db, team):
    app.config["IDEA_VOTE_BUDGET"] = 1
    try:
        idea = make_idea()
        customer = make_user(username="carla")
        voting.vote(customer, make_idea())  # their budget is used up

        voting.proxy_vote(team, idea, "carla", "critical")

        row = db.session.get(IdeaVote, (idea.id, customer.id))
        assert row.proxy_by_id == team.id
        assert db.session.get(IdeaVoter, customer.id).open_votes == 1
        texts = db.session.scalars(
            select(Notification.text).where(Notification.user_id == customer.id)
        )
        assert any("recorded your vote" in t for t in texts)

        assert voting.unvote(customer, idea) is True
        assert db.session.get(IdeaVoter, customer.id).open_votes == 1
    finally:
        app.config["IDEA_VOTE_BUDGET"] = 0


def test_proxy_votes_are_for_the_team_and_for_customers(db, team):
    idea = make_idea()
    with pytest.raises(PermissionDenied):
        voting.proxy_vote(make_user(), idea, team.username)
    with pytest.raises(InvalidInput):
        voting.proxy_vote(team, idea, "nobody-here")
    with pytest.raises(InvalidInput):
        voting.proxy_vote(team, idea, make_user(role="team").username)


# ---------------------------------------------------------------- did this solve it


def test_voters_are_asked_ten_days_after_shipping_once(db, team):
    idea = make_idea()
    author, fan = idea.author, make_user()
    voting.vote(fan, idea)
    statuses.change_status(team, idea, "shipped", "")
    assert feedback.ask_due() == 0  # too early

    shipped_days_ago(idea, 10)
    assert feedback.ask_due() == 2  # the author and the fan
    assert feedback.ask_due() == 0  # once

    feedback.answer(fan, idea, "partly")
    feedback.answer(fan, idea, "yes")  # changed their mind
    feedback.answer(author, idea, "no")
    db.session.expire(idea)
    assert feedback.summary(idea) == feedback.Summary(yes=1, partly=0, no=1)
    assert feedback.my_answer(fan, idea) == "yes"


def test_only_voters_answer_and_only_when_asked(db, team):
    idea = make_idea()
    author = idea.author
    with pytest.raises(Conflict):
        feedback.answer(author, idea, "yes")
    statuses.change_status(team, idea, "shipped", "")
    shipped_days_ago(idea, 11)
    with pytest.raises(PermissionDenied):
        feedback.answer(make_user(), idea, "yes")
    with pytest.raises(InvalidInput):
        feedback.answer(author, idea, "maybe")


# ---------------------------------------------------------------- challenges


def test_a_challenge_takes_ideas_while_running_and_ranks_them(db, team):
    now = utcnow()
    challenge = challenges.create_challenge(
        team,
        "Travel better",
        "How should the app help on trips?",
        now - dt.timedelta(days=1),
        now + dt.timedelta(days=7),
    )
    first = make_idea(challenge_id=challenge.id)
    second = make_idea(challenge_id=challenge.id)
    voting.vote(make_user(), second)

    page = challenges.challenge_page(make_user(), challenge)

    assert [i.id for i in page.ideas] == [second.id, first.id]
    assert challenges.state(challenge) == "running"
    assert db.session.get(type(challenge), challenge.id).idea_count == 2
    assert challenges.list_challenges()["running"] == [challenge]


def test_ended_challenges_take_no_ideas_and_get_winners_once(db, team):
    now = utcnow()
    challenge = challenges.create_challenge(
        team,
        "Quiet mode",
        "Ideas for quiet.",
        now - dt.timedelta(days=3),
        now + dt.timedelta(days=1),
    )
    idea = make_idea(challenge_id=challenge.id)
    author = idea.author
    with pytest.raises(Conflict):
        challenges.pick_winners(team, challenge, [idea.id])  # still running
    challenge.ends_at = now - dt.timedelta(minutes=1)
    db.session.flush()
    with pytest.raises(InvalidInput):
        make_idea(challenge_id=challenge.id)

    challenges.pick_winners(team, challenge, [idea.id])

    assert challenges.state(challenge) == "decided"
    assert "challenge_winner" in badges.held_keys(author)
    won = db.session.scalar(
        select(func.sum(ReputationEvent.points)).where(
            ReputationEvent.user_id == author.id, ReputationEvent.reason == "challenge_won"
        )
    )
    assert won == 25
    with pytest.raises(Conflict):
        challenges.pick_winners(team, challenge, [idea.id])


def test_challenge_rules(db, team):
    now = utcnow()
    with pytest.raises(PermissionDenied):
        challenges.create_challenge(make_user(), "T", "B", now, now + dt.timedelta(days=1))
    with pytest.raises(InvalidInput):
        challenges.create_challenge(team, "T", "B", now, now - dt.timedelta(days=1))


def test_the_daily_command_asks_due_voters(app, db, team):
    idea = make_idea()
    statuses.change_status(team, idea, "shipped", "")
    shipped_days_ago(idea, 12)
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["ideas", "ask-feedback"])

    assert result.exit_code == 0, result.output
    assert "asked 1 voters" in result.output
