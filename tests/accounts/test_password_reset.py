"""Forgotten passwords: the mail, the single-use link, and what it ends."""

from __future__ import annotations

from community.core import mail
from tests.accounts.helpers import field_error, is_logged_in, last_mail_path, tampered
from tests.conftest import login
from tests.factories import PASSWORD

NEW = "a fresh new password"
SAME_ANSWER = "If this address belongs to an account, a reset link is on its way."


def request_reset(client, email):
    return client.post("/auth/reset", data={"email": email}, follow_redirects=True)


def choose(client, path, password=NEW, confirm=None):
    return client.post(path, data={"password": password, "confirm": confirm or password})


def test_reset_request_mails_a_link_to_the_account_address(client, member):
    request_reset(client, "MEMBER1@example.com")

    assert [m.to for m in mail.outbox] == [member.email]
    assert last_mail_path("/auth/reset/")


def test_reset_request_for_an_unknown_address_gives_the_same_answer_and_no_mail(client, member):
    known = request_reset(client, member.email)
    mail.outbox.clear()
    unknown = request_reset(client, "nobody@example.com")

    assert unknown.status_code == known.status_code == 200
    assert SAME_ANSWER in known.get_data(as_text=True)
    assert SAME_ANSWER in unknown.get_data(as_text=True)
    assert mail.outbox == []


def test_reset_link_shows_a_form_and_sets_the_new_password(client, member):
    request_reset(client, member.email)
    path = last_mail_path("/auth/reset/")

    assert client.get(path).status_code == 200
    response = choose(client, path)

    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"
    login(client, member, NEW)


def test_old_password_stops_working_after_a_reset(app, client, member):
    request_reset(client, member.email)
    choose(client, last_mail_path("/auth/reset/"))

    response = app.test_client().post(
        "/auth/login", data={"login": member.username, "password": PASSWORD}
    )
    assert response.status_code == 200


def test_reset_link_works_only_once(client, member):
    request_reset(client, member.email)
    path = last_mail_path("/auth/reset/")
    choose(client, path)

    again = choose(client, path, password="yet another password")

    assert again.status_code == 400
    assert "already been used" in again.get_data(as_text=True)
    assert client.get(path).status_code == 400
    login(client, member, NEW)


def test_expired_reset_link_is_refused(app, client, member, monkeypatch):
    request_reset(client, member.email)
    path = last_mail_path("/auth/reset/")
    monkeypatch.setitem(app.config, "RESET_TOKEN_MAX_AGE", -1)

    response = choose(client, path)

    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    login(client, member, PASSWORD)


def test_tampered_reset_link_is_refused(client, member):
    request_reset(client, member.email)
    path = last_mail_path("/auth/reset/")
    response = choose(client, tampered(path))

    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)
    login(client, member, PASSWORD)


def test_reset_ends_every_existing_session(app, member, member_client):
    other = app.test_client()
    request_reset(other, member.email)

    choose(other, last_mail_path("/auth/reset/"))

    assert not is_logged_in(member_client)


def test_reset_refuses_a_short_new_password_and_keeps_the_link_usable(client, member):
    request_reset(client, member.email)
    path = last_mail_path("/auth/reset/")

    response = choose(client, path, password="short")

    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "password")
    assert choose(client, path).status_code == 302


def test_reset_link_of_an_erased_account_is_refused(client, db, member):
    from community.accounts import services as accounts

    request_reset(client, member.email)
    path = last_mail_path("/auth/reset/")
    accounts.erase_account(member, PASSWORD)

    assert client.get(path).status_code == 400


def test_reset_mail_speaks_the_members_language(app, client, db, member):
    from flask_babel import force_locale, gettext

    from community.core import mail

    member.locale = "de"
    db.session.commit()
    client.post("/auth/reset", data={"email": member.email}, headers={"Accept-Language": "en"})
    with app.test_request_context(), force_locale("de"):
        german = gettext("Reset your password")
    assert german != "Reset your password"
    assert mail.outbox[-1].subject == german
