"""The roadmap, shipped history, challenges, ship feedback and the team's pages and tools
through the client: who may see each page, what it shows, every form (with its refusals
keeping what was typed) and a bound on the queries of the busiest pages."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from flask import render_template
from markupsafe import escape
from sqlalchemy import func, select, update

from community.core.db import utcnow
from community.extensions import db
from community.ideas.models import (
    Challenge,
    ChallengeWinner,
    CustomerValue,
    Idea,
    IdeaVote,
    ShipFeedback,
)
from community.ideas.services import (
    challenges,
    customer_values,
    merging,
    priorities,
    statuses,
    voting,
)
from community.ideas.views import campaigns, team
from tests.catalog.factories import make_product
from tests.conftest import login
from tests.factories import PASSWORD, make_user
from tests.ideas.factories import make_idea


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _member(**overrides):
    """A member out of the new-member sandbox (no spam screening of what they write)."""
    return make_user(reputation=100, **overrides)


def _client_for(app, user):
    client = app.test_client()
    login(client, user)
    return client


def _fresh(idea: Idea) -> Idea:
    db.session.expire_all()
    return db.session.get(Idea, idea.id)


def _shipped_days_ago(idea: Idea, days: int) -> None:
    db.session.execute(
        update(Idea).where(Idea.id == idea.id).values(shipped_at=utcnow() - dt.timedelta(days=days))
    )
    db.session.expire(idea)


def _challenge(actor, title="Travel better", *, starts=-1, ends=7, product=None) -> Challenge:
    """A challenge whose window starts and ends ``starts`` / ``ends`` days from now."""
    now = utcnow()
    challenge = challenges.create_challenge(
        actor,
        title,
        "How should the app help **on trips**?",
        now + dt.timedelta(days=starts),
        now + dt.timedelta(days=ends),
        product.id if product is not None else None,
    )
    db.session.flush()
    return challenge


def _end(challenge: Challenge) -> None:
    db.session.execute(
        update(Challenge)
        .where(Challenge.id == challenge.id)
        .values(ends_at=utcnow() - dt.timedelta(minutes=1))
    )
    db.session.expire(challenge)


@pytest.fixture()
def team_member(db):
    return make_user(role="team", reputation=100)


# ---------------------------------------------------------------- the roadmap


def test_the_roadmap_shows_three_columns_grouped_by_product_with_votes(client, db, team_member):
    app_product = make_product(name="Hiking app", slug="hiking")
    web = make_product(name="Web shop", slug="shop")
    planned = make_idea(title="Offline maps", product=app_product)
    web_planned = make_idea(title="Gift cards", product=web)
    doing = make_idea(title="Dark mode", product=app_product)
    shipped = make_idea(title="Export to GPX", product=app_product)
    make_idea(title="Still just open", product=web)
    for idea, status in [
        (planned, "planned"),
        (web_planned, "planned"),
        (doing, "in_progress"),
        (shipped, "shipped"),
    ]:
        statuses.change_status(team_member, idea, status, "")
    voting.vote(_member(), planned)
    db.session.flush()

    response = client.get("/roadmap")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    columns = re.findall(r'<h2 id="column-(\w+)">([^<]+)', html)
    assert [(key, label.strip()) for key, label in columns] == [
        ("planned", "Planned"),
        ("in_progress", "In progress"),
        ("shipped", "Recently shipped"),
    ]
    planned_column = html[html.index('id="column-planned"') : html.index('id="column-in_progress"')]
    assert planned_column.index("Hiking app") < planned_column.index("Offline maps")
    assert planned_column.index("Offline maps") < planned_column.index("Web shop")
    assert planned_column.index("Web shop") < planned_column.index("Gift cards")
    assert f'href="/ideas/{planned.id}"' in planned_column and "2 votes" in planned_column
    assert (
        "Dark mode"
        in html[html.index('id="column-in_progress"') : html.index('id="column-shipped"')]
    )
    assert "Export to GPX" in html[html.index('id="column-shipped"') :]
    assert "Still just open" not in html
    assert 'href="/roadmap/shipped"' in html and "Full shipped history" in html


def test_the_roadmap_filters_by_product_and_refuses_an_unknown_one(client, db, team_member):
    hiking, shop = make_product(name="Hiking app", slug="hiking"), make_product(slug="shop")
    ours, theirs = make_idea(title="Offline maps", product=hiking), make_idea(product=shop)
    statuses.change_status(team_member, ours, "planned", "")
    statuses.change_status(team_member, theirs, "planned", "")
    db.session.flush()

    html = client.get("/roadmap?product=hiking").get_data(as_text=True)

    assert "Offline maps" in html and theirs.title not in html
    assert "Roadmap: Hiking app" in html
    assert '<option value="hiking" selected>' in html
    assert 'href="/roadmap/shipped?product=hiking"' in html
    assert client.get("/roadmap?product=no-such-thing").status_code == 404


def test_the_shipped_history_lists_every_shipped_idea_newest_first_in_pages(
    client, db, team_member
):
    product = make_product(slug="hiking")
    author = _member()
    ideas = [
        make_idea(title=f"Shipped idea {n}", product=product, author=author) for n in range(22)
    ]
    make_idea(title="An open idea", product=product, author=author)
    for n, idea in enumerate(ideas):
        statuses.change_status(team_member, idea, "shipped", "")
        _shipped_days_ago(idea, 200 + n)  # older than the roadmap's 90 days
    db.session.flush()

    first = client.get("/roadmap/shipped")
    html = first.get_data(as_text=True)
    match = re.search(r'href="(/roadmap/shipped\?[^"]*cursor=[^"]+)"', html)
    assert match, "no link to older shipped ideas"
    more = client.get(match.group(1).replace("&amp;", "&")).get_data(as_text=True)

    assert first.status_code == 200
    shown = re.findall(r"Shipped idea (\d+)", html)
    assert shown == [str(n) for n in range(20)]  # newest shipping first
    assert re.findall(r"Shipped idea (\d+)", more) == ["20", "21"]
    assert "An open idea" not in html + more
    roadmap = client.get("/roadmap").get_data(as_text=True)
    assert "Shipped idea" not in roadmap  # shipped long ago: only in the history
    assert client.get("/roadmap/shipped?product=nope").status_code == 400
    assert client.get("/roadmap/shipped?cursor=broken").status_code == 400


def test_visitors_do_not_see_hidden_ideas_on_the_roadmap(client, db, team_member):
    idea = make_idea(title="Secretly planned")
    statuses.change_status(team_member, idea, "planned", "")
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(hidden_at=func.now()))
    db.session.flush()
    assert "Secretly planned" not in client.get("/roadmap").get_data(as_text=True)


# ---------------------------------------------------------------- challenges


def test_the_challenges_page_groups_running_upcoming_ended_and_decided(
    app, client, db, team_member
):
    _challenge(team_member, "Running one")
    _challenge(team_member, "Upcoming one", starts=3, ends=10)
    ended = _challenge(team_member, "Ended one", starts=-10, ends=1)
    _end(ended)
    decided = _challenge(team_member, "Decided one", starts=-10, ends=1)
    winner = make_idea(challenge_id=decided.id)
    _end(decided)
    challenges.pick_winners(team_member, decided, [winner.id])
    db.session.flush()

    html = client.get("/challenges/").get_data(as_text=True)

    order = [html.index(text) for text in ("Running", "Upcoming", "Ended: winners", "Decided")]
    assert order == sorted(order)
    for title in ("Running one", "Upcoming one", "Ended one", "Decided one"):
        assert title in html
    assert "New challenge" not in html
    assert "New challenge" in _client_for(app, team_member).get("/challenges/").get_data(
        as_text=True
    )


def test_a_running_challenge_ranks_its_ideas_and_offers_to_submit_one(app, client, db, team_member):
    product = make_product(slug="hiking")
    challenge = _challenge(team_member, product=product)
    quiet = make_idea(title="Quiet idea", challenge_id=challenge.id, product=product)
    loud = make_idea(title="Loud idea", challenge_id=challenge.id, product=product)
    voting.vote(_member(), loud)
    db.session.flush()

    visitor = client.get(f"/challenges/{challenge.slug}")
    html = visitor.get_data(as_text=True)
    member_html = (
        _client_for(app, _member()).get(f"/challenges/{challenge.slug}").get_data(as_text=True)
    )

    assert visitor.status_code == 200
    assert "<h1>Travel better</h1>" in html
    assert "<strong>on trips</strong>" in html
    assert html.index("Loud idea") < html.index("Quiet idea")
    assert f'href="/ideas/{quiet.id}"' in html
    assert "Log in to submit an idea" in html
    assert f'href="/ideas/new?challenge={challenge.id}&amp;product=hiking"' in member_html
    assert "Submit an idea" in member_html
    assert "Choose the winners" not in member_html
    assert client.get("/challenges/no-such-challenge").status_code == 404


def test_an_upcoming_challenge_takes_no_ideas_yet(app, db, team_member):
    challenge = _challenge(team_member, starts=2, ends=9)
    html = _client_for(app, _member()).get(f"/challenges/{challenge.slug}").get_data(as_text=True)
    assert "This challenge opens on" in html
    assert "Submit an idea" not in html


def test_the_team_picks_the_winners_of_an_ended_challenge(app, db, team_member):
    challenge = _challenge(team_member, starts=-10, ends=1)
    first = make_idea(title="First idea", challenge_id=challenge.id)
    second = make_idea(title="Second idea", challenge_id=challenge.id)
    third = make_idea(title="Third idea", challenge_id=challenge.id)
    for _ in range(2):
        voting.vote(_member(), second)
    voting.vote(_member(), third)
    _end(challenge)
    db.session.flush()
    client = _client_for(app, team_member)

    page = client.get(f"/challenges/{challenge.slug}").get_data(as_text=True)
    boxes = re.findall(r'<input type="checkbox" id="winner-(\d+)" name="ideas"', page)
    response = client.post(
        f"/challenges/{challenge.slug}/winners", data={"ideas": [str(second.id), str(first.id)]}
    )

    assert boxes == [str(second.id), str(third.id), str(first.id)]  # in rank order
    assert response.status_code == 302
    assert response.location.endswith(f"/challenges/{challenge.slug}")
    places = dict(
        db.session.execute(
            select(ChallengeWinner.idea_id, ChallengeWinner.place).where(
                ChallengeWinner.challenge_id == challenge.id
            )
        ).all()
    )
    assert places == {second.id: 1, first.id: 2}
    decided = client.get(response.location).get_data(as_text=True)
    assert "The winners are chosen" in decided
    assert "Winner, place 1" in decided and "Winner, place 2" in decided
    assert "Choose the winners" not in decided


def test_picking_no_winner_is_refused_on_the_form(app, db, team_member):
    challenge = _challenge(team_member, starts=-10, ends=1)
    make_idea(challenge_id=challenge.id)
    _end(challenge)
    db.session.flush()
    client = _client_for(app, team_member)

    nothing = client.post(f"/challenges/{challenge.slug}/winners", data={})
    garbage = client.post(f"/challenges/{challenge.slug}/winners", data={"ideas": ["x1"]})

    assert nothing.status_code == 400
    assert "Choose between 1 and 10 winning ideas." in nothing.get_data(as_text=True)
    assert garbage.status_code == 400
    assert "Choose the winning ideas." in garbage.get_data(as_text=True)
    assert _count(ChallengeWinner, ChallengeWinner.challenge_id == challenge.id) == 0


def test_winners_of_a_running_challenge_are_a_conflict_and_members_are_refused(
    app, db, team_member
):
    challenge = _challenge(team_member)
    idea = make_idea(challenge_id=challenge.id)
    db.session.flush()

    early = _client_for(app, team_member).post(
        f"/challenges/{challenge.slug}/winners", data={"ideas": [str(idea.id)]}
    )
    _end(challenge)
    db.session.flush()
    by_member = _client_for(app, _member()).post(
        f"/challenges/{challenge.slug}/winners", data={"ideas": [str(idea.id)]}
    )

    assert early.status_code == 409
    assert "only once" in early.get_data(as_text=True)
    assert by_member.status_code == 403
    assert _count(ChallengeWinner, ChallengeWinner.challenge_id == challenge.id) == 0


def _challenge_data(**overrides) -> dict:
    data = {
        "title": "Make trips easier",
        "body": "What would help you **on the road**?",
        "starts_at": "2030-01-01T09:00",
        "ends_at": "2030-02-01T18:30",
        "product": "",
        "save": "Create challenge",
    }
    data.update(overrides)
    return data


def test_the_team_creates_a_challenge_with_a_window_in_utc(app, db, team_member):
    product = make_product(name="Hiking app")
    client = _client_for(app, team_member)

    form = client.get("/challenges/new").get_data(as_text=True)
    response = client.post("/challenges/new", data=_challenge_data(product=str(product.id)))

    assert 'type="datetime-local"' in form and "Starts at (UTC)" in form
    assert response.status_code == 302
    created = db.session.scalar(select(Challenge).where(Challenge.title == "Make trips easier"))
    assert response.location.endswith(f"/challenges/{created.slug}")
    assert created.starts_at == dt.datetime(2030, 1, 1, 9, 0, tzinfo=dt.UTC)
    assert created.ends_at == dt.datetime(2030, 2, 1, 18, 30, tzinfo=dt.UTC)
    assert created.product_id == product.id
    page = client.get(response.location).get_data(as_text=True)
    assert "is created" in page and "<strong>on the road</strong>" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": "2029-12-31T09:00"}, "The end must come after the start."),
        ({"title": ""}, "Please write something."),
        ({"starts_at": "next tuesday"}, "Give a date and a time"),
        ({"starts_at": "", "ends_at": ""}, "Give the start and the end."),
    ],
)
def test_a_refused_challenge_keeps_what_was_typed(app, db, team_member, overrides, message):
    client = _client_for(app, team_member)

    response = client.post("/challenges/new", data=_challenge_data(**overrides))

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert "What would help you **on the road**?" in html
    for name in ("title", "starts_at", "ends_at"):
        typed = _challenge_data(**overrides)[name]
        if typed:
            assert f'value="{typed}"' in html, name
    assert _count(Challenge) == 0


def test_members_may_not_create_challenges(app, db):
    client = _client_for(app, _member())
    assert client.get("/challenges/new").status_code == 403
    assert client.post("/challenges/new", data=_challenge_data()).status_code == 403
    assert _count(Challenge) == 0


# ---------------------------------------------------------------- did this solve it for you?


def _shipped_idea(team_member, days=11):
    idea = make_idea(title="Shipped export")
    statuses.change_status(team_member, idea, "shipped", "Out now.")
    _shipped_days_ago(idea, days)
    db.session.flush()
    return idea


def test_a_voter_answers_and_changes_the_answer_through_the_page(app, db, team_member):
    idea = _shipped_idea(team_member)
    client = _client_for(app, idea.author)

    first = client.post(f"/ideas/{idea.id}/feedback", data={"answer": "partly"})
    landed = client.get(first.location).get_data(as_text=True)
    second = client.post(f"/ideas/{idea.id}/feedback", data={"answer": "yes"})

    assert first.status_code == second.status_code == 302
    assert first.location.endswith(f"/ideas/{idea.id}#feedback")
    assert "Thank you for your answer: Partly." in landed
    assert db.session.get(ShipFeedback, (idea.id, idea.author_id)).answer == "yes"
    fresh = _fresh(idea)
    assert (fresh.feedback_yes, fresh.feedback_partly, fresh.feedback_no) == (1, 0, 0)


def test_feedback_is_refused_to_non_voters_before_ten_days_and_for_bad_answers(
    app, db, team_member
):
    idea = _shipped_idea(team_member)
    early = _shipped_idea(team_member, days=2)

    stranger = _client_for(app, _member()).post(
        f"/ideas/{idea.id}/feedback", data={"answer": "yes"}
    )
    author = _client_for(app, idea.author)
    bad = author.post(f"/ideas/{idea.id}/feedback", data={"answer": "maybe"})
    too_soon = _client_for(app, early.author).post(
        f"/ideas/{early.id}/feedback", data={"answer": "yes"}
    )

    assert stranger.status_code == 403
    assert bad.status_code == 400
    assert "Your answer is not saved: Answer yes, partly or no." in bad.get_data(as_text=True)
    assert too_soon.status_code == 409
    assert _count(ShipFeedback) == 0


def _render_partial(app, name: str, **context) -> str:
    with app.test_request_context("/"):
        return render_template(name, **context)


def test_the_feedback_partial_asks_voters_and_shows_everyone_the_counts(app, db, team_member):
    idea = _shipped_idea(team_member)
    voter, stranger = idea.author, _member()
    from community.ideas.services import feedback

    feedback.answer(voter, idea, "no")
    db.session.flush()
    db.session.refresh(idea)

    for_voter = _render_partial(
        app, "ideas/_feedback.html", idea=idea, feedback_state=campaigns.feedback_state(voter, idea)
    )
    for_stranger = _render_partial(
        app,
        "ideas/_feedback.html",
        idea=idea,
        feedback_state=campaigns.feedback_state(stranger, idea),
    )
    not_yet = make_idea()
    before = _render_partial(
        app,
        "ideas/_feedback.html",
        idea=not_yet,
        feedback_state=campaigns.feedback_state(voter, not_yet),
    )

    assert "Did this solve it for you?" in for_voter
    assert f'action="/ideas/{idea.id}/feedback"' in for_voter
    assert re.search(r'value="no" checked', for_voter)
    assert "Change my answer" in for_voter
    assert re.search(r"<dt>No</dt><dd>1</dd>", for_stranger)
    assert re.search(r"<dt>Yes</dt><dd>0</dd>", for_stranger)
    assert "/feedback" not in for_stranger
    assert before.strip() == ""


# ---------------------------------------------------------------- the team's tools on an idea


def test_the_team_tools_partial_offers_proxy_vote_merge_and_unmerge(app, db, team_member):
    idea, target = make_idea(), make_idea()

    tools = _render_partial(
        app,
        "ideas/_team_tools.html",
        idea=idea,
        team_tools=team.team_tools(team_member, idea),
    )
    merging.merge(team_member, idea, target.id)
    db.session.flush()
    merged = _render_partial(
        app,
        "ideas/_team_tools.html",
        idea=_fresh(idea),
        team_tools=team.team_tools(team_member, idea),
    )
    for_member = _render_partial(
        app, "ideas/_team_tools.html", idea=idea, team_tools=team.team_tools(_member(), idea)
    )

    assert f'action="/ideas/{idea.id}/proxy-vote"' in tools
    assert 'name="username"' in tools and 'name="importance"' in tools
    assert f'action="/ideas/{idea.id}/merge"' in tools and 'name="into"' in tools
    assert "/unmerge" not in tools
    assert f'action="/ideas/{idea.id}/unmerge"' in merged
    assert "/merge" not in merged.replace("/unmerge", "")
    assert for_member.strip() == ""


def test_the_team_records_a_proxy_vote_through_the_page(app, db, team_member):
    idea = make_idea()
    customer = _member(username="carla")
    client = _client_for(app, team_member)

    response = client.post(
        f"/ideas/{idea.id}/proxy-vote", data={"username": "Carla", "importance": "critical"}
    )

    assert response.status_code == 302
    vote = db.session.get(IdeaVote, (idea.id, customer.id))
    assert vote.proxy_by_id == team_member.id and vote.importance == 3
    page = client.get(response.location).get_data(as_text=True)
    assert "The vote of Carla is recorded (Critical); they are told." in page


def test_a_refused_proxy_vote_says_why_and_records_nothing(app, db, team_member):
    idea = make_idea()
    client = _client_for(app, team_member)

    nobody = client.post(f"/ideas/{idea.id}/proxy-vote", data={"username": "nobody-here"})
    by_member = _client_for(app, _member()).post(
        f"/ideas/{idea.id}/proxy-vote", data={"username": team_member.username}
    )

    assert nobody.status_code == 400
    assert "The vote is not recorded: There is no member with this username." in nobody.get_data(
        as_text=True
    )
    assert by_member.status_code == 403
    assert _fresh(idea).vote_count == 1  # the author's own


def test_the_team_merges_a_duplicate_and_unmerges_it_through_the_pages(app, db, team_member):
    original, duplicate = make_idea(title="Original"), make_idea(title="Duplicate")
    fan = _member()
    voting.vote(fan, duplicate)
    db.session.flush()
    client = _client_for(app, team_member)

    merged = client.post(f"/ideas/{duplicate.id}/merge", data={"into": f"#{original.id}"})

    assert merged.status_code == 302
    assert merged.location.endswith(f"/ideas/{original.id}")
    assert _fresh(duplicate).merged_into_id == original.id
    assert _fresh(original).vote_count == 3
    assert f"The idea #{duplicate.id} is merged into this one." in client.get(
        merged.location
    ).get_data(as_text=True)

    unmerged = client.post(f"/ideas/{duplicate.id}/unmerge")

    assert unmerged.status_code == 302
    assert unmerged.location.endswith(f"/ideas/{duplicate.id}")
    assert _fresh(duplicate).merged_into_id is None
    assert _fresh(original).vote_count == 1
    assert db.session.get(IdeaVote, (duplicate.id, fan.id)) is not None


@pytest.mark.parametrize(
    ("into", "status", "message"),
    [
        ("itself", 400, "Give the number of the idea to merge into."),
        ("99999999999999999999", 400, "Give the number of the idea to merge into."),
        ("987654321", 400, "There is no idea with this number."),
        ("self", 400, "An idea cannot be merged into itself."),
    ],
)
def test_a_refused_merge_says_why(app, db, team_member, into, status, message):
    idea = make_idea()
    client = _client_for(app, team_member)
    response = client.post(
        f"/ideas/{idea.id}/merge", data={"into": str(idea.id) if into == "self" else into}
    )
    assert response.status_code == status
    assert f"The idea is not merged: {message}" in response.get_data(as_text=True)
    assert _fresh(idea).merged_into_id is None


def test_unmerging_an_idea_that_is_not_merged_is_a_conflict(app, db, team_member):
    idea = make_idea()
    response = _client_for(app, team_member).post(f"/ideas/{idea.id}/unmerge")
    assert response.status_code == 409
    assert "This idea is not merged." in response.get_data(as_text=True)


@pytest.mark.parametrize(("path", "data"), [("merge", {"into": "1"}), ("unmerge", {})])
def test_members_may_not_merge_or_unmerge(app, db, path, data):
    idea = make_idea()
    response = _client_for(app, _member()).post(f"/ideas/{idea.id}/{path}", data=data)
    assert response.status_code == 403


# ---------------------------------------------------------------- priorities


def test_the_priorities_table_shows_every_column_and_the_formula(app, db, team_member):
    cheap = make_idea(title="Cheap idea")
    valuable = make_idea(title="Valuable idea")
    big = _member(username="bigco")
    customer_values.set_customer_value(team_member, big.username, 500, "enterprise")
    voting.vote(big, valuable, "critical")
    for _ in range(3):
        voting.vote(_member(), cheap, "nice_to_have")
    db.session.flush()
    client = _client_for(app, team_member)

    response = client.get("/ideas/priorities")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    headers = re.findall(r'<th scope="col"[^>]*>(?:<a [^>]*>)?([^<]+)', html)
    assert headers == [
        "Idea",
        "Product",
        "Status",
        "Votes",
        "Unique voters",
        "Weighted votes",
        "Trend (30 days)",
        "Value score",
    ]
    assert str(escape(str(priorities.VALUE_FORMULA))) in html
    assert html.index("Valuable idea") < html.index("Cheap idea")
    row = re.search(r"Valuable idea.*?</tr>", html, re.S).group(0)
    cells = re.findall(r'<td align="right">(?:<strong>)?(\d+)', row)
    assert cells == ["2", "2", "5", "2", "1502"]  # votes, voters, weighted, trend, value

    by_votes = client.get("/ideas/priorities?sort=votes").get_data(as_text=True)
    assert by_votes.index("Cheap idea") < by_votes.index("Valuable idea")
    assert 'aria-current="page">Votes<' in by_votes
    enterprise = client.get("/ideas/priorities?segment=enterprise").get_data(as_text=True)
    assert "Valuable idea" in enterprise and "Cheap idea" not in enterprise
    assert '<option value="enterprise" selected>' in enterprise


def test_the_priorities_filter_by_product_and_refuse_unknown_values(app, db, team_member):
    hiking = make_product(slug="hiking")
    make_idea(title="Hiking idea", product=hiking)
    make_idea(title="Other idea")
    db.session.flush()
    client = _client_for(app, team_member)

    html = client.get("/ideas/priorities?product=hiking").get_data(as_text=True)

    assert "Hiking idea" in html and "Other idea" not in html
    assert client.get("/ideas/priorities?sort=loudest").status_code == 400
    assert client.get("/ideas/priorities?product=nope").status_code == 400


@pytest.mark.parametrize("path", ["/ideas/priorities", "/ideas/customer-values"])
def test_team_pages_are_refused_to_members_and_send_visitors_to_log_in(app, client, db, path):
    assert _client_for(app, _member()).get(path).status_code == 403
    response = client.get(path)
    assert response.status_code == 302 and "/auth/login" in response.location


# ---------------------------------------------------------------- customer values


def test_the_team_sets_one_members_value_and_segment(app, db, team_member):
    member = _member(username="bigco")
    client = _client_for(app, team_member)

    page = client.get("/ideas/customer-values").get_data(as_text=True)
    response = client.post(
        "/ideas/customer-values/one",
        data={"username": "bigco", "value": "5000", "segment": "enterprise"},
    )

    assert 'action="/ideas/customer-values/one"' in page
    assert 'action="/ideas/customer-values/import"' in page
    assert 'enctype="multipart/form-data"' in page
    assert response.status_code == 302
    value = db.session.get(CustomerValue, member.id)
    assert (value.value, value.segment) == (5000, "enterprise")
    landed = client.get(response.location).get_data(as_text=True)
    assert "bigco now has the customer value 5000 in the segment enterprise." in landed
    assert '<option value="enterprise">' in landed  # offered for the next one


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "nobody-here", "value": "5"}, "There is no member with this username."),
        ({"username": "bigco", "value": "lots"}, "The value must be a whole number."),
        ({"username": "bigco", "value": "-1"}, "The value must be between 0 and"),
    ],
)
def test_a_refused_customer_value_keeps_what_was_typed(app, db, team_member, data, message):
    _member(username="bigco")
    client = _client_for(app, team_member)

    response = client.post("/ideas/customer-values/one", data={"segment": "pro", **data})

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert f'value="{data["value"]}"' in html and 'value="pro"' in html
    assert _count(CustomerValue) == 0


def _upload(client, text: str | bytes):
    body = text.encode() if isinstance(text, str) else text
    return client.post(
        "/ideas/customer-values/import",
        data={"file": (io.BytesIO(body), "values.csv")},
        content_type="multipart/form-data",
    )


def test_a_good_csv_file_imports_every_line(app, db, team_member):
    ann = _member(username="ann")
    bob = _member(username="bob", email="bob@example.com")
    client = _client_for(app, team_member)

    response = _upload(client, "member,value,segment\nann,100,pro\nBOB@example.com,7,\n")

    assert response.status_code == 302
    assert db.session.get(CustomerValue, ann.id).segment == "pro"
    assert db.session.get(CustomerValue, bob.id).value == 7
    landed = client.get(response.location).get_data(as_text=True)
    assert "Customer values imported for 2 members." in landed


def test_a_bad_csv_file_lists_each_wrong_line_and_imports_nothing(app, db, team_member):
    _member(username="ann")
    _member(username="bob")
    client = _client_for(app, team_member)

    response = _upload(client, "member,value,segment\nann,100,pro\nnobody,5,\nbob,x,\n")

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing was imported: 2 lines are wrong." in html
    errors = re.findall(r"<li>(Line \d+: [^<]+)</li>", html)
    assert errors == ["Line 3: No member nobody.", "Line 4: The value must be a whole number."]
    assert _count(CustomerValue) == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("\n\n", "The file has no lines to import."),
        (b"\xff\xfe\x00bad", "The file must be text in UTF-8"),
    ],
)
def test_an_empty_or_unreadable_csv_file_is_refused(app, db, team_member, body, message):
    client = _client_for(app, team_member)
    response = _upload(client, body)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_an_import_without_a_file_asks_for_one(app, db, team_member):
    client = _client_for(app, team_member)
    response = client.post("/ideas/customer-values/import", data={})
    assert response.status_code == 400
    assert "Choose a CSV file." in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/ideas/customer-values/one", "/ideas/customer-values/import"])
def test_members_may_not_set_customer_values(app, db, path):
    _member(username="bigco")
    response = _client_for(app, _member()).post(
        path, data={"username": "bigco", "value": "5", "segment": ""}
    )
    assert response.status_code == 403
    assert _count(CustomerValue) == 0


# ---------------------------------------------------------------- CSRF


def test_every_post_form_on_these_pages_carries_a_csrf_token(app, db, csrf_enabled):
    team_user = make_user(role="team")
    challenge = _challenge(team_user, starts=-10, ends=1)
    make_idea(challenge_id=challenge.id)
    _end(challenge)
    db.session.commit()
    client = app.test_client()
    html = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    client.post(
        "/auth/login",
        data={"login": team_user.username, "password": PASSWORD, "csrf_token": token},
    )

    pages = [
        "/roadmap",
        "/roadmap/shipped",
        "/challenges/",
        f"/challenges/{challenge.slug}",
        "/challenges/new",
        "/ideas/priorities",
        "/ideas/customer-values",
    ]
    forms = 0
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        for form in re.findall(
            r'<form method="post".*?</form>', response.get_data(as_text=True), re.S
        ):
            forms += 1
            assert re.search(r'name="csrf_token" type="hidden" value="[^"]+"', form), (path, form)
    assert forms >= 4  # new challenge, winners, one value, import (and the footer's)
    refused = client.post(f"/challenges/{challenge.slug}/winners", data={"ideas": ["1"]})
    assert refused.status_code == 400
    assert _count(ChallengeWinner) == 0


# ---------------------------------------------------------------- queries per page


def test_the_roadmap_takes_the_same_queries_for_few_and_many_ideas(app, db, count_queries):
    team_user = make_user(role="team")
    client = _client_for(app, _member())

    def queries(n: int) -> int:
        for i in range(n):
            idea = make_idea()  # each on a product of its own
            voting.vote(_member(), idea)
            status = ("planned", "in_progress", "shipped")[i % 3]
            statuses.change_status(team_user, idea, status, "")
        db.session.flush()
        with count_queries() as statements:
            response = client.get("/roadmap")
        assert response.status_code == 200
        return len(statements)

    few, many = queries(3), queries(27)
    # the member, the branding, three columns (with products), the products of the filter
    assert few == many <= 6


def test_a_challenge_page_takes_the_same_queries_for_few_and_many_ideas(app, db, count_queries):
    team_user = make_user(role="team", reputation=100)
    challenge = _challenge(team_user, starts=-10, ends=1)
    path = f"/challenges/{challenge.slug}"
    client = _client_for(app, team_user)

    def queries(n: int) -> int:
        db.session.execute(
            update(Challenge)
            .where(Challenge.id == challenge.id)
            .values(ends_at=utcnow() + dt.timedelta(days=1))
        )
        for _ in range(n):
            idea = make_idea(challenge_id=challenge.id)
            voting.vote(_member(), idea)
        _end(challenge)
        db.session.flush()
        with count_queries() as statements:
            response = client.get(path)
        assert response.status_code == 200
        assert "Choose the winners" in response.get_data(as_text=True)
        return len(statements)

    few, many = queries(3), queries(27)
    # the member, the branding, the challenge (with product), its ideas (with authors
    # and products), its winners
    assert few == many <= 5


def test_the_priorities_take_the_same_queries_for_few_and_many_ideas(app, db, count_queries):
    team_user = make_user(role="team")
    client = _client_for(app, team_user)
    product = make_product()

    def queries(n: int) -> int:
        for i in range(n):
            idea = make_idea(product=product)
            voter = _member()
            segment = f"segment-{i % 3}"
            customer_values.set_customer_value(team_user, voter.username, 10 * i, segment)
            voting.vote(voter, idea, "critical")
        merging.merge(team_user, make_idea(product=product), idea.id)
        db.session.flush()
        with count_queries() as statements:
            response = client.get("/ideas/priorities")
        assert response.status_code == 200
        return len(statements)

    few, many = queries(3), queries(27)
    # the member, the branding, the products, the table (votes, ideas, merged votes),
    # the segments
    assert few == many <= 7
