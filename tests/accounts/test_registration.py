"""Registration through the real form: rules on name, address and password, and what follows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.core import mail
from tests.accounts.helpers import field_error, input_value, is_logged_in
from tests.factories import make_user

GOOD_PASSWORD = "a long enough secret"


def register(client, username="newbie", email="newbie@example.com", password=GOOD_PASSWORD, **kw):
    data = {"username": username, "email": email, "password": password, "confirm": password}
    data.update(kw)
    return client.post("/auth/register", data=data)


def stored_user(db, username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username_key == username.lower()))


def test_registration_creates_an_account_and_shows_the_new_profile(client, db):
    response = register(client, username="Newbie_42-x")

    assert response.status_code == 302
    assert response.headers["Location"] == "/u/Newbie_42-x"
    user = stored_user(db, "newbie_42-x")
    assert user is not None
    assert user.username == "Newbie_42-x"
    assert user.role == "member"
    assert user.email_confirmed_at is None


@pytest.mark.parametrize(
    "username",
    ["ab", "x" * 31, "with space", "umlaut-ä", "dot.name", "at@name", "semi;colon", ""],
)
def test_registration_refuses_a_username_outside_3_to_30_letters_digits_dash_underscore(
    client, db, username
):
    response = register(client, username=username)

    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "username")
    assert db.session.scalar(select(User).where(User.email == "newbie@example.com")) is None


@pytest.mark.parametrize("username", ["abc", "x" * 30, "A_b-9"])
def test_registration_accepts_usernames_at_the_limits(client, db, username):
    assert register(client, username=username).status_code == 302
    assert stored_user(db, username) is not None


def test_username_is_unique_ignoring_case(client, db):
    make_user(username="alice")

    response = register(client, username="Alice", email="other@example.com")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This username is taken." in field_error(html, "username")
    assert db.session.scalar(select(User).where(User.email == "other@example.com")) is None


def test_email_is_unique_ignoring_case(client, db):
    make_user(username="alice", email="alice@example.com")

    response = register(client, username="alice2", email="ALICE@Example.COM")

    html = response.get_data(as_text=True)
    assert "This email address is already registered." in field_error(html, "email")
    assert stored_user(db, "alice2") is None


def test_email_is_stored_in_lower_case(client, db):
    register(client, username="mixed", email="Mixed.Case@Example.COM")

    assert stored_user(db, "mixed").email == "mixed.case@example.com"


@pytest.mark.parametrize(
    "email", ["not-an-email", "two@@example.com", "no-domain@", "@example.com"]
)
def test_registration_refuses_an_invalid_email(client, db, email):
    response = register(client, email=email)

    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "email")
    assert stored_user(db, "newbie") is None


def test_registration_refuses_a_password_shorter_than_10_characters(client, db):
    response = register(client, password="123456789")

    assert response.status_code == 200
    assert field_error(response.get_data(as_text=True), "password")
    assert stored_user(db, "newbie") is None


def test_password_of_exactly_10_characters_is_accepted(client, db):
    assert register(client, password="0123456789").status_code == 302


def test_stored_password_is_an_argon2id_hash_not_the_password(client, db):
    register(client)

    stored = stored_user(db, "newbie").password_hash
    assert stored.startswith("$argon2id$")
    assert GOOD_PASSWORD not in stored


def test_invalid_registration_keeps_the_typed_username_and_email(client, db):
    response = register(client, username="typed_name", email="typed@example.com", password="short")

    html = response.get_data(as_text=True)
    assert input_value(html, "username") == "typed_name"
    assert input_value(html, "email") == "typed@example.com"
    assert input_value(html, "password") in (None, "")


def test_taken_username_error_keeps_the_typed_email(client, db):
    make_user(username="taken")

    response = register(client, username="TAKEN", email="fresh@example.com")

    html = response.get_data(as_text=True)
    assert input_value(html, "username") == "TAKEN"
    assert input_value(html, "email") == "fresh@example.com"


def test_registration_logs_the_new_member_in_with_a_fresh_session(client, db):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"

    register(client)

    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{stored_user(db, 'newbie').id}:")
    assert is_logged_in(client)


def test_registration_mails_a_confirmation_link(client, db):
    register(client, email="newbie@example.com")

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == "newbie@example.com"
    assert "/auth/confirm/" in sent.body


def test_registration_keeps_the_language_chosen_before(client, db):
    client.post("/settings/language", data={"locale": "de"})

    register(client)

    assert stored_user(db, "newbie").locale == "de"


def test_logged_in_member_is_sent_home_from_the_registration_page(member_client):
    response = member_client.get("/auth/register")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_reserved_deleted_prefix_cannot_be_registered(client, db):
    response = register(client, username="deleted-7")

    assert "reserved" in field_error(response.get_data(as_text=True), "username")
