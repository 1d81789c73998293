import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DatabaseError

from community.moderation import services
from community.moderation.models import AuditEntry
from tests.factories import make_user


def test_audit_appends_an_entry_with_actor_action_subject_and_details(db, admin_user, member):
    entry = services.audit(admin_user, "user.role", member, {"from": "member", "to": "team"})
    db.session.commit()
    stored = db.session.get(AuditEntry, entry.id)
    assert (stored.actor_id, stored.action) == (admin_user.id, "user.role")
    assert (stored.subject_type, stored.subject_id) == ("user_account", member.id)
    assert stored.details == {"from": "member", "to": "team"}


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_the_database_refuses_to_change_or_delete_audit_entries(db, admin_user, statement):
    entry = services.audit(admin_user, "site.branding", None, {})
    db.session.flush()
    stmt = (
        update(AuditEntry).where(AuditEntry.id == entry.id).values(action="forged")
        if statement == "update"
        else delete(AuditEntry).where(AuditEntry.id == entry.id)
    )
    with pytest.raises(DatabaseError), db.session.begin_nested():
        db.session.execute(stmt)
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.id == entry.id)) == (
        "site.branding"
    )


def test_admin_filters_the_audit_log_by_actor_and_action(admin_client, db, admin_user):
    other_admin = make_user(username="root2", role="admin")
    target = make_user(username="target")
    services.audit(admin_user, "user.role", target, {"to": "team"})
    services.audit(other_admin, "user.suspend", target, {"reason": "spam-from-other"})
    services.audit(admin_user, "site.branding", None, {"marker": "branding-by-admin1"})
    db.session.commit()

    page = admin_client.get("/admin/audit?actor=ADMIN1").get_data(as_text=True)
    assert "branding-by-admin1" in page and "spam-from-other" not in page

    page = admin_client.get("/admin/audit?action=user.suspend").get_data(as_text=True)
    assert "spam-from-other" in page and "branding-by-admin1" not in page


def test_audit_log_pages_with_a_cursor(admin_client, db, admin_user):
    for n in range(services.PER_PAGE + 5):
        services.audit(admin_user, "test.page", None, {"n": f"entry-{n:03d}"})
    db.session.commit()
    first = admin_client.get("/admin/audit?action=test.page").get_data(as_text=True)
    assert "entry-054" in first and "entry-004" not in first
    assert "before=" in first
    oldest_shown = min(
        e.id
        for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "test.page").order_by(AuditEntry.id)
        ).all()[-services.PER_PAGE :]
    )
    second = admin_client.get(f"/admin/audit?action=test.page&before={oldest_shown}")
    assert "entry-004" in second.get_data(as_text=True)


def test_audit_log_query_count_does_not_grow_with_entries(
    admin_client, db, admin_user, count_queries
):
    actors = [make_user(username=f"actor{n}", role="team") for n in range(3)]
    services.audit(actors[0], "few", None, {})
    db.session.commit()
    admin_client.get("/admin/audit")
    with count_queries() as few:
        admin_client.get("/admin/audit")
    for n in range(30):
        services.audit(actors[n % 3], "many", actors[(n + 1) % 3], {"n": n})
    db.session.commit()
    with count_queries() as many:
        admin_client.get("/admin/audit")
    assert len(many) <= len(few) + 1


def test_member_and_team_get_403_on_the_audit_log(member_client, team_client):
    assert member_client.get("/admin/audit").status_code == 403
    assert team_client.get("/admin/audit").status_code == 403
