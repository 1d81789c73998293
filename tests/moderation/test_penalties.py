"""Penalties: warnings the member must acknowledge, silences (read-only) and suspensions
with escalating defaults, lifting them, and what the member and the team see."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_babel import format_datetime
from sqlalchemy import select

from community.accounts.models import User
from community.core.db import utcnow
from community.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from community.extensions import db
from community.forums.services import reactions, revisions, topics
from community.moderation.models import AuditEntry, Penalty, PenaltyKind
from community.moderation.services import flags, penalties
from community.notifications.models import Notification
from tests.conftest import login
from tests.factories import PASSWORD, make_user
from tests.forums.factories import make_category, make_reply, make_topic


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def days_of(penalty: Penalty) -> float:
    return (penalty.ends_at - penalty.created_at) / dt.timedelta(days=1)


def audit_entries(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def notifications_of(user: User) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.text)
            .where(Notification.user_id == user.id, Notification.kind == "penalty")
            .order_by(Notification.id)
        )
    )


@pytest.fixture()
def team(db):
    return make_user(role="team")


# ---------------------------------------------------------------- warnings


def test_a_warning_shows_a_banner_until_the_member_acknowledges_it(app, db, team):
    member = make_user()
    client = app.test_client()
    login(client, member)

    warning = penalties.warn(team, member, "Please stay on topic.")
    db.session.commit()

    assert fresh(member).unacknowledged_warnings == 1
    home = client.get("/").get_data(as_text=True)
    assert "The team sent you a warning." in home
    assert "/penalties" in home
    page = client.get("/penalties").get_data(as_text=True)
    assert "Please stay on topic." in page
    assert "I have read this warning" in page

    response = client.post(f"/penalties/{warning.id}/acknowledge")

    assert response.status_code == 302
    assert fresh(member).unacknowledged_warnings == 0
    assert "The team sent you a warning." not in client.get("/").get_data(as_text=True)
    assert db.session.get(Penalty, warning.id).acknowledged_at is not None


def test_acknowledging_twice_counts_once(db, team):
    member = make_user()
    first = penalties.warn(team, member, "One.")
    penalties.warn(team, member, "Two.")

    penalties.acknowledge(member, first)
    penalties.acknowledge(member, first)

    assert fresh(member).unacknowledged_warnings == 1


def test_a_member_cannot_acknowledge_someone_elses_warning(app, db, team):
    member, other = make_user(), make_user()
    warning = penalties.warn(team, other, "Careful.")
    db.session.commit()
    client = app.test_client()
    login(client, member)

    assert client.post(f"/penalties/{warning.id}/acknowledge").status_code == 404
    assert fresh(other).unacknowledged_warnings == 1
    with pytest.raises(NotFound):
        penalties.acknowledge(member, warning)


def test_a_warning_is_audited_and_sent_to_the_member(db, team):
    member = make_user()

    warning = penalties.warn(team, member, "No advertising, please.")

    (entry,) = audit_entries("penalty.warn")
    assert (entry.actor_id, entry.subject_type, entry.subject_id) == (
        team.id,
        "user_account",
        member.id,
    )
    assert entry.details["penalty_id"] == warning.id
    assert entry.details["reason"] == "No advertising, please."
    (text,) = notifications_of(member)
    assert "No advertising, please." in text


# ---------------------------------------------------------------- escalation


def test_silences_escalate_from_one_day_to_seven_to_thirty(db, team):
    member = make_user()

    lengths = [days_of(penalties.silence(team, member, f"Number {n}.")) for n in range(4)]

    assert lengths == [1, 7, 30, 30]


def test_suspensions_escalate_from_seven_days_to_thirty_to_a_year(db, team):
    member = make_user()

    lengths = [days_of(penalties.suspend_member(team, member, f"Number {n}.")) for n in range(4)]

    assert lengths == [7, 30, 365, 365]


def test_escalation_counts_only_earlier_penalties_of_the_same_kind(db, team):
    member = make_user()
    penalties.warn(team, member, "A warning.")
    penalties.suspend_member(team, member, "A suspension.")

    assert days_of(penalties.silence(team, member, "First silence.")) == 1


def test_a_lifted_silence_does_not_count_for_escalation(db, team):
    member = make_user()
    mistaken = penalties.silence(team, member, "Wrong member.")
    penalties.lift(team, mistaken)

    assert days_of(penalties.silence(team, member, "Now for real.")) == 1


def test_given_days_override_the_default_and_the_audit_says_so(db, team):
    member = make_user()

    penalty = penalties.silence(team, member, "Three days will do.", days=3)

    assert days_of(penalty) == 3
    (entry,) = audit_entries("penalty.silence")
    assert (entry.details["days"], entry.details["default_days"]) == (3, 1)
    assert entry.details["reason"] == "Three days will do."


@pytest.mark.parametrize("reason", ["", "   ", None, "x" * 501])
def test_every_penalty_needs_a_reason(db, team, reason):
    member = make_user()
    for give in (penalties.warn, penalties.silence, penalties.suspend_member):
        with pytest.raises(InvalidInput) as refused:
            give(team, member, reason)
        assert refused.value.field == "reason"


@pytest.mark.parametrize("days", [0, -1, 3651, "many"])
def test_days_must_be_between_one_and_3650(db, team, days):
    member = make_user()
    with pytest.raises(InvalidInput) as refused:
        penalties.silence(team, member, "Reason.", days=days)
    assert refused.value.field == "days"


# ---------------------------------------------------------------- who may


def test_members_cannot_give_penalties(db):
    member, other = make_user(), make_user()
    with pytest.raises(PermissionDenied):
        penalties.warn(member, other, "I do not like you.")


@pytest.mark.parametrize("role", ["team", "admin"])
def test_the_team_cannot_penalise_the_team_admins_or_themselves(db, team, role):
    colleague = make_user(role=role)
    for target in (colleague, team):
        with pytest.raises(PermissionDenied):
            penalties.silence(team, target, "Reason.")


# ---------------------------------------------------------------- silence


def test_a_silenced_member_cannot_post_reply_edit_react_or_flag(db, team):
    category = make_category()
    member = make_user(reputation=50)
    own_topic = make_topic(category, author=member)
    own_reply = make_reply(own_topic, author=member)
    other_post = make_reply(own_topic, author=make_user())
    penalty = penalties.silence(team, member, "Cool down.")
    until = format_datetime(penalty.ends_at, "short")

    attempts = [
        lambda: topics.create_topic(member, category, "A new topic", "Body text here."),
        lambda: topics.reply(member, own_topic, "Another reply."),
        lambda: revisions.edit_post(member, own_reply, "Changed body."),
        lambda: reactions.react(member, other_post, "like"),
        lambda: flags.flag(member, "forum_post", other_post.id, "spam"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied) as refused:
            attempt()
        assert refused.value.message == (
            f"You are silenced until {until}: you can read but not post."
        )


def test_a_silenced_member_sees_a_notice_instead_of_the_forms(app, db, team):
    category = make_category()
    member = make_user()
    topic = make_topic(category)
    penalties.silence(team, member, "Cool down.")
    db.session.commit()
    client = app.test_client()
    login(client, member)

    for path in (f"/forums/{category.slug}/new", f"/t/{topic.id}/reply"):
        page = client.get(path).get_data(as_text=True)
        assert "You are silenced until" in page, path
        assert 'name="body"' not in page, path
    refused = client.post(f"/t/{topic.id}/reply", data={"body": "Let me in", "post": "1"})
    assert refused.status_code == 403
    assert "You are silenced until" in refused.get_data(as_text=True)


def test_a_silenced_member_can_still_read(app, db, team):
    topic = make_topic()
    member = make_user()
    penalties.silence(team, member, "Cool down.")
    db.session.commit()
    client = app.test_client()
    login(client, member)

    assert client.get(f"/t/{topic.id}").status_code in (200, 301, 302, 308)
    assert client.get("/penalties").status_code == 200


def test_the_api_refuses_a_silenced_member_with_the_end_date(app, db, team):
    category = make_category()
    member = make_user()
    penalties.silence(team, member, "Cool down.")
    db.session.commit()
    client = app.test_client()
    login(client, member)

    response = client.post(
        f"/api/v1/categories/{category.slug}/topics",
        json={"title": "Hello there", "body": "Some text."},
    )

    assert response.status_code == 403
    assert "You are silenced until" in response.get_json()["error"]["message"]


def test_a_silence_ends_by_itself(db, team):
    member = make_user()
    penalties.silence(team, member, "Cool down.")
    member.silenced_until = utcnow() - dt.timedelta(seconds=1)
    db.session.flush()

    assert topics.create_topic(member, make_category(), "Back again", "Hello all.")


def test_a_shorter_silence_does_not_cut_a_longer_one_short(db, team):
    member = make_user()
    long = penalties.silence(team, member, "Long.", days=30)
    penalties.silence(team, member, "Short.", days=1)

    assert fresh(member).silenced_until == long.ends_at


def test_a_silence_tells_the_member_why_and_until_when(db, team):
    member = make_user()
    penalty = penalties.silence(team, member, "Too many heated replies.")

    (text,) = notifications_of(member)
    assert "Too many heated replies." in text
    assert format_datetime(penalty.ends_at, "short") in text


# ---------------------------------------------------------------- suspension


def test_a_suspended_member_is_told_why_and_until_when_at_login(app, db, team):
    member = make_user()
    penalty = penalties.suspend_member(team, member, "Repeated insults.")
    db.session.commit()

    response = app.test_client().post(
        "/auth/login", data={"login": member.username, "password": PASSWORD}
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "Repeated insults." in page
    assert penalty.ends_at.strftime("%Y-%m-%d %H:%M") in page


def test_a_suspension_logs_the_member_out(app, db, team):
    member = make_user()
    client = app.test_client()
    login(client, member)

    penalties.suspend_member(team, member, "Spam.")
    db.session.commit()

    assert client.get("/settings/").status_code == 302


def test_lifting_a_suspension_lets_the_member_log_in_again(app, db, team):
    member = make_user()
    penalty = penalties.suspend_member(team, member, "Spam.")

    penalties.lift(team, penalty)
    db.session.commit()

    assert not fresh(member).is_suspended
    login(app.test_client(), member)


def test_lifting_one_suspension_keeps_a_longer_one(db, team):
    member = make_user()
    short = penalties.suspend_member(team, member, "Short.", days=3)
    longer = penalties.suspend_member(team, member, "Long.", days=40)

    penalties.lift(team, short)

    assert fresh(member).suspended_until == longer.ends_at
    penalties.lift(team, longer)
    assert not fresh(member).is_suspended


# ---------------------------------------------------------------- lifting


def test_lifting_a_silence_lets_the_member_write_again(db, team):
    member = make_user()
    penalty = penalties.silence(team, member, "Cool down.")

    penalties.lift(team, penalty)

    assert not fresh(member).is_silenced
    assert topics.create_topic(member, make_category(), "Back again", "Hello all.")
    (entry,) = audit_entries("penalty.lift")
    assert entry.details == {"penalty_id": penalty.id, "kind": "silence"}
    assert "lifted" in notifications_of(member)[-1]


def test_lifting_a_pending_warning_clears_its_banner_count_once(db, team):
    member = make_user()
    warning = penalties.warn(team, member, "Hm.")

    penalties.lift(team, warning)
    with pytest.raises(Conflict):
        penalties.lift(team, warning)
    penalties.acknowledge(member, warning)

    assert fresh(member).unacknowledged_warnings == 0


def test_members_cannot_lift_penalties(db, team):
    member = make_user()
    penalty = penalties.silence(team, member, "Cool down.")
    with pytest.raises(PermissionDenied):
        penalties.lift(member, penalty)


# ---------------------------------------------------------------- pages


def test_the_team_member_page_shows_the_history_and_gives_penalties(app, db, team):
    member = make_user()
    penalties.warn(team, member, "An earlier warning.")
    db.session.commit()
    client = app.test_client()
    login(client, team)

    page = client.get(f"/mod/members/{member.id}").get_data(as_text=True)
    assert "An earlier warning." in page
    assert "the next silence lasts 1 day" in page

    response = client.post(
        f"/mod/members/{member.id}/penalty",
        data={"kind": "silence", "reason": "Flame war.", "days": ""},
    )

    assert response.status_code == 302
    assert fresh(member).is_silenced
    assert "Flame war." in client.get(response.location).get_data(as_text=True)


def test_the_penalty_form_keeps_what_was_typed_when_the_reason_is_missing(app, db, team):
    member = make_user()
    db.session.commit()
    client = app.test_client()
    login(client, team)

    response = client.post(
        f"/mod/members/{member.id}/penalty", data={"kind": "suspend", "days": "5", "reason": ""}
    )

    assert response.status_code == 400
    assert not fresh(member).is_suspended
    assert 'value="5"' in response.get_data(as_text=True)


def test_lifting_from_the_member_page(app, db, team):
    member = make_user()
    penalty = penalties.silence(team, member, "Cool down.")
    db.session.commit()
    client = app.test_client()
    login(client, team)

    response = client.post(f"/mod/penalties/{penalty.id}/lift")

    assert response.status_code == 302
    assert response.location.endswith(f"/mod/members/{member.id}")
    assert not fresh(member).is_silenced


def test_members_cannot_open_the_team_member_page(app, db):
    member, other = make_user(), make_user()
    db.session.commit()
    client = app.test_client()
    login(client, member)

    assert client.get(f"/mod/members/{other.id}").status_code == 403
    assert client.post(f"/mod/members/{other.id}/penalty", data={}).status_code == 403
    assert client.post(f"/mod/members/{other.id}/purge", data={}).status_code == 403


def test_the_member_does_not_see_which_team_member_penalised_them(app, db, team):
    member = make_user()
    penalties.warn(team, member, "Be kind.")
    db.session.commit()
    client = app.test_client()
    login(client, member)

    page = client.get("/penalties").get_data(as_text=True)

    assert "Be kind." in page
    assert team.username not in page


def test_penalties_are_part_of_the_members_data_export(db, team):
    from community.accounts import services as accounts

    member = make_user()
    penalties.warn(team, member, "Exported.")

    data = accounts.export_data(member)

    assert [(p["kind"], p["reason"]) for p in data["penalties"]] == [
        (PenaltyKind.WARN.value, "Exported.")
    ]
