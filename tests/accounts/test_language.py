"""Choosing the interface language: the browser's wish, the footer switch, the account."""

from __future__ import annotations

import re

from flask_babel import force_locale, gettext

from tests.accounts.helpers import in_request
from tests.conftest import login


def html_lang(client, **kwargs) -> str:
    html = client.get("/", **kwargs).get_data(as_text=True)
    match = re.search(r'<html lang="([^"]*)">', html)
    assert match, html[:200]
    return match.group(1)


def test_english_is_the_default(client, db):
    assert html_lang(client) == "en"


def test_accept_language_de_gives_a_german_page(app, client, db):
    with in_request(app), force_locale("de"):
        german_log_in = gettext("Log in")
    assert german_log_in != "Log in"

    response = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})

    html = response.get_data(as_text=True)
    assert '<html lang="de">' in html
    assert german_log_in in html
    assert ">Log in<" not in html


def test_unsupported_accept_language_falls_back_to_english(client, db):
    assert html_lang(client, headers={"Accept-Language": "fr"}) == "en"


def test_footer_switch_keeps_a_visitors_choice_in_the_session(client, db):
    response = client.post("/settings/language", data={"locale": "de", "next": "/u/x"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/u/x"
    with client.session_transaction() as session:
        assert session["locale"] == "de"
    assert html_lang(client, headers={"Accept-Language": "en"}) == "de"


def test_footer_switch_is_stored_on_the_member(app, db, member, member_client):
    member_client.post("/settings/language", data={"locale": "de"})

    db.session.refresh(member)
    assert member.locale == "de"
    other_browser = app.test_client()
    login(other_browser, member)
    assert html_lang(other_browser, headers={"Accept-Language": "en"}) == "de"


def test_members_choice_wins_over_the_browsers_wish(member_client):
    member_client.post("/settings/language", data={"locale": "en"})

    assert html_lang(member_client, headers={"Accept-Language": "de"}) == "en"


def test_visitors_choice_is_kept_on_the_account_at_login(app, client, db, member):
    client.post("/settings/language", data={"locale": "de"})

    login(client, member)

    db.session.refresh(member)
    assert member.locale == "de"
    assert html_lang(client) == "de"


def test_invalid_locale_is_400(client, db):
    assert client.post("/settings/language", data={"locale": "xx"}).status_code == 400
    with client.session_transaction() as session:
        assert "locale" not in session


def test_invalid_locale_for_a_member_changes_nothing(member_client, db, member):
    assert member_client.post("/settings/language", data={"locale": "klingon"}).status_code == 400

    db.session.refresh(member)
    assert member.locale is None


def test_language_switch_never_redirects_off_the_site(client, db):
    response = client.post("/settings/language", data={"locale": "de", "next": "//evil.test"})

    assert response.headers["Location"] == "/"


def test_language_switch_needs_the_csrf_token(client, db, csrf_enabled):
    assert client.post("/settings/language", data={"locale": "de"}).status_code == 400


def test_chosen_language_stays_after_logout(member_client):
    member_client.post("/settings/language", data={"locale": "de"})

    member_client.post("/auth/logout")

    assert html_lang(member_client, headers={"Accept-Language": "en"}) == "de"


def test_members_saved_language_stays_after_logout_in_a_new_browser(app, db, member):
    member.locale = "de"
    db.session.flush()
    browser = app.test_client()
    login(browser, member)

    browser.post("/auth/logout")

    assert html_lang(browser, headers={"Accept-Language": "en"}) == "de"
