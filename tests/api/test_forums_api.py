"""The forum API: categories, topics with posts, new topics and replies, reactions,
accepted answers and search, with the same rules and visibility as the pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.forums.models import CategoryKind, Post, Topic
from community.forums.services import categories, moderating
from tests.accounts.helpers import bearer, new_token
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_user
from tests.forums.factories import make_category, make_reply, make_topic


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


@pytest.fixture()
def team(db):
    return make_user(username="apiteam", role="team")


@pytest.fixture()
def focus_group(db, team):
    """A private category with one invited member ("insider")."""
    category = make_category(name="Beta testers", slug="beta", is_private=True, actor=team)
    insider = make_user(username="insider")
    categories.invite_member(team, category, "insider")
    topic = make_topic(category, insider, "Secret prototype feedback", "Prototype notes.")
    return category, insider, topic


def auth(user) -> dict[str, str]:
    return bearer(new_token(user))


# ---------------------------------------------------------------- categories


def test_categories_list_the_public_ones_with_their_counts(client, db, focus_group):
    public = make_category(name="General", slug="general", description="Talk")
    make_topic(public)

    response = client.get("/api/v1/categories")

    assert response.status_code == 200
    items = {item["slug"]: item for item in response.get_json()["items"]}
    assert "beta" not in items
    assert items["general"] == {
        "slug": "general",
        "name": "General",
        "description": "Talk",
        "kind": "discussion",
        "is_private": False,
        "product": None,
        "topic_count": 1,
        "post_count": 1,
        "last_posted_at": items["general"]["last_posted_at"],
    }
    assert items["general"]["last_posted_at"]


def test_categories_include_a_focus_group_for_its_members_and_the_team(client, focus_group, team):
    _category, insider, _topic = focus_group
    outsider = make_user()

    def slugs(user):
        response = client.get("/api/v1/categories", headers=auth(user))
        return {item["slug"] for item in response.get_json()["items"]}

    assert "beta" in slugs(insider)
    assert "beta" in slugs(team)
    assert "beta" not in slugs(outsider)


def test_a_public_read_with_an_invalid_token_is_401(client, db):
    assert_json_error(client.get("/api/v1/categories", headers=bearer("mm_wrong")), 401)


# ---------------------------------------------------------------- a category's topics


def test_topics_of_a_category_come_with_their_summary(client, db):
    category = make_category(slug="help")
    author = make_user(username="asker")
    topic = make_topic(category, author, title="Printer offline", tags=("printing",))
    make_reply(topic)

    response = client.get("/api/v1/categories/help/topics")

    assert response.status_code == 200
    data = response.get_json()
    assert data["next_cursor"] is None
    [item] = data["items"]
    assert item["id"] == topic.id
    assert item["title"] == "Printer offline"
    assert item["url"] == f"/t/{topic.id}/printer-offline"
    assert item["author"] == {"username": "asker", "display_name": author.display_name}
    assert item["reply_count"] == 1
    assert item["tags"] == ["printing"]
    assert (item["is_pinned"], item["is_locked"], item["is_solved"]) == (False, False, False)
    assert item["created_at"] and item["last_posted_at"]


def test_topics_page_with_next_cursor_and_pinned_first(client, db, team):
    category = make_category(slug="many")
    made = [make_topic(category, title=f"Topic {n}") for n in range(22)]
    moderating.set_pinned(team, made[0], True)

    first = client.get("/api/v1/categories/many/topics").get_json()
    second = client.get(f"/api/v1/categories/many/topics?cursor={first['next_cursor']}").get_json()

    assert first["items"][0]["id"] == made[0].id
    assert first["items"][0]["is_pinned"] is True
    ids = [item["id"] for item in first["items"] + second["items"]]
    assert sorted(ids) == sorted(t.id for t in made)
    assert len(ids) == len(set(ids))
    assert second["next_cursor"] is None


def test_topics_can_be_filtered_by_tag(client, db):
    category = make_category(slug="tagged")
    wanted = make_topic(category, tags=("wifi",))
    make_topic(category, tags=("battery",))

    data = client.get("/api/v1/categories/tagged/topics?tag=wifi").get_json()

    assert [item["id"] for item in data["items"]] == [wanted.id]


@pytest.mark.parametrize(
    ("query", "field"),
    [("filter=newest", "filter"), ("filter=top&period=decade", "period"), ("cursor=x", "cursor")],
)
def test_topics_with_a_bad_argument_are_400_naming_it(client, db, query, field):
    make_category(slug="args")

    assert_field_error(client.get(f"/api/v1/categories/args/topics?{query}"), field)


def test_topics_of_a_focus_group_are_404_for_outsiders_and_listed_for_members(client, focus_group):
    _category, insider, topic = focus_group

    assert_json_error(client.get("/api/v1/categories/beta/topics"), 404)
    assert_json_error(client.get("/api/v1/categories/beta/topics", headers=auth(make_user())), 404)
    response = client.get("/api/v1/categories/beta/topics", headers=auth(insider))
    assert [item["id"] for item in response.get_json()["items"]] == [topic.id]


def test_topics_of_an_unknown_category_are_404(client, db):
    assert_json_error(client.get("/api/v1/categories/nothing/topics"), 404)


# ---------------------------------------------------------------- starting a topic


def test_create_topic_returns_201_with_the_topic_and_its_location(client, db, member):
    make_category(slug="ideas-talk", name="Ideas talk")

    response = client.post(
        "/api/v1/categories/ideas-talk/topics",
        json={"title": "Dark mode please", "body": "It *hurts* at night.", "tags": ["ui"]},
        headers=auth(member),
    )

    assert response.status_code == 201
    data = response.get_json()
    topic = db.session.get(Topic, data["id"])
    assert topic is not None and topic.author_id == member.id
    assert response.headers["Location"].endswith(f"/api/v1/topics/{topic.id}")
    assert data["title"] == "Dark mode please"
    assert data["tags"] == ["ui"]
    assert data["category"] == {"slug": "ideas-talk", "name": "Ideas talk"}
    assert data["author"]["username"] == member.username
    shown = client.get(response.headers["Location"]).get_json()
    assert shown["posts"][0]["body_html"].strip() == "<p>It <em>hurts</em> at night.</p>"


def test_create_topic_twice_with_the_same_client_key_makes_one_topic(client, db, member):
    make_category(slug="retry")
    headers = auth(member)
    payload = {"title": "Once", "body": "Only once.", "client_key": "abc-123"}

    first = client.post("/api/v1/categories/retry/topics", json=payload, headers=headers)
    second = client.post("/api/v1/categories/retry/topics", json=payload, headers=headers)

    assert first.get_json()["id"] == second.get_json()["id"]
    made = db.session.scalars(select(Topic.id).where(Topic.author_id == member.id)).all()
    assert made == [first.get_json()["id"]]


def test_create_topic_without_a_token_is_401(client, db):
    make_category(slug="closed")

    response = client.post("/api/v1/categories/closed/topics", json={"title": "x", "body": "y"})

    assert_json_error(response, 401)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "", "body": "Text"}, "title"),
        ({"title": "x" * 201, "body": "Text"}, "title"),
        ({"title": "Fine", "body": "   "}, "body"),
        ({"title": 5, "body": "Text"}, "title"),
        ({"title": "Fine", "body": "Text", "tags": "not a list"}, "tags"),
        ({"title": "Fine", "body": "Text", "tags": ["Bad Tag!"]}, "tags"),
    ],
)
def test_create_topic_with_bad_input_is_400_naming_the_field(client, db, member, payload, field):
    make_category(slug="checked")

    response = client.post("/api/v1/categories/checked/topics", json=payload, headers=auth(member))

    assert_field_error(response, field)
    assert db.session.scalar(select(Topic.id).where(Topic.author_id == member.id)) is None


def test_create_topic_with_a_body_that_is_not_json_is_400(client, db, member):
    make_category(slug="formdata")
    headers = auth(member)

    as_form = client.post(
        "/api/v1/categories/formdata/topics", data={"title": "x", "body": "y"}, headers=headers
    )
    missing = client.post("/api/v1/categories/formdata/topics", headers=headers)
    broken = client.post(
        "/api/v1/categories/formdata/topics",
        data="{not json",
        content_type="application/json",
        headers=headers,
    )
    a_list = client.post("/api/v1/categories/formdata/topics", json=["x"], headers=headers)

    for response in (as_form, missing, broken, a_list):
        assert "JSON" in assert_json_error(response, 400)["message"]


def test_create_topic_in_a_focus_group_is_404_for_outsiders(client, focus_group):
    response = client.post(
        "/api/v1/categories/beta/topics",
        json={"title": "Let me in", "body": "Please."},
        headers=auth(make_user()),
    )

    assert_json_error(response, 404)


# ---------------------------------------------------------------- a topic with its posts


def test_get_topic_returns_its_posts_in_order_with_reactions_and_answer(client, db):
    category = make_category(slug="qa", kind=CategoryKind.QA.value)
    asker = make_user(username="qasker")
    topic = make_topic(category, asker, title="How to reset?", body="Question body")
    answer = make_reply(topic, body="Hold the button.")
    make_reply(topic, body="Or unplug it.")
    client.post(f"/api/v1/posts/{answer.id}/reactions/like", headers=auth(asker))
    client.post(
        f"/api/v1/topics/{topic.id}/accept", json={"post_id": answer.id}, headers=auth(asker)
    )

    response = client.get(f"/api/v1/topics/{topic.id}")

    assert response.status_code == 200
    data = response.get_json()
    assert (data["id"], data["title"], data["page"], data["last_page"]) == (
        topic.id,
        "How to reset?",
        1,
        1,
    )
    assert data["category"] == {"slug": "qa", "name": category.name}
    assert data["is_solved"] is True
    assert data["accepted_post_id"] == answer.id
    assert [p["number"] for p in data["posts"]] == [1, 2, 3]
    first, second, third = data["posts"]
    assert first["author"]["username"] == "qasker"
    assert "Hold the button." in second["body_html"]
    assert second["reactions"] == {"like": 1}
    assert (first["accepted"], second["accepted"], third["accepted"]) == (False, True, False)
    assert first["reactions"] == {}
    assert first["edited_at"] is None
    assert first["is_official"] is False


def test_get_topic_pages_through_posts(client, db):
    topic = make_topic(make_category())
    for n in range(21):
        make_reply(topic, body=f"Reply {n}")

    second = client.get(f"/api/v1/topics/{topic.id}?page=2").get_json()

    assert (second["page"], second["last_page"]) == (2, 2)
    assert [p["number"] for p in second["posts"]] == [21, 22]
    assert_field_error(client.get(f"/api/v1/topics/{topic.id}?page=zero"), "page")


def test_a_focus_group_topic_is_404_for_outsiders_and_open_to_members_and_team(
    client, focus_group, team
):
    _category, insider, topic = focus_group
    url = f"/api/v1/topics/{topic.id}"

    assert_json_error(client.get(url), 404)
    assert_json_error(client.get(url, headers=auth(make_user())), 404)
    assert client.get(url, headers=auth(insider)).status_code == 200
    assert client.get(url, headers=auth(team)).status_code == 200


def test_a_hidden_topic_is_404_except_for_its_author_and_the_team(client, db, team):
    author = make_user()
    topic = make_topic(author=author)
    moderating.hide_topic(team, topic, "spam")
    url = f"/api/v1/topics/{topic.id}"

    assert_json_error(client.get(url), 404)
    assert_json_error(client.get(url, headers=auth(make_user())), 404)
    assert client.get(url, headers=auth(author)).status_code == 200
    assert client.get(url, headers=auth(team)).status_code == 200


def test_a_hidden_reply_is_left_out_for_other_readers(client, db, team):
    topic = make_topic()
    hidden = make_reply(topic, body="Rude words")
    make_reply(topic, body="Kind words")
    moderating.hide_post(team, hidden, "rude")

    posts = client.get(f"/api/v1/topics/{topic.id}").get_json()["posts"]

    assert [p["number"] for p in posts] == [1, 3]


def test_an_unknown_topic_is_404(client, db):
    assert_json_error(client.get("/api/v1/topics/999999"), 404)


# ---------------------------------------------------------------- replies


def test_create_post_returns_201_with_the_post(client, db, member):
    topic = make_topic()
    first_post = db.session.scalar(select(Post).where(Post.topic_id == topic.id))

    response = client.post(
        f"/api/v1/topics/{topic.id}/posts",
        json={"body": "Me **too**", "reply_to": first_post.id},
        headers=auth(member),
    )

    assert response.status_code == 201
    data = response.get_json()
    assert data["number"] == 2
    assert data["author"]["username"] == member.username
    assert data["body_html"].strip() == "<p>Me <strong>too</strong></p>"
    assert data["reply_to"] == first_post.id
    assert data["reactions"] == {} and data["accepted"] is False
    assert response.headers["Location"].endswith(f"/api/v1/topics/{topic.id}?page=1")
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).reply_count == 1


def test_create_post_without_a_token_is_401(client, db):
    topic = make_topic()

    assert_json_error(client.post(f"/api/v1/topics/{topic.id}/posts", json={"body": "x"}), 401)


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"body": ""}, "body"), ({}, "body"), ({"body": "ok", "reply_to": "one"}, "reply_to")],
)
def test_create_post_with_bad_input_is_400_naming_the_field(client, db, member, payload, field):
    topic = make_topic()

    response = client.post(f"/api/v1/topics/{topic.id}/posts", json=payload, headers=auth(member))

    assert_field_error(response, field)


def test_create_post_replying_to_a_post_of_another_topic_is_400(client, db, member):
    topic = make_topic()
    elsewhere = make_reply(make_topic())

    response = client.post(
        f"/api/v1/topics/{topic.id}/posts",
        json={"body": "ok", "reply_to": elsewhere.id},
        headers=auth(member),
    )

    assert_field_error(response, "reply_to")


def test_create_post_in_a_locked_topic_is_409(client, db, member, team):
    topic = make_topic()
    moderating.set_locked(team, topic, True)

    response = client.post(
        f"/api/v1/topics/{topic.id}/posts", json={"body": "Hello?"}, headers=auth(member)
    )

    assert "locked" in assert_json_error(response, 409)["message"]
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).post_count == 1


def test_the_team_may_still_reply_to_a_locked_topic(client, db, team):
    topic = make_topic()
    moderating.set_locked(team, topic, True)

    response = client.post(
        f"/api/v1/topics/{topic.id}/posts", json={"body": "Closing note."}, headers=auth(team)
    )

    assert response.status_code == 201


def test_create_post_in_a_focus_group_topic_is_404_for_outsiders(client, focus_group):
    _category, insider, topic = focus_group
    url = f"/api/v1/topics/{topic.id}/posts"

    assert_json_error(client.post(url, json={"body": "Hi"}, headers=auth(make_user())), 404)
    assert client.post(url, json={"body": "Hi"}, headers=auth(insider)).status_code == 201


# ---------------------------------------------------------------- reactions


def test_reactions_are_added_changed_and_removed_with_counts(client, db):
    post = make_reply(make_topic())
    ann, bob = make_user(), make_user()
    url = f"/api/v1/posts/{post.id}/reactions"

    first = client.post(f"{url}/like", headers=auth(ann))
    second = client.post(f"{url}/like", headers=auth(bob))
    changed = client.post(f"{url}/thanks", headers=auth(bob))
    removed = client.delete(f"{url}/thanks", headers=auth(bob))

    assert first.status_code == 200
    assert first.get_json()["reactions"] == {"like": 1}
    assert second.get_json()["reactions"] == {"like": 2}
    assert changed.get_json()["reactions"] == {"like": 1, "thanks": 1}
    assert removed.status_code == 200
    assert removed.get_json()["reactions"] == {"like": 1}
    db.session.expire_all()
    assert db.session.get(Post, post.id).reaction_count == 1


def test_removing_a_reaction_one_has_not_given_changes_nothing(client, db):
    post = make_reply(make_topic())
    ann = make_user()
    client.post(f"/api/v1/posts/{post.id}/reactions/like", headers=auth(ann))

    response = client.delete(f"/api/v1/posts/{post.id}/reactions/thanks", headers=auth(ann))

    assert response.status_code == 200
    assert response.get_json()["reactions"] == {"like": 1}


def test_reacting_to_ones_own_post_is_403(client, db):
    author = make_user()
    post = make_reply(make_topic(), author=author)

    response = client.post(f"/api/v1/posts/{post.id}/reactions/like", headers=auth(author))

    assert_json_error(response, 403)


def test_an_unknown_reaction_is_400_naming_it(client, db, member):
    post = make_reply(make_topic())

    for method in ("post", "delete"):
        response = client.open(
            f"/api/v1/posts/{post.id}/reactions/hug", method=method, headers=auth(member)
        )
        assert_field_error(response, "name")


def test_a_new_kind_of_reaction_answers_every_kind_on_the_post_in_the_offered_order(client, db):
    # One kind on the post: its counts come from the write; two kinds: read back.
    post = make_reply(make_topic())
    ann, bob, cem = make_user(), make_user(), make_user()
    url = f"/api/v1/posts/{post.id}/reactions"
    client.post(f"{url}/thanks", headers=auth(ann))

    mixed = client.post(f"{url}/like", headers=auth(bob))
    more = client.post(f"{url}/like", headers=auth(cem))

    assert list(mixed.get_json()["reactions"].items()) == [("like", 1), ("thanks", 1)]
    assert more.get_json()["reactions"] == {"like": 2, "thanks": 1}


def test_reactions_need_a_token(client, db):
    post = make_reply(make_topic())

    assert_json_error(client.post(f"/api/v1/posts/{post.id}/reactions/like"), 401)
    assert_json_error(client.delete(f"/api/v1/posts/{post.id}/reactions/like"), 401)


def test_reacting_to_a_focus_group_post_is_404_for_outsiders(client, focus_group):
    _category, insider, topic = focus_group
    post = make_reply(topic, author=insider)

    response = client.post(f"/api/v1/posts/{post.id}/reactions/like", headers=auth(make_user()))

    assert_json_error(response, 404)


# ---------------------------------------------------------------- accepted answers


@pytest.fixture()
def question(db):
    category = make_category(slug="questions", kind=CategoryKind.QA.value)
    asker = make_user(username="theasker")
    topic = make_topic(category, asker, title="Why is the sky blue?")
    return topic, asker, make_reply(topic), make_reply(topic)


def test_the_asker_accepts_moves_and_withdraws_an_answer(client, question):
    topic, asker, first, second = question
    url = f"/api/v1/topics/{topic.id}/accept"

    accepted = client.post(url, json={"post_id": first.id}, headers=auth(asker))
    moved = client.post(url, json={"post_id": second.id}, headers=auth(asker))
    shown = client.get(f"/api/v1/topics/{topic.id}").get_json()
    withdrawn = client.post(url, json={"post_id": None}, headers=auth(asker))

    assert accepted.status_code == 200
    assert accepted.get_json() == {"post_id": first.id, "is_solved": True}
    assert moved.get_json() == {"post_id": second.id, "is_solved": True}
    assert [p["accepted"] for p in shown["posts"]] == [False, False, True]
    assert withdrawn.get_json() == {"post_id": None, "is_solved": False}
    assert client.get(f"/api/v1/topics/{topic.id}").get_json()["is_solved"] is False


def test_the_team_may_accept_an_answer(client, question, team):
    topic, _asker, first, _second = question

    response = client.post(
        f"/api/v1/topics/{topic.id}/accept", json={"post_id": first.id}, headers=auth(team)
    )

    assert response.get_json()["post_id"] == first.id


def test_another_member_may_not_accept_an_answer(client, question, member):
    topic, _asker, first, _second = question

    response = client.post(
        f"/api/v1/topics/{topic.id}/accept", json={"post_id": first.id}, headers=auth(member)
    )

    assert_json_error(response, 403)


def test_accept_needs_a_token(client, question):
    topic, _asker, first, _second = question

    response = client.post(f"/api/v1/topics/{topic.id}/accept", json={"post_id": first.id})

    assert_json_error(response, 401)


@pytest.mark.parametrize("payload", [{}, {"post_id": "2"}, {"post_id": 999999}])
def test_accept_with_a_missing_or_unknown_post_is_400_naming_post_id(client, question, payload):
    topic, asker, _first, _second = question

    response = client.post(f"/api/v1/topics/{topic.id}/accept", json=payload, headers=auth(asker))

    assert_field_error(response, "post_id")


def test_accepting_a_post_of_another_topic_is_400(client, question):
    topic, asker, _first, _second = question
    elsewhere = make_reply(make_topic())

    response = client.post(
        f"/api/v1/topics/{topic.id}/accept", json={"post_id": elsewhere.id}, headers=auth(asker)
    )

    assert_field_error(response, "post_id")


def test_accepting_in_a_discussion_category_is_400(client, db):
    asker = make_user()
    topic = make_topic(make_category(), asker)
    reply = make_reply(topic)

    response = client.post(
        f"/api/v1/topics/{topic.id}/accept", json={"post_id": reply.id}, headers=auth(asker)
    )

    assert_json_error(response, 400)


# ---------------------------------------------------------------- search


def test_search_finds_topics_and_replies_with_links_and_snippets(client, db):
    topic = make_topic(title="Bluetooth pairing fails", body="My headset will not pair.")
    reply = make_reply(topic, body="Pairing worked after a bluetooth reset.")

    response = client.get("/api/v1/search?q=bluetooth")

    assert response.status_code == 200
    data = response.get_json()
    assert data["next_page"] is None
    items = {(item["kind"], item["id"]): item for item in data["items"]}
    assert set(items) == {("forum_topic", topic.id), ("forum_post", reply.id)}
    found_topic = items[("forum_topic", topic.id)]
    assert found_topic["title"] == "Bluetooth pairing fails"
    assert found_topic["url"] == f"/t/{topic.id}/{topic.slug}"
    assert found_topic["title_html"] == "<mark>Bluetooth</mark> pairing fails"
    found_reply = items[("forum_post", reply.id)]
    assert found_reply["title"] == "Re: Bluetooth pairing fails"
    assert found_reply["url"] == f"/p/{reply.id}"
    assert "<mark>bluetooth</mark>" in found_reply["snippet_html"]


def test_search_pages_with_next_page(client, db):
    category = make_category()
    for n in range(21):
        make_topic(category, title=f"Speaker crackle {n}")

    first = client.get("/api/v1/search?q=crackle").get_json()
    second = client.get("/api/v1/search?q=crackle&page=2").get_json()

    assert (len(first["items"]), first["next_page"]) == (20, 2)
    assert (len(second["items"]), second["next_page"]) == (1, None)
    assert_field_error(client.get("/api/v1/search?q=crackle&page=-1"), "page")


def test_search_without_words_finds_nothing(client, db):
    make_topic(title="Anything")

    data = client.get("/api/v1/search?q=").get_json()

    assert data["items"] == [] and data["next_page"] is None


# ---------------------------------------------------------------- sessions


def test_a_browser_session_may_use_the_api_with_its_csrf_token(app, db, member, csrf_enabled):
    make_category(slug="browser")
    browser = app.test_client()
    browser.post(
        "/auth/login",
        data={"login": member.username, "password": PASSWORD, "csrf_token": csrf_token(browser)},
    )
    token = csrf_token(browser, "/settings/")
    payload = {"title": "From the browser", "body": "Hi"}

    refused = browser.post("/api/v1/categories/browser/topics", json=payload)
    allowed = browser.post(
        "/api/v1/categories/browser/topics", json=payload, headers={"X-CSRFToken": token}
    )

    assert refused.status_code == 400
    assert allowed.status_code == 201
