import itertools
import re
import subprocess
import sys

from flask import render_template_string
from sqlalchemy import func, select

from community.accounts.models import User
from community.moderation.models import AuditEntry
from community.reputation import services as reputation
from community.reputation.models import ReputationEvent
from community.reputation.rules import RULES
from community.reputation.services import antigaming  # registers it here too: see the last test
from tests.conftest import login
from tests.factories import make_user

_subject_ids = itertools.count(1)


class Idea:
    """A stand-in subject: features do not exist yet, the ledger only needs (type, id)."""

    __tablename__ = "idea"

    def __init__(self) -> None:
        self.id = next(_subject_ids)


UPVOTE = RULES["idea_upvoted"].points
KUDOS = RULES["post_kudos"].points


def reputation_of(db, user) -> int:
    db.session.expire_all()
    return db.session.get(User, user.id).reputation


def ledger_sum(db, user) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(ReputationEvent.points), 0)).where(
            ReputationEvent.user_id == user.id
        )
    )


def _entry(db, action):
    return db.session.scalar(select(AuditEntry).where(AuditEntry.action == action))


def _puppet_and_victims(db):
    """A puppet that upvoted two ideas and gave kudos to its owner, who also has an honest
    fan; returns (puppet, owner, fan)."""
    owner, fan, puppet = make_user(username="owner"), make_user(), make_user(username="puppet")
    reputation.record(owner, "idea_upvoted", Idea(), puppet)
    reputation.record(owner, "idea_upvoted", Idea(), puppet)
    reputation.record(owner, "post_kudos", Idea(), puppet)
    reputation.record(owner, "idea_upvoted", Idea(), fan)
    reputation.record(puppet, "post_kudos", Idea(), owner)  # to the puppet: not its vote
    assert reputation_of(db, owner) == 3 * UPVOTE + KUDOS
    return puppet, owner, fan


def test_suspending_a_sock_puppet_takes_back_the_reputation_its_votes_gave(admin_client, db):
    puppet, owner, _fan = _puppet_and_victims(db)

    response = admin_client.post(
        f"/admin/users/{puppet.id}/suspend",
        data={"days": "30", "reason": "Second account of owner", "sock_puppet": "y"},
    )

    assert response.status_code == 302
    assert reputation_of(db, owner) == ledger_sum(db, owner) == UPVOTE  # the fan's vote
    assert reputation_of(db, puppet) == KUDOS  # what it received is not its votes
    entry = _entry(db, "user.suspend")
    assert entry.details["sock_puppet"] is True
    assert entry.details["votes_reversed"] == 3
    assert "3 votes of this account were reversed" in admin_client.get(
        f"/admin/users/{puppet.id}"
    ).get_data(as_text=True)


def test_the_owner_history_explains_the_reversal(app, admin_client, db):
    puppet, owner, _fan = _puppet_and_victims(db)
    admin_client.post(
        f"/admin/users/{puppet.id}/suspend",
        data={"days": "30", "reason": "Second account", "sock_puppet": "y"},
    )
    client = app.test_client()
    login(client, owner)

    page = client.get("/u/owner/reputation").get_data(as_text=True)

    assert page.count("Reversed:") == 3


def test_a_plain_suspension_reverses_nothing(admin_client, db):
    puppet, owner, _fan = _puppet_and_victims(db)

    response = admin_client.post(
        f"/admin/users/{puppet.id}/suspend", data={"days": "3", "reason": "Rude"}
    )

    assert response.status_code == 302
    assert reputation_of(db, owner) == 3 * UPVOTE + KUDOS
    assert "sock_puppet" not in _entry(db, "user.suspend").details


def test_erasing_a_sock_puppet_reverses_its_votes_and_leaves_a_deleted_user(app, admin_client, db):
    puppet, owner, _fan = _puppet_and_victims(db)

    response = admin_client.post(
        f"/admin/users/{puppet.id}/erase", data={"erase-reason": "Bought votes"}
    )

    assert response.status_code == 302
    assert reputation_of(db, owner) == ledger_sum(db, owner) == UPVOTE
    erased = db.session.get(User, puppet.id)
    assert erased.is_erased and erased.username == f"deleted-{puppet.id}"
    entry = _entry(db, "user.erase")
    assert (entry.subject_id, entry.details) == (
        puppet.id,
        {"reason": "Bought votes", "sock_puppet": True, "votes_reversed": 3},
    )
    # What it took part in stays readable: the row is kept and shows as a deleted user.
    assert app.test_client().get("/u/puppet").status_code == 404
    with app.test_request_context():
        chip = render_template_string("{{ user_chip(u) }}", u=erased)
    assert "deleted user" in chip and "puppet" not in chip


def test_erasing_needs_a_reason(admin_client, db):
    puppet, owner, _fan = _puppet_and_victims(db)

    response = admin_client.post(f"/admin/users/{puppet.id}/erase", data={"erase-reason": " "})

    assert response.status_code == 400
    assert "Please give a reason" in response.get_data(as_text=True) or (
        "This field is required" in response.get_data(as_text=True)
    )
    assert not db.session.get(User, puppet.id).is_erased
    assert reputation_of(db, owner) == 3 * UPVOTE + KUDOS


def test_admins_cannot_erase_an_admin_or_themselves(admin_client, admin_user, db):
    other_admin = make_user(role="admin")
    for target in (other_admin, admin_user):
        response = admin_client.post(f"/admin/users/{target.id}/erase", data={"erase-reason": "x"})
        assert response.status_code == 403
        assert not db.session.get(User, target.id).is_erased
    assert _entry(db, "user.erase") is None


def test_members_and_the_team_cannot_erase_accounts(member_client, team_client, db):
    victim = make_user()
    for client in (member_client, team_client):
        response = client.post(f"/admin/users/{victim.id}/erase", data={"erase-reason": "x"})
        assert response.status_code == 403
    assert not db.session.get(User, victim.id).is_erased


def test_the_erase_form_on_the_member_page_carries_its_csrf_token(admin_client, db, csrf_enabled):
    puppet = make_user()
    page = admin_client.get(f"/admin/users/{puppet.id}").get_data(as_text=True)
    assert 'for="erase-reason"' in page and 'for="sock_puppet"' in page
    token = re.search(r'name="erase-csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    refused = admin_client.post(f"/admin/users/{puppet.id}/erase", data={"erase-reason": "x"})
    accepted = admin_client.post(
        f"/admin/users/{puppet.id}/erase",
        data={"erase-reason": "Sock puppet", "erase-csrf_token": token},
    )

    assert (refused.status_code, accepted.status_code) == (400, 302)


def test_the_app_wires_reputation_into_sock_puppet_reversal():
    # Run in a fresh interpreter: importing the tests must not be what registers it.
    code = (
        "from community import create_app\n"
        "from config import TestConfig\n"
        "create_app(TestConfig)\n"
        "from community.accounts.services import lifecycle\n"
        "print([f.__module__ for f in lifecycle._vote_reversers])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert "community.reputation.services.antigaming" in result.stdout


def test_every_vote_of_a_busy_sock_puppet_is_reversed(admin_client, db, monkeypatch):
    monkeypatch.setattr(antigaming, "EVENTS_PER_BATCH", 2)  # reversed in several batches
    owner, puppet = make_user(), make_user()
    for _ in range(5):
        reputation.record(owner, "post_kudos", Idea(), puppet)

    admin_client.post(
        f"/admin/users/{puppet.id}/suspend",
        data={"days": "30", "reason": "Sock puppet", "sock_puppet": "y"},
    )

    assert reputation_of(db, owner) == ledger_sum(db, owner) == 0
    assert _entry(db, "user.suspend").details["votes_reversed"] == 5
