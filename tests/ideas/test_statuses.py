"""The status workflow: history, audit, notifications, reputation on shipping."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.core.errors import Conflict, InvalidInput, PermissionDenied
from community.extensions import db
from community.ideas.models import Idea
from community.ideas.services import following, statuses, voting
from community.moderation.models import AuditEntry
from community.notifications.models import Notification
from community.reputation.models import ReputationEvent
from tests.factories import make_user
from tests.ideas.factories import make_idea


def points(user, reason: str) -> int:
    return (
        db.session.scalar(
            select(func.sum(ReputationEvent.points)).where(
                ReputationEvent.user_id == user.id, ReputationEvent.reason == reason
            )
        )
        or 0
    )


def notes_to(user) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.text).where(
                Notification.user_id == user.id, Notification.kind == "idea"
            )
        )
    )


@pytest.fixture()
def team(db):
    return make_user(role="team")


def test_a_change_is_recorded_with_its_note_actor_and_audit(db, team):
    idea = make_idea()

    change = statuses.change_status(team, idea, "planned", "Coming in **spring**.")

    assert (change.from_status, change.to_status, change.actor_id) == ("open", "planned", team.id)
    assert "<strong>spring</strong>" in change.note_html
    assert idea.status == "planned" and idea.status_changed_at is not None
    assert [c.to_status for c in statuses.history(idea)] == ["planned"]
    assert (
        db.session.scalar(
            select(func.count()).where(
                AuditEntry.action == "idea.status", AuditEntry.subject_id == idea.id
            )
        )
        == 1
    )


def test_followers_are_told_once_each_and_the_actor_not_at_all(db, team):
    idea = make_idea()
    fan, quitter = make_user(), make_user()
    voting.vote(fan, idea)
    voting.vote(quitter, idea)
    following.set_following(quitter, idea, False)
    following.set_following(team, idea, True)

    statuses.change_status(team, idea, "under_review", "Looking at it.")

    assert notes_to(fan) == [f"“{idea.title}” is now Under review: Looking at it."]
    assert len(notes_to(idea.author)) == 1
    assert notes_to(quitter) == []
    assert notes_to(team) == []


def test_declining_needs_a_reason(db, team):
    idea = make_idea()

    with pytest.raises(InvalidInput) as error:
        statuses.change_status(team, idea, "declined", "  ")

    assert error.value.field == "note"
    assert db.session.get(Idea, idea.id).status == "open"


def test_only_the_team_changes_statuses(db):
    idea = make_idea()

    with pytest.raises(PermissionDenied):
        statuses.change_status(idea.author, idea, "planned", "")


@pytest.mark.parametrize("status", ["merged", "bogus", ""])
def test_only_the_offered_statuses_can_be_chosen(db, team, status):
    with pytest.raises(InvalidInput):
        statuses.change_status(team, make_idea(), status, "")


def test_the_same_status_again_is_a_conflict(db, team):
    idea = make_idea()
    statuses.change_status(team, idea, "planned", "")

    with pytest.raises(Conflict):
        statuses.change_status(team, idea, "planned", "")


def test_shipping_rewards_author_and_voters_and_moving_back_reverses_it(db, team):
    idea = make_idea()
    fan = make_user()
    voting.vote(fan, idea)

    statuses.change_status(team, idea, "shipped", "Out now.")
    assert points(idea.author, "idea_shipped_author") == 50
    assert points(fan, "idea_shipped_voter") == 2
    assert points(idea.author, "idea_shipped_voter") == 0
    assert idea.shipped_at is not None

    statuses.change_status(team, idea, "in_progress", "Not quite done.")
    assert points(idea.author, "idea_shipped_author") == 0
    assert points(fan, "idea_shipped_voter") == 0
