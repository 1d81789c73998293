"""POST /api/v1/flags: the same rules as the flag page, as JSON."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.moderation.models import Flag
from tests.accounts.helpers import bearer, new_token
from tests.factories import make_user
from tests.forums.factories import make_reply, make_topic


def auth(user) -> dict[str, str]:
    return bearer(new_token(user))


@pytest.fixture()
def author(db):
    return make_user(username="replier")


@pytest.fixture()
def reply(db, author):
    topic = make_topic(title="Export as PDF")
    return make_reply(topic, author=author, body="Cheap watches at example.com")


def post_flag(client, user, **body):
    return client.post("/api/v1/flags", json=body, headers=auth(user))


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()["error"]


def test_a_member_with_the_privilege_flags_a_post(client, db, reply):
    member = make_user(reputation=15)
    response = post_flag(client, member, kind="forum_post", id=reply.id, reason="spam")
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["kind"] == "forum_post" and body["id"] == reply.id
    assert (body["reason"], body["text"], body["status"]) == ("spam", "", "open")
    # Nothing about other flaggers or weights comes back.
    assert set(body) == {"kind", "id", "reason", "text", "status", "created_at"}
    assert db.session.scalar(select(func.count(Flag.id)).where(Flag.flagger_id == member.id)) == 1


def test_flagging_twice_answers_409(client, db, reply):
    member = make_user(reputation=15)
    post_flag(client, member, kind="forum_post", id=reply.id, reason="spam")
    response = post_flag(client, member, kind="forum_post", id=reply.id, reason="offensive")
    assert error_of(response, 409)["code"] == "conflict"


def test_without_the_privilege_or_a_token_the_api_refuses(client, db, reply):
    newcomer = make_user()
    response = post_flag(client, newcomer, kind="forum_post", id=reply.id, reason="spam")
    assert "more points" in error_of(response, 403)["message"]
    anonymous = client.post(
        "/api/v1/flags", json={"kind": "forum_post", "id": reply.id, "reason": "spam"}
    )
    assert anonymous.status_code == 401


REPLY = object()  # stands for the reply's id


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "forum_post", "reason": "spam"}, "id"),
        ({"kind": "forum_post", "id": "7", "reason": "spam"}, "id"),
        ({"kind": "no_such_kind", "id": REPLY, "reason": "spam"}, "kind"),
        ({"kind": "forum_post", "id": REPLY, "reason": "rude"}, "reason"),
        ({"kind": "forum_post", "id": REPLY, "reason": "other", "text": ""}, "text"),
        ({"kind": "forum_post", "id": REPLY, "reason": "spam", "text": 5}, "text"),
    ],
)
def test_bad_fields_answer_400_on_the_field(client, db, reply, body, field):
    body = {key: reply.id if value is REPLY else value for key, value in body.items()}
    response = post_flag(client, make_user(reputation=15), **body)
    assert error_of(response, 400)["field"] == field


def test_own_and_hidden_posts_cannot_be_flagged(client, db, author, reply):
    author.reputation = 100
    response = post_flag(client, author, kind="forum_post", id=reply.id, reason="spam")
    assert error_of(response, 403)
    team = make_user(role="team")
    # The team's flag weighs the whole threshold: the post is hidden at once.
    assert post_flag(client, team, kind="forum_post", id=reply.id, reason="spam").status_code == 201
    response = post_flag(
        client, make_user(reputation=15), kind="forum_post", id=reply.id, reason="spam"
    )
    assert error_of(response, 404)["code"] == "not_found"
