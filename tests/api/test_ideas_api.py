"""The ideas API: the list, one idea, new ideas, votes and their counts, the team's status
changes, with the same rules and visibility as the ideas pages."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from community.core.db import utcnow
from community.extensions import db
from community.ideas.models import Challenge, Idea, IdeaVote, IdeaVoter
from community.ideas.services import statuses, voting
from community.reputation.models import ReputationEvent
from tests.accounts.helpers import bearer, new_token
from tests.catalog.factories import make_product
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_user
from tests.ideas.factories import make_idea


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    error = response.get_json()["error"]
    assert error["code"] and error["message"]
    return error


def assert_field_error(response, field: str) -> dict:
    error = assert_json_error(response, 400)
    assert error.get("field") == field, error
    return error


def auth(user) -> dict[str, str]:
    return bearer(new_token(user))


def stored(idea: Idea) -> tuple[int, int]:
    """(vote_count, weighted_votes) as committed by the requests."""
    db.session.expire_all()
    row = db.session.execute(
        select(Idea.vote_count, Idea.weighted_votes).where(Idea.id == idea.id)
    ).one()
    return row[0], row[1]


def vote_rows(idea: Idea) -> int:
    return db.session.scalar(
        select(func.count()).select_from(IdeaVote).where(IdeaVote.idea_id == idea.id)
    )


def upvote_points(user) -> int:
    return (
        db.session.scalar(
            select(func.sum(ReputationEvent.points)).where(
                ReputationEvent.user_id == user.id, ReputationEvent.reason == "idea_upvoted"
            )
        )
        or 0
    )


def hide(idea: Idea) -> None:
    idea.hidden_at = utcnow()
    idea.hidden_reason = "spam"
    db.session.flush()


@pytest.fixture()
def team(db):
    return make_user(username="ideasteam", role="team")


@pytest.fixture()
def author(db):
    """A member out of the new-member sandbox."""
    return make_user(username="thinker", reputation=100)


@pytest.fixture()
def budget(app):
    """Set the vote budget for one test."""

    def set_budget(n: int) -> None:
        app.config["IDEA_VOTE_BUDGET"] = n

    yield set_budget
    app.config["IDEA_VOTE_BUDGET"] = 0


# ---------------------------------------------------------------- the list


def test_the_list_shows_each_ideas_summary(client, db, author):
    product = make_product(name="Lamp", slug="lamp")
    idea = make_idea(author=author, product=product, title="Warmer light", tags=("light", "ux"))

    response = client.get("/api/v1/ideas")

    assert response.status_code == 200
    data = response.get_json()
    assert data["next_cursor"] is None
    assert data["items"] == [
        {
            "id": idea.id,
            "title": "Warmer light",
            "url": f"/ideas/{idea.id}",
            "product": {"slug": "lamp", "name": "Lamp"},
            "status": "open",
            "votes": 1,
            "weighted_votes": 2,
            "comment_count": 0,
            "tags": ["light", "ux"],
            "created_at": idea.created_at.isoformat(),
            "voted": False,
        }
    ]


def test_the_list_marks_the_ideas_the_caller_voted_for(client, db):
    liked, other = make_idea(), make_idea()
    fan = make_user()
    voting.vote(fan, liked)

    items = client.get("/api/v1/ideas?sort=new", headers=auth(fan)).get_json()["items"]

    assert {item["id"]: item["voted"] for item in items} == {liked.id: True, other.id: False}


def test_the_list_sorts_by_votes_and_by_age(client, db):
    make_idea(title="Quiet")
    popular = make_idea(title="Popular")
    make_idea(title="Newest")
    for _ in range(2):
        voting.vote(make_user(), popular)

    def titles(query: str) -> list[str]:
        return [item["title"] for item in client.get(f"/api/v1/ideas?{query}").get_json()["items"]]

    assert titles("sort=top") == ["Popular", "Newest", "Quiet"]
    assert titles("sort=new") == ["Newest", "Popular", "Quiet"]


def test_the_list_costs_the_same_queries_for_few_or_many_ideas(client, db, count_queries):
    fan = make_user()
    headers = auth(fan)

    def queries() -> int:
        with count_queries() as statements:
            response = client.get("/api/v1/ideas", headers=headers)
        assert response.status_code == 200
        return len(statements)

    for _ in range(2):
        voting.vote(fan, make_idea(tags=("one",)))
    few = queries()
    for _ in range(12):
        voting.vote(fan, make_idea(tags=("one", "two")))
    many = queries()

    assert len(client.get("/api/v1/ideas", headers=headers).get_json()["items"]) == 14
    assert many == few


def test_the_list_filters_by_status_product_and_tag(client, db, team):
    lamp, desk = make_product(slug="lamp"), make_product(slug="desk")
    planned = make_idea(product=lamp, tags=("light",))
    untagged = make_idea(product=lamp)
    elsewhere = make_idea(product=desk, tags=("light",))
    statuses.change_status(team, planned, "planned", "Next quarter.")

    def ids(query: str) -> set[int]:
        return {item["id"] for item in client.get(f"/api/v1/ideas?{query}").get_json()["items"]}

    assert ids("status=planned") == {planned.id}
    assert ids("product=lamp") == {planned.id, untagged.id}
    assert ids("tag=light") == {planned.id, elsewhere.id}
    assert ids("product=lamp&tag=light&status=planned") == {planned.id}
    assert ids("status=open") == {untagged.id, elsewhere.id}


def test_the_list_pages_with_next_cursor(client, db):
    product = make_product(slug="paged")
    made = [make_idea(product=product) for _ in range(23)]

    first = client.get("/api/v1/ideas?sort=top&product=paged").get_json()
    second = client.get(
        f"/api/v1/ideas?sort=top&product=paged&cursor={first['next_cursor']}"
    ).get_json()

    assert len(first["items"]) == 20 and first["next_cursor"]
    assert second["next_cursor"] is None
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert sorted(ids) == sorted(idea.id for idea in made)
    assert len(set(ids)) == 23


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("sort=best", "sort"),
        ("status=someday", "status"),
        ("product=no-such-product", "product"),
        ("sort=top&cursor=x", "cursor"),
    ],
)
def test_the_list_with_a_bad_argument_is_400_naming_it(client, db, query, field):
    assert_field_error(client.get(f"/api/v1/ideas?{query}"), field)


def test_a_hidden_idea_is_listed_only_for_its_author_and_the_team(client, db, author, team):
    idea = make_idea(author=author)
    hide(idea)

    def ids(headers=None) -> list[int]:
        return [
            item["id"] for item in client.get("/api/v1/ideas", headers=headers).get_json()["items"]
        ]

    assert ids() == []
    assert ids(auth(make_user())) == []
    assert ids(auth(author)) == [idea.id]
    assert ids(auth(team)) == [idea.id]


def test_a_list_read_with_an_invalid_token_is_401(client, db):
    assert_json_error(client.get("/api/v1/ideas", headers=bearer("mm_wrong")), 401)


# ---------------------------------------------------------------- one idea


def test_an_idea_comes_with_its_body_status_history_and_the_callers_vote(client, db, author, team):
    product = make_product(name="Lamp", slug="lamp")
    idea = make_idea(author=author, product=product, title="Dimmer", body="A *dimmer* knob.")
    fan = make_user()
    voting.vote(fan, idea, "critical")
    statuses.change_status(team, idea, "under_review", "Looking **into** it.")
    statuses.change_status(team, idea, "shipped", "")

    data = client.get(f"/api/v1/ideas/{idea.id}", headers=auth(fan)).get_json()

    assert data["id"] == idea.id
    assert data["title"] == "Dimmer"
    assert data["url"] == f"/ideas/{idea.id}"
    assert data["product"] == {"slug": "lamp", "name": "Lamp"}
    assert data["author"] == {"username": "thinker", "display_name": author.public_display_name}
    assert data["body_html"].strip() == "<p>A <em>dimmer</em> knob.</p>"
    assert (data["votes"], data["weighted_votes"]) == (2, 2 + 3)
    assert data["voted"] is True
    assert data["your_vote"] == {"importance": "critical"}
    assert data["status"] == "shipped"
    assert data["shipped_at"]
    assert data["merged_into"] is None
    assert data["is_hidden"] is False
    first, second = data["status_history"]
    assert (first["from"], first["to"], first["note"]) == (
        "open",
        "under_review",
        "Looking **into** it.",
    )
    assert "<strong>into</strong>" in first["note_html"]
    assert first["actor"] == {"username": "ideasteam", "display_name": team.public_display_name}
    assert first["at"]
    assert (second["from"], second["to"], second["note"]) == ("under_review", "shipped", "")


def test_an_idea_read_by_a_visitor_has_no_vote_of_theirs(client, db):
    idea = make_idea()

    data = client.get(f"/api/v1/ideas/{idea.id}").get_json()

    assert data["your_vote"] is None and data["voted"] is False
    assert data["status_history"] == [] and data["shipped_at"] is None


def test_a_merged_idea_names_the_idea_it_was_merged_into(client, db):
    target, duplicate = make_idea(), make_idea()
    duplicate.merged_into_id = target.id
    duplicate.status = "merged"
    db.session.flush()

    data = client.get(f"/api/v1/ideas/{duplicate.id}").get_json()

    assert (data["merged_into"], data["status"]) == (target.id, "merged")


def test_a_hidden_idea_is_404_except_for_its_author_and_the_team(client, db, author, team):
    idea = make_idea(author=author)
    hide(idea)
    url = f"/api/v1/ideas/{idea.id}"

    assert_json_error(client.get(url), 404)
    assert_json_error(client.get(url, headers=auth(make_user())), 404)
    assert client.get(url, headers=auth(author)).get_json()["is_hidden"] is True
    assert client.get(url, headers=auth(team)).status_code == 200


@pytest.mark.parametrize("idea_id", ["999999", str(2**64)])
def test_an_unknown_idea_is_404(client, db, idea_id):
    assert_json_error(client.get(f"/api/v1/ideas/{idea_id}"), 404)


# ---------------------------------------------------------------- a new idea


def test_create_idea_returns_201_with_the_idea_its_location_and_the_authors_vote(
    client, db, author
):
    make_product(name="Lamp", slug="lamp")

    response = client.post(
        "/api/v1/ideas",
        json={
            "title": "Sunrise alarm",
            "body": "Wake me **gently**.",
            "product": "lamp",
            "tags": ["alarm", "Light"],
        },
        headers=auth(author),
    )

    assert response.status_code == 201, response.get_data(as_text=True)
    data = response.get_json()
    idea = db.session.get(Idea, data["id"])
    assert idea is not None and idea.author_id == author.id
    assert response.headers["Location"].endswith(f"/api/v1/ideas/{idea.id}")
    assert data["title"] == "Sunrise alarm"
    assert data["product"] == {"slug": "lamp", "name": "Lamp"}
    assert data["body_html"].strip() == "<p>Wake me <strong>gently</strong>.</p>"
    assert data["tags"] == ["alarm", "light"]
    assert data["status"] == "open" and data["status_history"] == []
    assert (data["votes"], data["weighted_votes"]) == (1, 2)
    assert data["voted"] is True
    assert data["your_vote"] == {"importance": "important"}
    assert client.get(response.headers["Location"]).get_json()["votes"] == 1


def test_create_idea_takes_the_product_by_id_and_tags_as_a_string(client, db, author):
    product = make_product()

    data = client.post(
        "/api/v1/ideas",
        json={"title": "Two", "body": "Ways.", "product": product.id, "tags": "one, two"},
        headers=auth(author),
    ).get_json()

    assert data["product"]["slug"] == product.slug
    assert data["tags"] == ["one", "two"]


def test_create_idea_in_an_open_challenge(client, db, author, team):
    product = make_product()
    now = utcnow()
    challenge = Challenge(
        slug="quiet-week",
        title="Quieter at night?",
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=1),
        created_by_id=team.id,
    )
    db.session.add(challenge)
    db.session.flush()
    payload = {"title": "Night mode", "body": "Dim.", "product": product.slug}

    by_slug = client.post(
        "/api/v1/ideas", json={**payload, "challenge": "quiet-week"}, headers=auth(author)
    )
    by_id = client.post(
        "/api/v1/ideas", json={**payload, "challenge": challenge.id}, headers=auth(author)
    )

    assert by_slug.get_json()["challenge"] == challenge.id
    assert by_id.get_json()["challenge"] == challenge.id


def test_create_idea_without_credentials_is_401(client, db):
    product = make_product()

    response = client.post("/api/v1/ideas", json={"title": "x", "body": "y", "product": product.id})

    assert_json_error(response, 401)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "", "body": "Text"}, "title"),
        ({"title": "x" * 151, "body": "Text"}, "title"),
        ({"title": 5, "body": "Text"}, "title"),
        ({"title": "Fine", "body": "   "}, "body"),
        ({"title": "Fine", "body": ["Text"]}, "body"),
        ({"title": "Fine", "body": "Text", "product": None}, "product"),
        ({"title": "Fine", "body": "Text", "product": "no-such-product"}, "product"),
        ({"title": "Fine", "body": "Text", "product": 999999}, "product"),
        ({"title": "Fine", "body": "Text", "product": 2**70}, "product"),
        ({"title": "Fine", "body": "Text", "product": True}, "product"),
        ({"title": "Fine", "body": "Text", "product": 1.5}, "product"),
        ({"title": "Fine", "body": "Text", "tags": {"a": 1}}, "tags"),
        ({"title": "Fine", "body": "Text", "tags": ["Bad Tag!"]}, "tags"),
        ({"title": "Fine", "body": "Text", "tags": [1, 2]}, "tags"),
        ({"title": "Fine", "body": "Text", "challenge": "no-such-challenge"}, "challenge"),
        ({"title": "Fine", "body": "Text", "challenge": 999999}, "challenge"),
    ],
)
def test_create_idea_with_bad_input_is_400_naming_the_field(client, db, author, payload, field):
    product = make_product(slug="checked")
    payload = {"product": product.id, **payload}

    response = client.post("/api/v1/ideas", json=payload, headers=auth(author))

    assert_field_error(response, field)
    assert db.session.scalar(select(Idea.id).where(Idea.author_id == author.id)) is None


def test_create_idea_for_a_retired_product_is_400(client, db, author):
    make_product(slug="old", retired=True)

    response = client.post(
        "/api/v1/ideas",
        json={"title": "Fine", "body": "Text", "product": "old"},
        headers=auth(author),
    )

    assert "retired" in assert_field_error(response, "product")["message"]


def test_create_idea_with_a_body_that_is_not_json_is_400(client, db, author):
    headers = auth(author)

    as_form = client.post("/api/v1/ideas", data={"title": "x", "body": "y"}, headers=headers)
    a_list = client.post("/api/v1/ideas", json=["x"], headers=headers)

    for response in (as_form, a_list):
        assert "JSON" in assert_json_error(response, 400)["message"]


# ---------------------------------------------------------------- votes


def test_a_vote_answers_the_exact_new_counts_and_rewards_the_author(client, db, author):
    idea = make_idea(author=author)
    fan = make_user()

    response = client.post(
        f"/api/v1/ideas/{idea.id}/vote", json={"importance": "critical"}, headers=auth(fan)
    )

    assert response.status_code == 200
    assert response.get_json() == {
        "votes": 2,
        "weighted_votes": 2 + 3,
        "your_vote": {"importance": "critical"},
    }
    assert stored(idea) == (2, 5)
    assert upvote_points(author) == 10


@pytest.mark.parametrize(
    ("body", "weight", "name"),
    [(None, 2, "important"), ({}, 2, "important"), ({"importance": 1}, 1, "nice_to_have")],
)
def test_a_vote_without_importance_counts_as_important(client, db, body, weight, name):
    idea = make_idea()

    response = client.post(f"/api/v1/ideas/{idea.id}/vote", json=body, headers=auth(make_user()))

    assert response.get_json() == {
        "votes": 2,
        "weighted_votes": 2 + weight,
        "your_vote": {"importance": name},
    }


@pytest.mark.parametrize("importance", ["urgent", 7, 0, True, 2.5, ["critical"]])
def test_a_vote_with_an_unknown_importance_is_400_and_counts_nothing(client, db, importance):
    idea = make_idea()

    response = client.post(
        f"/api/v1/ideas/{idea.id}/vote", json={"importance": importance}, headers=auth(make_user())
    )

    assert_field_error(response, "importance")
    assert stored(idea) == (1, 2)


def test_voting_twice_is_409_and_changes_nothing(client, db, author):
    idea = make_idea(author=author)
    headers = auth(make_user())
    client.post(f"/api/v1/ideas/{idea.id}/vote", json={"importance": 1}, headers=headers)

    again = client.post(
        f"/api/v1/ideas/{idea.id}/vote", json={"importance": "critical"}, headers=headers
    )
    own = client.post(f"/api/v1/ideas/{idea.id}/vote", headers=auth(author))

    assert "already voted" in assert_json_error(again, 409)["message"]
    assert_json_error(own, 409)
    assert stored(idea) == (2, 3)
    assert vote_rows(idea) == 2
    assert upvote_points(author) == 10


@pytest.mark.parametrize("status", ["shipped", "declined"])
def test_voting_on_a_closed_idea_is_409(client, db, team, status):
    idea = make_idea()
    statuses.change_status(team, idea, status, "Decided.")

    response = client.post(f"/api/v1/ideas/{idea.id}/vote", headers=auth(make_user()))

    assert "closed" in assert_json_error(response, 409)["message"]
    assert stored(idea) == (1, 2)


def test_a_vote_beyond_the_budget_is_409_and_changes_nothing(client, db, budget):
    budget(1)
    first, second = make_idea(), make_idea()
    fan = make_user()
    headers = auth(fan)
    assert client.post(f"/api/v1/ideas/{first.id}/vote", headers=headers).status_code == 200

    response = client.post(f"/api/v1/ideas/{second.id}/vote", headers=headers)

    assert assert_json_error(response, 409)["code"] == "over_budget"
    assert stored(second) == (1, 2)
    assert db.session.scalar(select(IdeaVoter.open_votes).where(IdeaVoter.user_id == fan.id)) == 1


def test_taking_a_vote_back_answers_the_counts_and_is_idempotent(client, db, author):
    idea = make_idea(author=author)
    headers = auth(make_user())
    client.post(f"/api/v1/ideas/{idea.id}/vote", json={"importance": 3}, headers=headers)

    removed = client.delete(f"/api/v1/ideas/{idea.id}/vote", headers=headers)
    again = client.delete(f"/api/v1/ideas/{idea.id}/vote", headers=headers)

    expected = {"votes": 1, "weighted_votes": 2, "your_vote": None}
    assert (removed.status_code, removed.get_json()) == (200, expected)
    assert (again.status_code, again.get_json()) == (200, expected)
    assert stored(idea) == (1, 2)
    assert upvote_points(author) == 0


def test_taking_a_vote_back_on_a_closed_idea_is_409(client, db, team):
    idea = make_idea()
    fan = make_user()
    voting.vote(fan, idea)
    statuses.change_status(team, idea, "declined", "Out of scope.")

    response = client.delete(f"/api/v1/ideas/{idea.id}/vote", headers=auth(fan))

    assert_json_error(response, 409)
    assert stored(idea) == (2, 4)


def test_votes_need_credentials(client, db):
    idea = make_idea()

    assert_json_error(client.post(f"/api/v1/ideas/{idea.id}/vote"), 401)
    assert_json_error(client.delete(f"/api/v1/ideas/{idea.id}/vote"), 401)
    assert stored(idea) == (1, 2)


def test_voting_on_a_hidden_or_missing_idea_is_404(client, db):
    idea = make_idea()
    hide(idea)
    headers = auth(make_user())

    assert_json_error(client.post(f"/api/v1/ideas/{idea.id}/vote", headers=headers), 404)
    assert_json_error(client.delete(f"/api/v1/ideas/{idea.id}/vote", headers=headers), 404)
    assert_json_error(client.post("/api/v1/ideas/999999/vote", headers=headers), 404)


# ---------------------------------------------------------------- status


def test_the_team_changes_the_status_and_gets_the_history(client, db, team):
    idea = make_idea()

    planned = client.post(
        f"/api/v1/ideas/{idea.id}/status",
        json={"status": "planned", "note": "For spring."},
        headers=auth(team),
    )
    shipped = client.post(
        f"/api/v1/ideas/{idea.id}/status", json={"status": "shipped"}, headers=auth(team)
    )

    assert planned.status_code == 200
    assert planned.get_json()["status"] == "planned"
    assert [(c["from"], c["to"], c["note"]) for c in planned.get_json()["status_history"]] == [
        ("open", "planned", "For spring.")
    ]
    data = shipped.get_json()
    assert data["status"] == "shipped" and data["shipped_at"]
    assert [c["to"] for c in data["status_history"]] == ["planned", "shipped"]
    assert data["status_history"][1]["actor"]["username"] == "ideasteam"
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status == "shipped"


def test_a_member_may_not_change_the_status(client, db, author):
    idea = make_idea(author=author)

    response = client.post(
        f"/api/v1/ideas/{idea.id}/status", json={"status": "planned"}, headers=auth(author)
    )

    assert_json_error(response, 403)
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).status == "open"


def test_changing_the_status_needs_credentials(client, db):
    idea = make_idea()

    assert_json_error(
        client.post(f"/api/v1/ideas/{idea.id}/status", json={"status": "planned"}), 401
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "someday"}, "status"),
        ({"status": "merged"}, "status"),
        ({}, "status"),
        ({"status": 3}, "status"),
        ({"status": "declined"}, "note"),
        ({"status": "declined", "note": "   "}, "note"),
        ({"status": "planned", "note": ["x"]}, "note"),
    ],
)
def test_a_bad_status_change_is_400_naming_the_field(client, db, team, payload, field):
    idea = make_idea()

    response = client.post(f"/api/v1/ideas/{idea.id}/status", json=payload, headers=auth(team))

    assert_field_error(response, field)


def test_setting_the_status_an_idea_has_is_409(client, db, team):
    idea = make_idea()

    response = client.post(
        f"/api/v1/ideas/{idea.id}/status", json={"status": "open"}, headers=auth(team)
    )

    assert_json_error(response, 409)


def test_changing_the_status_of_a_missing_idea_is_404(client, db, team):
    response = client.post(
        "/api/v1/ideas/999999/status", json={"status": "planned"}, headers=auth(team)
    )

    assert_json_error(response, 404)


# ---------------------------------------------------------------- sessions


def test_a_browser_session_votes_and_submits_with_its_csrf_token(app, db, author, csrf_enabled):
    idea = make_idea()
    product = make_product()
    browser = app.test_client()
    browser.post(
        "/auth/login",
        data={"login": author.username, "password": PASSWORD, "csrf_token": csrf_token(browser)},
    )
    headers = {"X-CSRFToken": csrf_token(browser, "/settings/")}
    vote_url = f"/api/v1/ideas/{idea.id}/vote"
    payload = {"title": "From the browser", "body": "Hi", "product": product.id}

    refused_vote = browser.post(vote_url)
    refused_idea = browser.post("/api/v1/ideas", json=payload)
    voted = browser.post(vote_url, headers=headers)
    read = browser.get(f"/api/v1/ideas/{idea.id}")
    created = browser.post("/api/v1/ideas", json=payload, headers=headers)
    unvoted = browser.delete(vote_url, headers=headers)

    assert assert_json_error(refused_vote, 400)["code"] == "csrf_failed"
    assert assert_json_error(refused_idea, 400)["code"] == "csrf_failed"
    assert voted.status_code == 200
    assert read.get_json()["your_vote"] == {"importance": "important"}
    assert created.status_code == 201
    assert unvoted.get_json()["votes"] == 1


# ---------------------------------------------------------------- merge and unmerge


def test_the_team_merges_and_unmerges_through_the_api(app, db):
    team = make_user(role="team")
    original, duplicate = make_idea(), make_idea()
    fan = make_user()
    voting.vote(fan, duplicate)
    db.session.commit()
    headers = auth(team)

    merged = app.test_client().post(
        f"/api/v1/ideas/{duplicate.id}/merge", json={"into": original.id}, headers=headers
    )
    assert merged.status_code == 200, merged.get_json()
    assert merged.get_json()["merged_into"] == original.id
    assert merged.get_json()["status"] == "merged"
    target = app.test_client().get(f"/api/v1/ideas/{original.id}").get_json()
    assert target["votes"] == 3

    back = app.test_client().post(f"/api/v1/ideas/{duplicate.id}/unmerge", headers=headers)
    assert back.status_code == 200
    assert back.get_json()["merged_into"] is None
    assert back.get_json()["votes"] == 2
    again = app.test_client().post(f"/api/v1/ideas/{duplicate.id}/unmerge", headers=headers)
    assert again.status_code == 409


def test_merging_is_for_the_team_and_needs_a_target(app, db):
    original, duplicate = make_idea(), make_idea()
    member = make_user()
    db.session.commit()

    refused = app.test_client().post(
        f"/api/v1/ideas/{duplicate.id}/merge", json={"into": original.id}, headers=auth(member)
    )
    assert refused.status_code == 403
    team = make_user(role="team")
    db.session.commit()
    missing = app.test_client().post(
        f"/api/v1/ideas/{duplicate.id}/merge", json={}, headers=auth(team)
    )
    assert_field_error(missing, "into")
