"""Personal API tokens on /settings/tokens and from the command line."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from community.accounts.models import ApiToken, User
from community.moderation.models import AuditEntry
from tests.accounts.helpers import bearer, new_token
from tests.conftest import login
from tests.factories import PASSWORD, make_user

SECRET_RE = re.compile(r"mm_[A-Za-z0-9_-]{20,}")


def create_on_page(client, name="my script", days=30) -> tuple[int, str]:
    response = client.post("/settings/tokens", data={"name": name, "days": str(days)})
    html = response.get_data(as_text=True)
    match = SECRET_RE.search(html)
    assert match, html
    return response.status_code, match.group(0)


def test_created_token_is_shown_once(member_client):
    status, secret = create_on_page(member_client)

    assert status == 200
    reloaded = member_client.get("/settings/tokens").get_data(as_text=True)
    assert secret not in reloaded
    assert "my script" in reloaded
    assert secret[:10] in reloaded  # the prefix, to recognise it by


def test_only_the_sha256_of_the_secret_is_stored(member_client, db, member):
    _status, secret = create_on_page(member_client)

    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == member.id))
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.token_hash != secret
    stored = [str(getattr(token, c.key)) for c in ApiToken.__table__.columns]
    assert not any(secret in value for value in stored)


def test_token_from_the_page_opens_the_api(client, member_client, member):
    _status, secret = create_on_page(member_client)

    response = client.get("/api/v1/me", headers=bearer(secret))

    assert response.status_code == 200
    assert response.get_json()["username"] == member.username


def test_token_without_a_name_is_refused(member_client, db, member):
    response = member_client.post("/settings/tokens", data={"name": "", "days": "30"})

    assert response.status_code == 400
    assert SECRET_RE.search(response.get_data(as_text=True)) is None
    assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == member.id)) is None


def test_token_lifetime_outside_1_to_3650_days_is_refused(member_client, db, member):
    response = member_client.post("/settings/tokens", data={"name": "x", "days": "3651"})

    assert response.status_code == 400
    assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == member.id)) is None


def test_revoked_token_is_refused_by_the_api(client, member_client, db, member):
    _status, secret = create_on_page(member_client)
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == member.id))

    response = member_client.post(f"/settings/tokens/{token_id}/revoke")

    assert response.status_code == 302
    assert "revoked" in member_client.get("/settings/tokens").get_data(as_text=True)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_revoking_someone_elses_token_is_404_and_leaves_it_working(client, member_client, db):
    owner = make_user(username="owner")
    secret = new_token(owner)
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == owner.id))

    response = member_client.post(f"/settings/tokens/{token_id}/revoke")

    assert response.status_code == 404
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200


def test_tokens_page_lists_only_my_tokens(member_client, db):
    new_token(make_user(username="owner"), name="not yours")

    assert "not yours" not in member_client.get("/settings/tokens").get_data(as_text=True)


def test_cli_token_prints_a_working_token(app, client, member):
    result = app.test_cli_runner().invoke(args=["user", "token", member.username, "--name", "ci"])

    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert SECRET_RE.fullmatch(secret)
    response = client.get("/api/v1/me", headers=bearer(secret))
    assert response.get_json()["username"] == member.username


def test_cli_token_for_an_unknown_user_fails_cleanly(app, db):
    result = app.test_cli_runner().invoke(args=["user", "token", "nobody-here"])

    assert result.exit_code != 0
    assert "No such member." in result.output


def test_cli_user_create_makes_an_admin_who_can_log_in(app, client, db):
    result = app.test_cli_runner().invoke(
        args=[
            "user",
            "create",
            "boss",
            "Boss@Example.com",
            "--role",
            "admin",
            "--password",
            PASSWORD,
        ]
    )

    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username_key == "boss"))
    assert user.role == "admin"
    assert user.email == "boss@example.com"
    assert user.email_confirmed_at is not None
    login(client, user)
    assert client.get("/admin/").status_code == 200
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.subject_id == user.id))
    assert entry.action == "user.create"
