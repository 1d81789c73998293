"""CSRF: every state-changing route refuses a request without this session's token.

The routes come from ``app.url_map`` (see ``tests/test_access_matrix.py``), so a new
POST/PUT/PATCH/DELETE route is covered the moment it exists.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.accounts import services as accounts
from community.accounts.models import User
from community.notifications.models import Notification
from community.notifications.services import notify
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_user
from tests.test_access_matrix import ROUTES, Ctx, changed_tables, snapshot, url_for_route

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
STATE_CHANGING_ROUTES = [route for route in ROUTES if route.method in STATE_CHANGING]

# What the CSRF error handler says; tells a CSRF refusal from a form error.
CSRF_CODE = "csrf_failed"
CSRF_PAGE_TEXT = "did not come from this site"


def is_csrf_refusal(response) -> bool:
    if response.status_code != 400:
        return False
    if response.is_json:
        return response.get_json()["error"]["code"] == CSRF_CODE
    return CSRF_PAGE_TEXT in response.get_data(as_text=True)


@pytest.fixture()
def admin_browser(app, db, csrf_enabled):
    """An admin logged in through the real form with CSRF on, holding their own token."""
    admin = make_user(role="admin")
    client = app.test_client()
    response = client.post(
        "/auth/login",
        data={"login": admin.username, "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302
    return Ctx("admin", client, admin, make_user())


@pytest.fixture()
def foreign_token(app, db, csrf_enabled) -> str:
    """A valid token, but of another browser's session."""
    return csrf_token(app.test_client())


def test_there_are_state_changing_routes_to_check():
    assert len(STATE_CHANGING_ROUTES) >= 10


@pytest.mark.parametrize("variant", ["no_token", "foreign_token"])
@pytest.mark.parametrize("route", STATE_CHANGING_ROUTES, ids=lambda r: r.id)
def test_state_change_without_this_sessions_token_is_refused_and_changes_nothing(
    db, admin_browser, foreign_token, route, variant
):
    # The admin's session has a token of its own, so a foreign one cannot match by accident.
    own = csrf_token(admin_browser.client, "/settings/")
    assert own != foreign_token
    url = url_for_route(admin_browser, route)
    kwargs = {}
    if variant == "foreign_token":
        kwargs = {"data": {"csrf_token": foreign_token}, "headers": {"X-CSRFToken": foreign_token}}
    before = snapshot(db)

    response = admin_browser.client.open(url, method=route.method, **kwargs)

    assert is_csrf_refusal(response), f"{route.id}: {response.status_code}"
    assert changed_tables(before, snapshot(db)) == []


def test_logout_with_this_sessions_token_works(db, admin_browser):
    client = admin_browser.client
    token = csrf_token(client, "/settings/")
    before = snapshot(db)

    response = client.post("/auth/logout", data={"csrf_token": token})

    assert response.status_code == 302
    assert "user_account" in changed_tables(before, snapshot(db))  # session_version bumped
    assert client.get("/settings/").location.startswith("/auth/login")


def test_logout_without_token_keeps_the_session(db, admin_browser):
    response = admin_browser.client.post("/auth/logout")

    assert is_csrf_refusal(response)
    assert admin_browser.client.get("/settings/").status_code == 200


def test_api_call_with_bearer_token_needs_no_csrf_token(app, db, csrf_enabled):
    member = make_user()
    _token, secret = accounts.create_token(member, "script")
    db.session.commit()

    response = app.test_client().patch(
        "/api/v1/me",
        json={"display_name": "Scripted"},
        headers={"Authorization": f"Bearer {secret}"},
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    assert db.session.scalar(select(User.display_name).where(User.id == member.id)) == "Scripted"


def _unread(db, user) -> int:
    stmt = select(Notification.id).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    return len(db.session.scalars(stmt).all())


def test_session_authenticated_api_post_without_csrf_token_is_refused(
    app, db, member, member_client, csrf_enabled
):
    notify(member, "test", None, "Hello")
    db.session.commit()

    response = member_client.post("/api/v1/notifications/read-all")

    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == CSRF_CODE
    assert _unread(db, member) == 1


def test_session_authenticated_api_post_with_csrf_header_works(
    app, db, member, member_client, csrf_enabled
):
    notify(member, "test", None, "Hello")
    db.session.commit()
    token = csrf_token(member_client, "/settings/")

    response = member_client.post("/api/v1/notifications/read-all", headers={"X-CSRFToken": token})

    assert response.status_code == 200
    assert _unread(db, member) == 0


def test_bearer_header_skips_csrf_but_then_the_session_does_not_count(
    app, db, member, member_client, csrf_enabled
):
    # A browser session that adds a made-up bearer header gets no further than no session.
    notify(member, "test", None, "Hello")
    db.session.commit()

    response = member_client.post(
        "/api/v1/notifications/read-all", headers={"Authorization": "Bearer mm_made-up"}
    )

    assert response.status_code == 401
    assert _unread(db, member) == 1
