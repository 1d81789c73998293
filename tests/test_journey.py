"""The whole first visit, end to end through the pages, in English and in German:
register, confirm the address, log in, edit the profile, create a token, call the API."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.accounts.helpers import bearer, last_mail_path

TEXTS = {
    "en": {"join": "Join the community", "saved": "Your profile is saved.", "nav": "Ideas"},
    "de": {
        "join": "Der Community beitreten",
        "saved": "Ihr Profil wurde gespeichert.",
        "nav": "Ideen",
    },
}


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_new_member_gets_from_registration_to_the_api(app, db, language):
    texts = TEXTS[language]
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = language

    page = browser.get("/auth/register").get_data(as_text=True)
    assert f'lang="{language}"' in page and texts["nav"] in page

    response = browser.post(
        "/auth/register",
        data={
            "username": "Newbie",
            "email": "newbie@example.com",
            "password": "a long passphrase",
            "confirm": "a long passphrase",
        },
    )
    assert response.status_code == 302

    confirm_path = last_mail_path("/auth/confirm/")
    assert browser.get(confirm_path).status_code == 200
    assert browser.post(confirm_path).status_code == 302
    assert "newbie@example.com" in browser.get("/settings/").get_data(as_text=True)

    browser.post("/auth/logout")
    response = browser.post(
        "/auth/login", data={"login": "NEWBIE@example.com", "password": "a long passphrase"}
    )
    assert response.status_code == 302

    response = browser.post(
        "/settings/profile",
        data={"display_name": "New Bee", "bio": "I *love* this product."},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert unescape(texts["saved"]) in unescape(page)
    assert "<em>love</em>" in page and "New Bee" in page

    page = browser.post("/settings/tokens", data={"name": "laptop", "days": "30"}).get_data(
        as_text=True
    )
    secret = re.search(r'<code class="secret">([^<]+)</code>', page).group(1)

    me = app.test_client().get("/api/v1/me", headers=bearer(secret)).get_json()
    assert (me["username"], me["display_name"], me["email_confirmed"]) == (
        "Newbie",
        "New Bee",
        True,
    )
    assert me["locale"] == language
