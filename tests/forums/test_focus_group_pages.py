"""A focus group's pages answer 404 to everyone outside it, as if it did not exist, and
open normally to invited members and the team."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.accounts import services as accounts
from community.forums.models import Post
from community.forums.services import categories, revisions
from tests.conftest import login
from tests.factories import make_user
from tests.forums.factories import make_category, make_reply, make_topic

SECRET = "Prototype seven feedback"


@pytest.fixture()
def focus_group(db):
    team = make_user(role="team")
    category = make_category(name="Secret beta", slug="secret-beta", is_private=True, actor=team)
    insider = make_user(username="insider")
    categories.invite_member(team, category, "insider")
    topic = make_topic(category, author=insider, title=SECRET, body="Only for the group.")
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
    revisions.edit_post(insider, first, "Only for the group, edited.")
    reply = make_reply(topic, author=team, body="Thanks for testing.")
    db.session.commit()
    return {"category": category, "topic": topic, "first": first, "reply": reply, "team": team}


# The redirecting addresses (short topic link, post permalinks) lead to the topic page.
def _redirects(group) -> list[str]:
    topic, first, reply = group["topic"], group["first"], group["reply"]
    return [f"/t/{topic.id}", f"/p/{first.id}", f"/p/{reply.id}"]


def _pages(group) -> list[str]:
    topic, first, reply = group["topic"], group["first"], group["reply"]
    slug = group["category"].slug
    return [
        f"/forums/{slug}/",
        f"/forums/{slug}/?filter=top",
        f"/forums/{slug}/new",
        f"/t/{topic.id}/{topic.slug}",
        f"/t/{topic.id}/reply",
        f"/t/{topic.id}/reply?quote={first.id}",
        f"/p/{first.id}/history",
        f"/p/{reply.id}/history",
    ]


def _as(app, user):
    client = app.test_client()
    if user is not None:
        login(client, user)
    return client


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
def test_focus_group_pages_are_not_found_for_outsiders(app, db, focus_group, who):
    client = _as(app, None if who == "anonymous" else make_user())
    for path in _pages(focus_group) + _redirects(focus_group):
        response = client.get(path)
        # Anonymous visitors of the login-only pages are sent to log in, which reveals
        # nothing either; once logged in as outsiders they get 404 there too.
        if who == "anonymous" and response.status_code == 302:
            assert "/auth/login" in response.location, path
            continue
        assert response.status_code == 404, path
        assert SECRET not in response.get_data(as_text=True), path


def test_outsiders_cannot_post_or_react_in_a_focus_group(app, db, focus_group):
    client = _as(app, make_user())
    topic, first = focus_group["topic"], focus_group["first"]
    slug = focus_group["category"].slug
    for path, data in [
        (f"/forums/{slug}/new", {"title": "Let me in please", "body": "Hello there"}),
        (f"/forums/{slug}/level", {"level": "3"}),
        (f"/t/{topic.id}/reply", {"body": "Hello there"}),
        (f"/t/{topic.id}/level", {"level": "3"}),
        (f"/p/{first.id}/react", {"name": "like"}),
        (f"/p/{first.id}/unreact", {}),
    ]:
        assert client.post(path, data=data).status_code == 404, path
    assert db.session.scalar(select(Post.id).where(Post.body_source == "Hello there")) is None


@pytest.mark.parametrize("who", ["insider", "team"])
def test_focus_group_pages_open_for_invited_members_and_the_team(app, db, focus_group, who):
    user = focus_group["team"] if who == "team" else make_user_named("insider")
    client = _as(app, user)
    for path in _pages(focus_group):
        assert client.get(path).status_code == 200, path
    for path in _redirects(focus_group):
        response = client.get(path)
        assert response.status_code == 302, path
        assert client.get(response.location).status_code == 200, path
    topic_page = client.get(f"/t/{focus_group['topic'].id}/{focus_group['topic'].slug}")
    assert SECRET in topic_page.get_data(as_text=True)


def make_user_named(username: str):
    return accounts.get_by_username(username)


def test_forum_index_lists_the_focus_group_only_to_those_inside(app, db, focus_group):
    outsider_html = _as(app, make_user()).get("/forums/").get_data(as_text=True)
    anonymous_html = _as(app, None).get("/forums/").get_data(as_text=True)
    insider_html = _as(app, make_user_named("insider")).get("/forums/").get_data(as_text=True)

    for html in (outsider_html, anonymous_html):
        assert "Secret beta" not in html
        assert SECRET not in html
    assert "Secret beta" in insider_html
    assert SECRET in insider_html


def test_similar_topic_suggestions_leave_out_focus_groups_for_outsiders(app, db, focus_group):
    path = "/forums/similar?title=prototype+seven+feedback"
    assert SECRET not in _as(app, make_user()).get(path).get_data(as_text=True)
    assert SECRET not in _as(app, None).get(path).get_data(as_text=True)
    assert SECRET in _as(app, make_user_named("insider")).get(path).get_data(as_text=True)
    outsider = _as(app, make_user()).get("/forums/similar?title=x&category=secret-beta")
    assert outsider.status_code == 404


def test_removed_member_loses_access(app, db, focus_group):
    insider = make_user_named("insider")
    client = _as(app, insider)
    topic = focus_group["topic"]
    assert client.get(f"/t/{topic.id}/{topic.slug}").status_code == 200

    team_client = _as(app, focus_group["team"])
    response = team_client.post(f"/forums/secret-beta/members/{insider.id}/remove")
    assert response.status_code == 302

    assert client.get(f"/t/{topic.id}/{topic.slug}").status_code == 404
    assert client.get("/forums/secret-beta/").status_code == 404


def test_team_invites_through_the_members_page(app, db, focus_group):
    newcomer = make_user(username="newcomer")
    team_client = _as(app, focus_group["team"])
    page = team_client.get("/forums/secret-beta/members")
    assert page.status_code == 200
    assert "insider" in page.get_data(as_text=True)

    response = team_client.post("/forums/secret-beta/members", data={"username": "newcomer"})
    assert response.status_code == 302
    assert _as(app, newcomer).get("/forums/secret-beta/").status_code == 200

    unknown = team_client.post("/forums/secret-beta/members", data={"username": "nobody-here"})
    assert unknown.status_code == 400
    assert 'id="username-error"' in unknown.get_data(as_text=True)
    again = team_client.post("/forums/secret-beta/members", data={"username": "newcomer"})
    assert again.status_code == 409
