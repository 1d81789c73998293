"""Profiles are member content too: flagged, hidden by weighted flags or the team, their
display name and bio then shown to nobody but the member and the team, one edit asks for
another review, the queue restores them, a purge hides them, export and erasure know."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.accounts import services as accounts
from community.core.errors import Conflict, PermissionDenied
from community.extensions import db
from community.moderation import profiles
from community.moderation.models import AuditEntry, ReviewItem, ReviewStatus
from community.moderation.services import flags, purge, queue
from community.notifications.models import Notification
from tests.conftest import login
from tests.factories import PASSWORD, make_user
from tests.forums.factories import make_category, make_topic

FLAG_POINTS = 15  # the "flag" privilege
KIND = "user_account"


@pytest.fixture()
def spammer(db):
    user = make_user(username="shady", locale="en")
    accounts.update_profile(user, "Cheap Watches", "Visit [my shop](https://spam.example)")
    db.session.commit()
    return user


def flag_until_hidden(user) -> ReviewItem:
    for _ in range(3):
        flags.flag(make_user(reputation=FLAG_POINTS), KIND, user.id, "spam")
    db.session.commit()
    return db.session.scalars(select(ReviewItem).where(ReviewItem.kind == KIND)).one()


def refreshed(user):
    db.session.refresh(user)
    return user


def test_the_profile_page_offers_flagging_to_members_who_may(app, db, spammer):
    client = app.test_client()
    flagger = make_user(reputation=FLAG_POINTS)
    login(client, flagger)
    page = client.get(f"/u/{spammer.username}").get_data(as_text=True)
    assert "Flag this profile" in page
    form = client.get(f"/mod/flag?kind={KIND}&id={spammer.id}")
    assert form.status_code == 200
    assert "Cheap Watches" in form.get_data(as_text=True)
    # One's own profile, or an empty one, has nothing to flag.
    assert "Flag this profile" not in client.get(f"/u/{flagger.username}").get_data(as_text=True)
    own = app.test_client()
    login(own, spammer)
    assert "Flag this profile" not in own.get(f"/u/{spammer.username}").get_data(as_text=True)
    with pytest.raises(PermissionDenied):
        flags.flag(spammer, KIND, spammer.id, "spam")


def test_weighted_flags_hide_the_name_and_bio_from_everyone_but_owner_and_team(app, db, spammer):
    topic = make_topic(make_category(), author=spammer, title="Hello there")
    db.session.commit()
    item = flag_until_hidden(spammer)
    assert item.auto_hidden and item.status == ReviewStatus.PENDING.value
    spammer = refreshed(spammer)
    assert spammer.is_profile_hidden
    assert spammer.name == "shady" and spammer.public_display_name == ""

    visitor = app.test_client()
    page = visitor.get("/u/shady").get_data(as_text=True)
    assert "Cheap Watches" not in page and "spam.example" not in page
    assert "Cheap Watches" not in visitor.get(f"/t/{topic.id}/{topic.slug}").get_data(as_text=True)
    api = visitor.get("/api/v1/users/shady").get_json()
    assert api["display_name"] == ""

    owner = app.test_client()
    login(owner, spammer)
    mine = owner.get("/u/shady").get_data(as_text=True)
    assert "Cheap Watches" in mine and "spam.example" in mine
    assert "waiting for the team" in mine  # the reason, as the flags gave it
    assert owner.get("/api/v1/me").get_json()["profile_hidden_reason"]

    team = app.test_client()
    login(team, make_user(role="team"))
    assert "spam.example" in team.get("/u/shady").get_data(as_text=True)


def test_the_owners_one_edit_asks_for_review_and_a_second_is_refused(app, db, spammer):
    item = flag_until_hidden(spammer)
    accounts.update_profile(spammer, "Watches", "I sell watches")
    db.session.commit()
    db.session.refresh(item)
    assert item.author_edited and item.source == "edited"
    with pytest.raises(Conflict):
        accounts.update_profile(spammer, "Watches!", "Still selling")
    db.session.rollback()
    # Through the page the refusal is a form error and the typed text stays.
    client = app.test_client()
    login(client, spammer)
    page = client.get("/settings/profile")
    assert page.status_code == 200
    refused = client.post(
        "/settings/profile", data={"display_name": "Again", "bio": "My new words"}
    )
    assert refused.status_code == 409
    assert "My new words" in refused.get_data(as_text=True)
    assert refreshed(spammer).display_name == "Watches"


def test_approving_in_the_queue_shows_the_profile_again(app, db, spammer):
    item = flag_until_hidden(spammer)
    team = make_user(role="team")
    client = app.test_client()
    login(client, team)
    page = client.get(f"/mod/queue/{item.id}")
    assert page.status_code == 200
    assert "Profile of shady" in page.get_data(as_text=True)
    assert "Visit my shop" in page.get_data(as_text=True)
    queue.approve(team, item)
    db.session.commit()
    assert not refreshed(spammer).is_profile_hidden
    assert "Cheap Watches" in app.test_client().get("/u/shady").get_data(as_text=True)


def test_the_team_hides_and_restores_a_profile_audited_and_the_member_is_told(db, spammer):
    team = make_user(role="team")
    profiles.hide_profile(team, spammer.id, "Advertising")
    db.session.commit()
    assert refreshed(spammer).profile_hidden_reason == "Advertising"
    with pytest.raises(Conflict):
        profiles.hide_profile(team, spammer.id, "Again")
    db.session.rollback()
    profiles.restore_profile(team, spammer.id)
    db.session.commit()
    assert not refreshed(spammer).is_profile_hidden
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.subject_id == spammer.id)
    ).all()
    assert {"user.profile.hide", "user.profile.restore"} <= set(actions)
    texts = db.session.scalars(
        select(Notification.text).where(Notification.user_id == spammer.id)
    ).all()
    assert any("Advertising" in text for text in texts)
    with pytest.raises(PermissionDenied):
        profiles.hide_profile(make_user(), spammer.id, "Not mine to hide")


def test_a_purge_hides_the_profile_and_export_and_erasure_know(db, spammer):
    admin = make_user(role="admin")
    purge.purge(admin, spammer, "Spam")
    db.session.commit()
    spammer = refreshed(spammer)
    assert spammer.is_profile_hidden
    assert accounts.export_data(spammer)["account"]["profile_hidden_reason"] == "Spam"

    other = make_user()
    accounts.update_profile(other, "Someone", "Hi")
    profiles.hide_profile(admin, other.id, "Rude")
    db.session.commit()
    accounts.erase_account(other, PASSWORD)
    db.session.commit()
    other = refreshed(other)
    assert not other.is_profile_hidden and other.display_name == ""
