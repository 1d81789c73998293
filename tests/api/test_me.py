"""The API's /me endpoint: token authentication and JSON errors."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from community.accounts.models import ApiToken
from community.core.db import utcnow
from tests.accounts.helpers import bearer, new_token
from tests.conftest import csrf_token
from tests.factories import PASSWORD


def assert_json_error(response, status):
    assert response.status_code == status
    assert response.is_json
    error = response.get_json()["error"]
    assert error["code"]
    assert error["message"]
    return error


def test_me_with_a_token_returns_the_users_json(client, member):
    response = client.get("/api/v1/me", headers=bearer(new_token(member)))

    assert response.status_code == 200
    data = response.get_json()
    assert data["id"] == member.id
    assert data["username"] == member.username
    assert data["email"] == member.email
    assert data["role"] == "member"
    assert "password_hash" not in data


def test_me_without_a_token_is_401_json(client, db):
    error = assert_json_error(client.get("/api/v1/me"), 401)

    assert error["code"] == "unauthorized"
    assert "Bearer" in error["message"]


def test_me_with_an_unknown_token_is_401(client, member):
    response = client.get("/api/v1/me", headers=bearer("mm_" + "x" * 43))

    assert_json_error(response, 401)


def test_me_with_a_non_bearer_authorization_is_401(client, member):
    response = client.get("/api/v1/me", headers={"Authorization": "Basic bWVtYmVyMTpwdw=="})

    assert_json_error(response, 401)


def test_bad_token_is_refused_even_with_a_logged_in_session(member_client, member):
    assert member_client.get("/api/v1/me").status_code == 200

    response = member_client.get("/api/v1/me", headers=bearer("mm_wrong"))

    assert_json_error(response, 401)


def test_revoked_token_is_401(client, db, member):
    from community.accounts import services as accounts

    token, secret = accounts.create_token(member, "script")
    accounts.revoke_token(member, token.id)
    db.session.flush()

    assert_json_error(client.get("/api/v1/me", headers=bearer(secret)), 401)


def test_expired_token_is_401(client, db, member):
    secret = new_token(member)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == member.id))
    token.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.flush()

    assert_json_error(client.get("/api/v1/me", headers=bearer(secret)), 401)


def test_patch_me_with_a_token_updates_the_display_name(client, db, member):
    secret = new_token(member)

    response = client.patch(
        "/api/v1/me", json={"display_name": "Via API", "bio": "*hi*"}, headers=bearer(secret)
    )

    assert response.status_code == 200
    assert response.get_json()["display_name"] == "Via API"
    assert response.get_json()["bio_html"].strip() == "<p><em>hi</em></p>"
    db.session.refresh(member)
    assert member.display_name == "Via API"
    assert client.get(f"/u/{member.username}").get_data(as_text=True).count("Via API") >= 1


def test_patch_me_keeps_fields_that_are_not_sent(client, db, member):
    secret = new_token(member)
    client.patch(
        "/api/v1/me", json={"display_name": "First", "bio": "kept"}, headers=bearer(secret)
    )

    client.patch("/api/v1/me", json={"display_name": "Second"}, headers=bearer(secret))

    db.session.refresh(member)
    assert (member.display_name, member.bio_source) == ("Second", "kept")


def test_patch_me_with_a_too_long_display_name_is_400_with_a_reason(client, db, member):
    secret = new_token(member)

    response = client.patch("/api/v1/me", json={"display_name": "x" * 65}, headers=bearer(secret))

    error = assert_json_error(response, 400)
    assert "64" in error["message"]
    db.session.refresh(member)
    assert member.display_name == ""


def test_patch_me_with_a_non_string_is_400_naming_the_field(client, member):
    response = client.patch(
        "/api/v1/me", json={"display_name": 42}, headers=bearer(new_token(member))
    )

    assert "display_name" in assert_json_error(response, 400)["message"]


def test_patch_me_without_a_json_object_is_400(client, member):
    response = client.patch(
        "/api/v1/me",
        data="display_name=x",
        content_type="application/x-www-form-urlencoded",
        headers=bearer(new_token(member)),
    )

    assert_json_error(response, 400)


def test_patch_me_with_an_unknown_locale_changes_nothing(client, db, member):
    response = client.patch(
        "/api/v1/me",
        json={"display_name": "Changed", "locale": "xx"},
        headers=bearer(new_token(member)),
    )

    assert_json_error(response, 400)
    db.session.refresh(member)
    assert member.display_name == ""


def test_patch_me_without_a_token_is_401(client, db):
    assert_json_error(client.patch("/api/v1/me", json={"display_name": "x"}), 401)


def test_token_calls_need_no_csrf_token(client, member, csrf_enabled):
    response = client.patch(
        "/api/v1/me", json={"display_name": "No CSRF"}, headers=bearer(new_token(member))
    )

    assert response.status_code == 200


def test_session_calls_to_the_api_need_the_csrf_token(app, member, csrf_enabled):
    browser = app.test_client()
    browser.post(
        "/auth/login",
        data={"login": member.username, "password": PASSWORD, "csrf_token": csrf_token(browser)},
    )
    token = csrf_token(browser, "/settings/")  # logging in starts a new session

    refused = browser.patch("/api/v1/me", json={"display_name": "Forged"})
    allowed = browser.patch(
        "/api/v1/me", json={"display_name": "Mine"}, headers={"X-CSRFToken": token}
    )

    assert refused.status_code == 400
    assert allowed.status_code == 200
    assert allowed.get_json()["display_name"] == "Mine"


def test_unknown_api_path_is_404_json(client, db):
    assert_json_error(client.get("/api/v1/nothing-here"), 404)
