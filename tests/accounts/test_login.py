"""Logging in and out, and which cookies stop working when."""

from __future__ import annotations

import pytest

from community.moderation.services import change_role, suspend
from tests.accounts.helpers import (
    REMEMBER_COOKIE,
    bearer,
    client_with_cookie,
    cookie,
    field_error,
    in_request,
    input_value,
    is_logged_in,
    new_token,
)
from tests.conftest import login
from tests.factories import PASSWORD, make_user

WRONG = "Unknown username or email, or wrong password."


def post_login(client, login_name, password=PASSWORD, **extra):
    return client.post("/auth/login", data={"login": login_name, "password": password, **extra})


@pytest.mark.parametrize("typed", ["Alice_W", "alice_w", "ALICE_W"])
def test_login_by_username_ignores_case(client, db, typed):
    make_user(username="Alice_W")

    response = post_login(client, typed)

    assert response.status_code == 302
    assert is_logged_in(client)


@pytest.mark.parametrize(
    "typed", ["alice@example.com", "Alice@Example.COM", "  alice@example.com "]
)
def test_login_by_email_ignores_case(client, db, typed):
    make_user(username="alice", email="alice@example.com")

    assert post_login(client, typed).status_code == 302
    assert is_logged_in(client)


def test_login_starts_a_fresh_session(client, member):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"

    post_login(client, member.username)

    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == f"{member.id}:{member.session_version}"


def test_wrong_password_gives_a_message_that_does_not_say_which_part_was_wrong(client, db):
    make_user(username="alice")

    wrong_password = post_login(client, "alice", "not the password").get_data(as_text=True)
    unknown_user = post_login(client, "nobody", "not the password").get_data(as_text=True)

    assert WRONG in field_error(wrong_password, "password")
    assert WRONG in field_error(unknown_user, "password")
    assert not is_logged_in(client)


def test_wrong_password_keeps_the_typed_login(client, db):
    make_user(username="alice")

    html = post_login(client, "alice", "not the password").get_data(as_text=True)

    assert 'value="alice"' in html


def test_login_without_remember_me_sets_no_remember_cookie(client, member):
    post_login(client, member.username)

    assert client.get_cookie(REMEMBER_COOKIE) is None


def test_remember_me_sets_a_remember_cookie_that_logs_in_a_new_browser_session(app, client, member):
    post_login(client, member.username, remember="y")

    remembered = client_with_cookie(app, cookie(client, REMEMBER_COOKIE), REMEMBER_COOKIE)
    assert is_logged_in(remembered)


def test_logout_by_get_is_not_allowed(member_client):
    assert member_client.get("/auth/logout").status_code == 405
    assert is_logged_in(member_client)


def test_logout_logs_out(member_client):
    response = member_client.post("/auth/logout")

    assert response.status_code == 302
    assert not is_logged_in(member_client)


def test_session_cookie_from_before_logout_is_refused_afterwards(app, member_client):
    old = cookie(member_client)
    assert is_logged_in(client_with_cookie(app, old))

    member_client.post("/auth/logout")

    assert not is_logged_in(client_with_cookie(app, old))


def test_remember_cookie_from_before_logout_is_refused_afterwards(app, client, member):
    post_login(client, member.username, remember="y")
    old = cookie(client, REMEMBER_COOKIE)

    client.post("/auth/logout")

    assert not is_logged_in(client_with_cookie(app, old, REMEMBER_COOKIE))


def test_logout_deletes_the_remember_cookie(client, member):
    post_login(client, member.username, remember="y")

    client.post("/auth/logout")

    assert client.get_cookie(REMEMBER_COOKIE) is None


def test_logout_needs_the_csrf_token(app, member, csrf_enabled):
    client = app.test_client()
    login_with_csrf(client, member)

    assert client.post("/auth/logout").status_code == 400
    assert is_logged_in(client)


def login_with_csrf(client, user):
    from tests.conftest import csrf_token

    token = csrf_token(client)
    response = client.post(
        "/auth/login", data={"login": user.username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_login_form_without_csrf_token_is_refused(client, member, csrf_enabled):
    response = post_login(client, member.username)

    assert response.status_code == 400
    assert not is_logged_in(client)


def test_password_change_ends_the_other_session_but_keeps_this_one(app, member):
    here, elsewhere = app.test_client(), app.test_client()
    login(here, member)
    login(elsewhere, member)

    response = here.post(
        "/settings/password",
        data={
            "pw-current_password": PASSWORD,
            "pw-new_password": "a brand new password",
            "pw-confirm": "a brand new password",
        },
    )

    assert response.status_code == 302
    assert is_logged_in(here)
    assert not is_logged_in(elsewhere)


def test_password_change_with_wrong_current_password_changes_nothing(app, member, member_client):
    other = app.test_client()
    login(other, member)

    response = member_client.post(
        "/settings/password",
        data={
            "pw-current_password": "not my password",
            "pw-new_password": "a brand new password",
            "pw-confirm": "a brand new password",
        },
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This is not your current password." in field_error(html, "pw-current_password")
    assert is_logged_in(other)
    login(app.test_client(), member)  # the old password still works


def test_new_password_works_and_old_one_does_not_after_a_change(client, member, member_client):
    member_client.post(
        "/settings/password",
        data={
            "pw-current_password": PASSWORD,
            "pw-new_password": "a brand new password",
            "pw-confirm": "a brand new password",
        },
    )

    assert post_login(client, member.username).status_code == 200
    assert post_login(client, member.username, "a brand new password").status_code == 302


def test_role_change_refuses_the_old_session_cookie(app, db, member, member_client, admin_user):
    old = cookie(member_client)

    with in_request(app):
        change_role(admin_user, member, "team")

    assert not is_logged_in(client_with_cookie(app, old))
    assert not is_logged_in(member_client)


def test_suspension_refuses_the_old_session_cookie(app, db, member, member_client, admin_user):
    old = cookie(member_client)

    with in_request(app):
        suspend(admin_user, member, 3, "spam")

    assert not is_logged_in(client_with_cookie(app, old))


def test_suspension_refuses_the_members_api_tokens(app, client, db, member, admin_user):
    secret = new_token(member)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200

    with in_request(app):
        suspend(admin_user, member, 3, "spam")

    # Refused, and told why and until when (the token itself is fine).
    response = client.get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 403
    assert "suspended until" in response.get_json()["error"]["message"]
    assert "spam" in response.get_json()["error"]["message"]


def test_suspended_member_trying_to_log_in_sees_why_and_until_when(
    app, client, db, member, admin_user
):
    with in_request(app):
        suspend(admin_user, member, 3, "Posting spam links")
    until = member.suspended_until.strftime("%Y-%m-%d %H:%M")

    response = post_login(client, member.username)

    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Posting spam links" in html
    assert until in html
    assert not is_logged_in(client)


def test_suspended_member_with_a_wrong_password_learns_nothing_about_the_suspension(
    app, client, db, member, admin_user
):
    with in_request(app):
        suspend(admin_user, member, 3, "Posting spam links")

    html = post_login(client, member.username, "not the password").get_data(as_text=True)

    assert WRONG in html
    assert "Posting spam links" not in html


@pytest.mark.parametrize(
    "target",
    ["//evil.test", "https:evil.test", "/\\evil.test", "https://evil.test", "/\t/evil.test"],
)
def test_login_never_redirects_off_the_site(client, member, target):
    response = post_login(client, member.username, next=target)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_redirects_to_a_page_on_this_site(client, member):
    response = client.post(
        "/auth/login?next=/settings/", data={"login": member.username, "password": PASSWORD}
    )

    assert response.headers["Location"] == "/settings/"


def test_login_page_carries_next_into_the_form(client, db):
    html = client.get("/auth/login?next=/settings/").get_data(as_text=True)

    assert input_value(html, "next") == "/settings/"


def test_login_page_drops_an_off_site_next(client, db):
    html = client.get("/auth/login?next=//evil.test").get_data(as_text=True)

    assert input_value(html, "next") == "/"


def test_members_only_page_sends_visitors_to_login_and_back(client, member):
    response = client.get("/settings/tokens")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")

    back = client.post(
        response.headers["Location"], data={"login": member.username, "password": PASSWORD}
    )

    assert back.headers["Location"] == "/settings/tokens"


def test_erased_account_cannot_log_in_with_its_old_name(client, db, member):
    from community.accounts import services as accounts

    accounts.erase_account(member, PASSWORD)

    assert WRONG in post_login(client, "member1").get_data(as_text=True)
    assert WRONG in post_login(client, f"deleted-{member.id}").get_data(as_text=True)


def test_password_change_renews_the_remember_cookie_of_this_browser(app, client, member):
    post_login(client, member.username, remember="y")
    old = cookie(client, REMEMBER_COOKIE)

    client.post(
        "/settings/password",
        data={
            "pw-current_password": PASSWORD,
            "pw-new_password": "a brand new password",
            "pw-confirm": "a brand new password",
        },
    )

    renewed = cookie(client, REMEMBER_COOKIE)
    assert renewed != old
    assert is_logged_in(client_with_cookie(app, renewed, REMEMBER_COOKIE))
    assert not is_logged_in(client_with_cookie(app, old, REMEMBER_COOKIE))
