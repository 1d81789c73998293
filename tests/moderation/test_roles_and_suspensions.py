from sqlalchemy import select

from community.accounts.models import User
from community.moderation.models import AuditEntry
from community.notifications.models import Notification
from tests.conftest import login
from tests.factories import make_user


def _entries(db, action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_admin_makes_a_member_team_and_it_is_audited_and_notified(admin_client, db, member):
    response = admin_client.post(f"/admin/users/{member.id}/role", data={"role": "team"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, member.id).role == "team"
    [entry] = _entries(db, "user.role")
    assert entry.details == {"from": "member", "to": "team"}
    assert db.session.scalar(select(Notification).where(Notification.user_id == member.id))


def test_admin_cannot_change_their_own_role(admin_client, db, admin_user):
    response = admin_client.post(f"/admin/users/{admin_user.id}/role", data={"role": "member"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, admin_user.id).role == "admin"
    assert _entries(db, "user.role") == []


def test_unknown_role_is_a_form_error_and_changes_nothing(admin_client, db, member):
    response = admin_client.post(f"/admin/users/{member.id}/role", data={"role": "emperor"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, member.id).role == "member"


def test_suspended_member_is_logged_out_and_sees_why_when_logging_in(app, admin_client, db, member):
    member_session = app.test_client()
    login(member_session, member)
    response = admin_client.post(
        f"/admin/users/{member.id}/suspend", data={"days": "3", "reason": "Spam links"}
    )
    assert response.status_code == 302
    assert _entries(db, "user.suspend")[0].details["reason"] == "Spam links"

    assert member_session.get("/settings/").status_code == 302  # back to login
    response = member_session.post(
        "/auth/login", data={"login": member.username, "password": "correct horse battery"}
    )
    assert response.status_code == 403
    assert "Spam links" in response.get_data(as_text=True)


def test_suspension_needs_a_reason_and_keeps_the_typed_days(admin_client, db, member):
    response = admin_client.post(
        f"/admin/users/{member.id}/suspend", data={"days": "12", "reason": ""}
    )
    assert response.status_code == 400
    assert 'value="12"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, member.id).suspended_until is None


def test_admins_cannot_be_suspended(admin_client, db):
    other = make_user(username="otheradmin", role="admin")
    response = admin_client.post(
        f"/admin/users/{other.id}/suspend", data={"days": "3", "reason": "x"}
    )
    assert response.status_code == 403


def test_lifting_a_suspension_lets_the_member_log_in_again(app, admin_client, db, member):
    admin_client.post(f"/admin/users/{member.id}/suspend", data={"days": "3", "reason": "r"})
    admin_client.post(f"/admin/users/{member.id}/unsuspend")
    assert _entries(db, "user.unsuspend")
    login(app.test_client(), member)


def test_admin_finds_members_by_username_prefix(admin_client, db):
    make_user(username="findme_one")
    make_user(username="other_two")
    page = admin_client.get("/admin/users?q=FINDME").get_data(as_text=True)
    assert "findme_one" in page and "other_two" not in page


def test_an_admin_suspension_joins_the_penalty_history_and_counts_for_escalation(
    admin_client, db, member
):
    from community.moderation.models import Penalty, PenaltyKind
    from community.moderation.services import penalties

    admin_client.post(f"/admin/users/{member.id}/suspend", data={"days": "3", "reason": "Spam"})
    (penalty,) = db.session.scalars(select(Penalty).where(Penalty.user_id == member.id)).all()
    assert (penalty.kind, penalty.reason, penalty.lifted_at) == ("suspend", "Spam", None)
    # The next suspension escalates from it: 30 days, not the first 7.
    assert penalties.default_days(member, PenaltyKind.SUSPEND) == 30

    admin_client.post(f"/admin/users/{member.id}/unsuspend")
    db.session.expire_all()
    assert db.session.get(Penalty, penalty.id).lifted_at is not None
