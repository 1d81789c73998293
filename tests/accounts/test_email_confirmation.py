"""Confirming an email address: a link that shows a button, and a POST that confirms."""

from __future__ import annotations

from sqlalchemy import select

from community.accounts.models import User
from tests.accounts.helpers import last_mail_path, tampered
from tests.factories import PASSWORD


def register(client, username="newbie", email="newbie@example.com"):
    password = "a long enough secret"
    response = client.post(
        "/auth/register",
        data={"username": username, "email": email, "password": password, "confirm": password},
    )
    assert response.status_code == 302
    return password


def user_named(db, username) -> User:
    user = db.session.scalar(select(User).where(User.username_key == username))
    db.session.refresh(user)
    return user


def test_opening_the_confirmation_link_shows_a_button_and_confirms_nothing(client, db):
    register(client)
    path = last_mail_path("/auth/confirm/")

    response = client.get(path)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<form method="post">' in html
    assert ">Confirm</button>" in html
    assert user_named(db, "newbie").email_confirmed_at is None


def test_pressing_the_confirm_button_confirms_the_address(client, db):
    register(client)
    path = last_mail_path("/auth/confirm/")

    response = client.post(path)

    assert response.status_code == 302
    assert user_named(db, "newbie").email_confirmed_at is not None


def test_confirmation_works_in_a_browser_that_is_not_logged_in(app, client, db):
    register(client)
    path = last_mail_path("/auth/confirm/")

    assert app.test_client().post(path).status_code == 302
    assert user_named(db, "newbie").email_confirmed_at is not None


def test_tampered_confirmation_link_is_refused(client, db):
    register(client)
    path = last_mail_path("/auth/confirm/")

    response = client.post(tampered(path))

    assert response.status_code == 400
    assert user_named(db, "newbie").email_confirmed_at is None


def test_link_for_the_old_address_is_refused_after_an_email_change(client, db):
    password = register(client)
    old_link = last_mail_path("/auth/confirm/")
    response = client.post(
        "/settings/email", data={"em-email": "moved@example.com", "em-password": password}
    )
    assert response.status_code == 302
    new_link = last_mail_path("/auth/confirm/")

    refused = client.post(old_link)

    assert refused.status_code == 400
    assert user_named(db, "newbie").email_confirmed_at is None
    assert client.post(new_link).status_code == 302
    assert user_named(db, "newbie").email_confirmed_at is not None


def test_email_change_makes_a_confirmed_address_unconfirmed_and_mails_the_new_one(
    member_client, db, member
):
    from community.core import mail

    member_client.post(
        "/settings/email", data={"em-email": "New@Example.com", "em-password": PASSWORD}
    )

    db.session.refresh(member)
    assert member.email == "new@example.com"
    assert member.email_confirmed_at is None
    assert mail.outbox[-1].to == "new@example.com"


def test_email_change_needs_the_current_password(member_client, db, member):
    response = member_client.post(
        "/settings/email", data={"em-email": "new@example.com", "em-password": "not my password"}
    )

    assert response.status_code == 400
    db.session.refresh(member)
    assert member.email == "member1@example.com"


def test_email_change_to_an_address_in_use_is_refused(member_client, db, member):
    from tests.factories import make_user

    make_user(username="other", email="other@example.com")

    response = member_client.post(
        "/settings/email", data={"em-email": "OTHER@example.com", "em-password": PASSWORD}
    )

    assert response.status_code == 400
    assert "already registered" in response.get_data(as_text=True)
    db.session.refresh(member)
    assert member.email == "member1@example.com"


def test_unconfirmed_member_can_ask_for_a_new_link(client, db):
    from community.core import mail

    register(client)
    mail.outbox.clear()

    client.post("/auth/confirm")

    assert len(mail.outbox) == 1
    assert client.post(last_mail_path("/auth/confirm/")).status_code == 302
