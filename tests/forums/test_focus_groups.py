"""Focus groups: private categories only their invited members, the team and admins see."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.accounts.models import AnonymousUser
from community.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from community.forums.services import categories, visibility
from community.moderation.models import AuditEntry
from community.notifications.models import Notification
from tests.factories import make_user
from tests.forums.factories import make_category


@pytest.fixture()
def focus_group(db):
    return make_category(name="Beta testers", slug="beta", is_private=True)


def _sees(viewer, category) -> bool:
    listed = category.id in {row.category.id for row in categories.list_categories(viewer)}
    try:
        visibility.get_category(viewer, category.slug)
        loaded = True
    except NotFound:
        loaded = False
    assert listed == loaded, "the list and the category page disagree"
    return listed


def test_a_private_category_is_invisible_to_members_who_were_not_invited(db, focus_group, member):
    assert not _sees(member, focus_group)
    assert not _sees(AnonymousUser(), focus_group)


def test_an_invited_member_sees_the_private_category(db, focus_group, team_user, member):
    categories.invite_member(team_user, focus_group, member.username)
    assert _sees(member, focus_group)


def test_team_and_admins_see_every_private_category(db, focus_group, team_user, admin_user):
    assert _sees(team_user, focus_group)
    assert _sees(admin_user, focus_group)


def test_removing_a_member_hides_the_category_again(db, focus_group, team_user, member):
    categories.invite_member(team_user, focus_group, member.username)
    assert categories.remove_member(team_user, focus_group, member) is True
    assert not _sees(member, focus_group)
    assert categories.remove_member(team_user, focus_group, member) is False


def test_the_invited_member_is_notified(db, focus_group, team_user, member):
    categories.invite_member(team_user, focus_group, member.username)
    notification = db.session.scalars(
        select(Notification).where(Notification.user_id == member.id)
    ).one()
    assert notification.kind == "focus_group_invite"
    assert (notification.subject_type, notification.subject_id) == (
        "forum_category",
        focus_group.id,
    )
    assert "Beta testers" in notification.text


def test_inviting_and_removing_are_audited(db, focus_group, team_user, member):
    categories.invite_member(team_user, focus_group, member.username)
    categories.remove_member(team_user, focus_group, member)
    entries = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action.like("forum.focus_group.%"))
        .order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.actor_id, e.subject_id, e.details["user_id"]) for e in entries] == [
        ("forum.focus_group.invite", team_user.id, focus_group.id, member.id),
        ("forum.focus_group.remove", team_user.id, focus_group.id, member.id),
    ]


def test_inviting_someone_twice_is_a_conflict(db, focus_group, team_user, member):
    categories.invite_member(team_user, focus_group, member.username)
    with pytest.raises(Conflict) as error:
        categories.invite_member(team_user, focus_group, member.username.upper())
    assert error.value.field == "username"


def test_inviting_an_unknown_name_is_refused_on_the_username_field(db, focus_group, team_user):
    with pytest.raises(InvalidInput) as error:
        categories.invite_member(team_user, focus_group, "nobody-here")
    assert error.value.field == "username"


def test_a_public_category_takes_no_invitations(db, team_user, member):
    public = make_category()
    with pytest.raises(InvalidInput):
        categories.invite_member(team_user, public, member.username)


def test_members_cannot_manage_focus_groups(db, focus_group, team_user, member):
    categories.invite_member(team_user, focus_group, member.username)
    other = make_user()
    with pytest.raises(PermissionDenied):
        categories.invite_member(member, focus_group, other.username)
    with pytest.raises(PermissionDenied):
        categories.list_members(member, focus_group)
    with pytest.raises(PermissionDenied):
        categories.remove_member(member, focus_group, member)
    assert _sees(member, focus_group)


def test_the_member_list_shows_who_is_in_with_their_accounts(
    db, focus_group, team_user, count_queries
):
    for name in ("zora", "anna", "mika"):
        categories.invite_member(team_user, focus_group, make_user(username=name).username)
    db.session.expunge_all()
    team_user = db.session.merge(team_user)
    focus_group = db.session.merge(focus_group)
    with count_queries() as queries:
        members = categories.list_members(team_user, focus_group)
        names = [m.user.username for m in members]
    assert names == ["anna", "mika", "zora"]
    assert len(queries) == 1


def test_a_category_made_public_is_seen_by_everyone_and_private_again_only_by_members(
    db, focus_group, team_user, member
):
    outsider = make_user()
    categories.invite_member(team_user, focus_group, member.username)
    categories.update_category(team_user, focus_group, is_private=False)
    assert _sees(outsider, focus_group)
    categories.update_category(team_user, focus_group, is_private=True)
    assert not _sees(outsider, focus_group)
    assert _sees(member, focus_group)
