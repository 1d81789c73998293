"""Per-member rate limits on posting, reacting and flagging (pages and API share one
budget per member), answering 429 with when to try again.

These tests build a second app with small limits and limits on; each app keeps its
own windows. The login limit (Flask-Limiter) hooks into an app only when it is built
with limits on, so the shared limiter is switched off again afterwards (as in
tests/accounts/test_rate_limits.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask

from community import create_app
from community.accounts import services as accounts
from community.extensions import db, limiter
from config import TestConfig
from tests.conftest import IsolatedClient, login
from tests.factories import make_user
from tests.forums.factories import make_category, make_reply, make_topic

WHEN_RE = re.compile(r"Please try again in \d+ (second|seconds|minute)\.")


class SmallLimitsConfig(TestConfig):
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    POST_RATE_LIMIT = "2 per minute"
    REACT_RATE_LIMIT = "2 per minute;10 per hour"
    FLAG_RATE_LIMIT = "2 per minute"


@pytest.fixture()
def limited_app(db) -> Iterator[Flask]:
    app = create_app(SmallLimitsConfig)
    app.test_client_class = IsolatedClient
    try:
        yield app
    finally:
        # The limiter is one object shared by every app: leave it off, as the suite expects.
        limiter.reset()
        limiter.enabled = False


def member_client(app: Flask, user):
    db.session.commit()
    client = app.test_client()
    login(client, user)
    return client


def bearer(user) -> dict[str, str]:
    _token, secret = accounts.create_token(user, "script")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def reply(client, topic, n: int, **extra):
    return client.post(f"/t/{topic.id}/reply", data={"body": f"Reply number {n}", **extra})


# ---------------------------------------------------------------- posting


def test_a_member_posting_too_fast_gets_429_saying_when_to_try_again(limited_app):
    topic = make_topic()
    client = member_client(limited_app, make_user())
    assert reply(client, topic, 1, post="1").status_code == 302
    assert reply(client, topic, 2, post="1").status_code == 302

    refused = reply(client, topic, 3, post="1")

    assert refused.status_code == 429
    assert [int(value) > 0 for value in refused.headers.getlist("Retry-After")] == [True]
    page = refused.get_data(as_text=True)
    assert "You are posting faster than allowed (2 per 1 minute)." in page
    assert WHEN_RE.search(page), page


def test_pages_and_the_api_share_one_posting_budget(limited_app):
    category = make_category()
    member = make_user()
    headers = bearer(member)
    client = member_client(limited_app, member)
    created = client.post(
        f"/forums/{category.slug}/new",
        data={"title": "A question about exports", "body": "How?", "confirmed": "1"},
    )
    assert created.status_code == 302
    api = limited_app.test_client()
    topic = make_topic(category)
    db.session.commit()
    first = api.post(f"/api/v1/topics/{topic.id}/posts", json={"body": "One"}, headers=headers)
    assert first.status_code == 201

    refused = api.post(f"/api/v1/topics/{topic.id}/posts", json={"body": "Two"}, headers=headers)

    assert refused.status_code == 429
    error = refused.get_json()["error"]
    assert error["code"] == "rate_limited"
    assert WHEN_RE.search(error["message"]), error["message"]
    assert int(refused.headers["Retry-After"]) > 0
    again = api.post(
        f"/api/v1/categories/{category.slug}/topics",
        json={"title": "Yet another", "body": "Text"},
        headers=headers,
    )
    assert again.status_code == 429


def test_previews_and_refused_posts_do_not_count(limited_app):
    topic = make_topic()
    client = member_client(limited_app, make_user())
    for n in range(3):
        assert reply(client, topic, n, preview="1").status_code == 200
        assert (
            client.post(f"/t/{topic.id}/reply", data={"body": "", "post": "1"}).status_code == 400
        )

    assert reply(client, topic, 10, post="1").status_code == 302
    assert reply(client, topic, 11, post="1").status_code == 302
    assert reply(client, topic, 12, post="1").status_code == 429


def test_the_limit_is_per_member(limited_app):
    topic = make_topic()
    first, second = make_user(), make_user()
    client = member_client(limited_app, first)
    for n in range(2):
        reply(client, topic, n, post="1")
    assert reply(client, topic, 2, post="1").status_code == 429

    other = member_client(limited_app, second)

    assert reply(other, topic, 3, post="1").status_code == 302


def test_reading_is_not_limited(limited_app):
    topic = make_topic()
    client = member_client(limited_app, make_user())
    for n in range(2):
        reply(client, topic, n, post="1")

    assert client.get(f"/t/{topic.id}/reply").status_code == 200


# ---------------------------------------------------------------- reacting


def test_reacting_too_fast_is_refused_in_pages_and_the_api(limited_app):
    topic = make_topic()
    posts = [make_reply(topic) for _ in range(3)]
    member = make_user()
    headers = bearer(member)
    client = member_client(limited_app, member)
    assert client.post(f"/p/{posts[0].id}/react", data={"name": "like"}).status_code == 302
    assert client.post(f"/p/{posts[1].id}/react", data={"name": "like"}).status_code == 302

    page = client.post(f"/p/{posts[2].id}/react", data={"name": "like"})
    api = limited_app.test_client().post(
        f"/api/v1/posts/{posts[2].id}/reactions/like", headers=headers
    )

    assert page.status_code == 429
    assert "You are reacting faster than allowed (2 per 1 minute)." in page.get_data(as_text=True)
    assert api.status_code == 429
    assert api.get_json()["error"]["code"] == "rate_limited"


def test_posting_and_reacting_have_separate_budgets(limited_app):
    topic = make_topic()
    posts = [make_reply(topic) for _ in range(2)]
    client = member_client(limited_app, make_user())
    for n in range(2):
        assert reply(client, topic, n, post="1").status_code == 302

    for post in posts:
        assert client.post(f"/p/{post.id}/react", data={"name": "like"}).status_code == 302


# ---------------------------------------------------------------- flagging


def test_flagging_too_fast_is_refused_in_pages_and_the_api(limited_app):
    topic = make_topic()
    posts = [make_reply(topic) for _ in range(3)]
    flagger = make_user(reputation=50)
    headers = bearer(flagger)
    client = member_client(limited_app, flagger)
    api = limited_app.test_client()
    for post in posts[:2]:
        flagged = api.post(
            "/api/v1/flags",
            json={"kind": "forum_post", "id": post.id, "reason": "spam"},
            headers=headers,
        )
        assert flagged.status_code == 201

    page = client.post(
        "/mod/flag", data={"kind": "forum_post", "id": str(posts[2].id), "reason": "spam"}
    )
    by_api = api.post(
        "/api/v1/flags",
        json={"kind": "forum_post", "id": posts[2].id, "reason": "spam"},
        headers=headers,
    )

    assert page.status_code == 429
    assert "You are flagging faster than allowed" in page.get_data(as_text=True)
    assert by_api.status_code == 429


# ---------------------------------------------------------------- the login limit too


def test_the_login_limit_also_says_when_to_try_again(limited_app):
    make_user(username="alice")
    for n in range(10):
        limited_app.test_client().post(
            "/auth/login",
            data={"login": "alice", "password": "wrong"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
        )

    refused = limited_app.test_client().post(
        "/auth/login",
        data={"login": "alice", "password": "wrong"},
        environ_base={"REMOTE_ADDR": "10.0.1.1"},
    )

    assert refused.status_code == 429
    assert re.search(r"Please try again in \d+ minutes?\.", refused.get_data(as_text=True))
