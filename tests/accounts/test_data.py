"""Your data: the JSON export and erasing the account."""

from __future__ import annotations

import json

from sqlalchemy import select

from community.accounts.models import ApiToken, User
from community.moderation.models import AuditEntry
from community.moderation.services import change_role
from community.notifications.services import notify
from tests.accounts.helpers import bearer, in_request, is_logged_in, new_token
from tests.conftest import login
from tests.factories import PASSWORD, make_user


def erase(client, password=PASSWORD, confirm="y"):
    return client.post("/settings/data/erase", data={"password": password, "confirm": confirm})


def test_export_is_a_json_download_with_account_tokens_and_notifications(member_client, db, member):
    secret = new_token(member, name="backup script")
    notify(member, "test", None, "Welcome aboard")

    response = member_client.get("/settings/data/export.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["username"] == member.username
    assert data["account"]["email"] == member.email
    assert [t["name"] for t in data["api_tokens"]] == ["backup script"]
    assert [n["text"] for n in data["notifications"]] == ["Welcome aboard"]
    body = response.get_data(as_text=True)
    assert secret not in body
    token_hash = db.session.scalar(select(ApiToken.token_hash).where(ApiToken.user_id == member.id))
    assert token_hash not in body
    assert "password" not in body


def test_data_page_offers_the_download_and_the_erase_form(member_client):
    html = member_client.get("/settings/data").get_data(as_text=True)

    assert 'href="/settings/data/export.json"' in html
    assert 'action="/settings/data/erase"' in html


def test_export_needs_a_login(client, db):
    assert client.get("/settings/data/export.json").status_code == 302


def test_erase_with_the_wrong_password_is_refused_and_changes_nothing(member_client, db, member):
    secret = new_token(member)

    response = erase(member_client, password="not my password")

    assert response.status_code == 400
    assert "This is not your current password." in response.get_data(as_text=True)
    db.session.refresh(member)
    assert member.username == "member1"
    assert member.erased_at is None
    assert is_logged_in(member_client)
    assert member_client.get("/api/v1/me", headers=bearer(secret)).status_code == 200


def test_erase_without_ticking_the_confirmation_changes_nothing(member_client, db, member):
    response = erase(member_client, confirm="")

    assert response.status_code == 400
    db.session.refresh(member)
    assert member.erased_at is None


def test_erase_anonymises_the_account(app, client, member_client, db, member):
    secret = new_token(member)
    notify(member, "test", None, "private note")

    response = erase(member_client)

    assert response.status_code == 302
    db.session.refresh(member)
    assert member.username == f"deleted-{member.id}"
    assert "member1" not in member.email
    assert member.display_name == member.bio_source == ""
    assert member.erased_at is not None
    assert client.get("/u/member1").status_code == 404
    assert client.get(f"/u/deleted-{member.id}").status_code == 404
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == member.id))
    assert all(t.revoked_at is not None for t in tokens)
    assert not is_logged_in(member_client)


def test_erased_account_cannot_log_in(client, member_client, member):
    erase(member_client)

    for name in ("member1", "member1@example.com", f"deleted-{member.id}"):
        response = client.post("/auth/login", data={"login": name, "password": PASSWORD})
        assert response.status_code == 200


def test_erased_address_and_name_can_be_registered_again(client, member_client, db):
    erase(member_client)
    password = "a long enough secret"

    response = client.post(
        "/auth/register",
        data={
            "username": "member1",
            "email": "member1@example.com",
            "password": password,
            "confirm": password,
        },
    )

    assert response.status_code == 302


def test_audit_entries_of_an_erased_admin_remain_and_show_a_deleted_user(app, db, member):
    leaving = make_user(username="leaving_admin", role="admin")
    staying = make_user(username="staying_admin", role="admin")
    with in_request(app):
        change_role(leaving, member, "team")
    entry_ids = set(
        db.session.scalars(select(AuditEntry.id).where(AuditEntry.actor_id == leaving.id))
    )
    assert entry_ids
    leaving_client = app.test_client()
    login(leaving_client, leaving)

    assert erase(leaving_client).status_code == 302

    still = set(db.session.scalars(select(AuditEntry.id).where(AuditEntry.actor_id == leaving.id)))
    assert still == entry_ids
    viewer = app.test_client()
    login(viewer, staying)
    html = viewer.get("/admin/audit?action=user.role").get_data(as_text=True)
    assert "deleted user" in html
    assert "leaving_admin" not in html


def test_last_admin_cannot_erase_their_account(admin_client, db, admin_user):
    response = erase(admin_client)

    assert response.status_code in (400, 409)
    assert "last administrator" in response.get_data(as_text=True)
    db.session.refresh(admin_user)
    assert admin_user.erased_at is None
    assert admin_user.role == "admin"
    assert is_logged_in(admin_client)


def test_an_admin_may_erase_their_account_when_another_admin_remains(admin_client, db, admin_user):
    make_user(username="admin2", role="admin")

    assert erase(admin_client).status_code == 302
    db.session.refresh(admin_user)
    assert admin_user.erased_at is not None


def test_erase_removes_the_members_notifications(member_client, db, member):
    notify(member, "test", None, "private note")

    erase(member_client)

    from community.notifications.models import Notification

    assert db.session.scalar(select(Notification).where(Notification.user_id == member.id)) is None
    db.session.refresh(member)
    assert member.unread_notifications == 0


def test_export_of_an_account_lists_only_its_own_tokens(member_client, member):
    new_token(make_user(username="other"), name="other's token")

    data = member_client.get("/settings/data/export.json").get_json()

    assert data["api_tokens"] == []


def test_stored_user_row_keeps_no_personal_data_after_erasure(member_client, db, member):
    from community.accounts import services as accounts

    accounts.update_profile(member, "Mia Private", "my **private** bio")
    db.session.flush()

    erase(member_client)

    row = db.session.execute(select(User.__table__).where(User.id == member.id)).one()
    flat = " ".join(str(v) for v in row)
    assert "Mia Private" not in flat
    assert "private" not in flat
    assert "member1" not in flat
