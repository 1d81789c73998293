"""Rate limits on failed logins (the test configuration switches the limiter off).

Flask-Limiter only hooks into an app whose configuration enables it when the app is
built, so these tests build a second app with limits on. It shares the test's database
connection (the ``db`` fixture binds the session), so its requests see the test's users
and roll back with them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from community import create_app
from community.extensions import limiter
from config import TestConfig
from tests.conftest import IsolatedClient
from tests.factories import PASSWORD, make_user

WRONG = "Unknown username or email, or wrong password."
BAD_PASSWORD = "wrong password"


class RateLimitedConfig(TestConfig):
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"


@pytest.fixture()
def limited_app(db) -> Iterator[Flask]:
    app = create_app(RateLimitedConfig)
    app.test_client_class = IsolatedClient
    try:
        yield app
    finally:
        # The limiter is one object shared by every app: leave it off, as the suite expects.
        limiter.reset()
        limiter.enabled = False


def attempt(app, login_name, password=BAD_PASSWORD, address="127.0.0.1"):
    client = app.test_client()
    return client.post(
        "/auth/login",
        data={"login": login_name, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_eleventh_failed_login_for_an_account_is_refused_with_retry_after(limited_app):
    make_user(username="alice")
    for n in range(10):
        response = attempt(limited_app, "alice", address=f"10.0.0.{n}")
        assert response.status_code == 200
        assert WRONG in response.get_data(as_text=True)

    refused = attempt(limited_app, "alice", address="10.0.1.1")

    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many attempts" in refused.get_data(as_text=True)


def test_limit_holds_even_for_the_right_password_once_reached(limited_app):
    make_user(username="alice")
    for n in range(10):
        attempt(limited_app, "alice", address=f"10.0.0.{n}")

    assert attempt(limited_app, "alice", PASSWORD, address="10.0.1.1").status_code == 429


def test_failed_logins_count_for_the_account_however_it_is_named(limited_app):
    make_user(username="alice", email="alice@example.com")
    names = ["alice", "ALICE", "alice@example.com", "Alice@Example.com", " alice "]
    for n in range(10):
        assert attempt(limited_app, names[n % 5], address=f"10.0.0.{n}").status_code == 200

    assert attempt(limited_app, "alice@example.com", address="10.0.1.1").status_code == 429


def test_failures_for_one_account_do_not_lock_out_another(limited_app):
    make_user(username="alice")
    bob = make_user(username="bob_b")
    for n in range(10):
        attempt(limited_app, "alice", address=f"10.0.0.{n}")

    assert attempt(limited_app, bob.username, PASSWORD, address="10.0.2.1").status_code == 302


def test_successful_logins_do_not_count(limited_app):
    user = make_user(username="alice")
    for _ in range(5):
        assert attempt(limited_app, "alice").status_code == 200
    for _ in range(5):
        assert attempt(limited_app, user.username, PASSWORD).status_code == 302
    for _ in range(5):
        assert attempt(limited_app, "alice").status_code == 200

    assert attempt(limited_app, "alice").status_code == 429


def test_eleventh_failed_login_from_one_address_is_refused(limited_app):
    for n in range(10):
        assert attempt(limited_app, f"nobody{n}").status_code == 200

    refused = attempt(limited_app, "someone-else")

    assert refused.status_code == 429
    assert "Retry-After" in refused.headers


def test_rate_limit_answer_is_json_for_clients_that_ask_for_json(limited_app):
    make_user(username="alice")
    for n in range(10):
        attempt(limited_app, "alice", address=f"10.0.0.{n}")

    refused = limited_app.test_client().post(
        "/auth/login",
        data={"login": "alice", "password": "x"},
        headers={"Accept": "application/json"},
        environ_base={"REMOTE_ADDR": "10.0.1.1"},
    )

    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"


REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(reason="no Redis at 127.0.0.1:6379 (CI machines have one)")
    return client


def test_with_redis_configured_every_process_shares_one_failure_count(db):
    store = _redis()
    store.flushdb()

    class RedisLimitedConfig(RateLimitedConfig):
        REDIS_URL = REDIS_URL
        RATELIMIT_STORAGE_URI = REDIS_URL

    app = create_app(RedisLimitedConfig)
    app.test_client_class = IsolatedClient
    try:
        make_user(username="alice")
        for n in range(10):
            assert attempt(app, "alice", address=f"10.0.0.{n}").status_code == 200
        # The counts live in Redis, where another process or machine reads them.
        assert any(b"alice" in key or b"login" in key for key in store.keys("*"))
        assert attempt(app, "alice", address="10.0.1.1").status_code == 429
    finally:
        limiter.reset()
        limiter.enabled = False
        store.flushdb()
