"""Profiles as member content moderation can act on: a member's display name and bio.

Kind "user_account" (the subject a profile link already is). Hiding a profile keeps its
text but shows others only the username: ``User.name`` and ``User.public_display_name``
leave the display name out, the profile page and the API leave the bio out; the member
and the team see both, marked hidden with the reason. Accounts sit below moderation, so
the one edit that asks for another review arrives through ``accounts.on_profile_edit``.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from community.accounts.models import User
from community.accounts.services import in_language_of, on_profile_edit
from community.core.db import utcnow
from community.core.errors import Conflict, InvalidInput, PermissionDenied
from community.core.plain_text import plain_text
from community.extensions import db
from community.moderation import targets
from community.moderation.services import audit, flags
from community.moderation.targets import Target, TargetInfo
from community.notifications.services import notify
from community.reputation.sandbox import count_links

KIND = "user_account"
NOTIFY_KIND = "profile_moderated"
REASON_MAX = 500


def _profile_url(username: str) -> str:
    """The profile's path, also outside a request (the CLI, a purge, the tests)."""
    if has_request_context():
        return url_for("accounts.profile", username=username)
    adapter = current_app.url_map.bind(
        current_app.config.get("SERVER_NAME") or "localhost",
        script_name=current_app.config.get("APPLICATION_ROOT") or "/",
    )
    return adapter.build("accounts.profile", {"username": username})


def profile_text(user: User) -> str:
    """What the profile says in its own words, as plain text."""
    bio = plain_text(user.bio_html) if user.bio_html else ""
    return "\n".join(part for part in (user.display_name, bio) if part)


def load(ids: set[int]) -> dict[int, TargetInfo]:
    """The profiles of ``ids`` whose accounts are not erased (one query)."""
    if not ids:
        return {}
    users = db.session.scalars(select(User).where(User.id.in_(ids), User.erased_at.is_(None)))
    return {
        user.id: TargetInfo(
            kind=KIND,
            subject_id=user.id,
            author_id=user.id,
            title=_("Profile of %(username)s", username=user.username),
            text=profile_text(user),
            links=count_links(user.bio_html) if user.bio_html else 0,
            url=_profile_url(user.username),
            is_hidden=user.is_profile_hidden,
            created_at=user.created_at,
        )
        for user in users
    }


def _require_team(actor: User) -> None:
    if not actor.is_team:
        raise PermissionDenied(_("Only the team can do this."))


def _check_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Please give a reason."), field="reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(_("At most %(n)d characters.", n=REASON_MAX), field="reason")
    return reason


def _switch(user_id: int, reason: str | None, message: str) -> User:
    """Hide (with a reason) or show a profile by one conditional UPDATE, so that two
    moderators acting at once act once; Conflict for the second."""
    hide = reason is not None
    state = User.profile_hidden_at.is_(None) if hide else User.profile_hidden_at.is_not(None)
    result = db.session.execute(
        update(User)
        .where(User.id == user_id, User.erased_at.is_(None), state)
        .values(profile_hidden_at=utcnow() if hide else None, profile_hidden_reason=reason),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(message)
    user = db.session.get(User, user_id)
    assert user is not None
    db.session.expire(user, ["profile_hidden_at", "profile_hidden_reason"])
    return user


def hide_profile(
    actor: User | None, user_id: int, reason: str, *, tell_author: bool = True
) -> None:
    """Hide a profile's display name and bio (the team, or the members' weighted flags
    when ``actor`` is None); audited, the member is told why."""
    if actor is not None:
        _require_team(actor)
    reason = _check_reason(reason)
    user = _switch(user_id, reason, _("This profile is already hidden."))
    by_flags = {} if actor is not None else {"by": "community_flags"}
    audit(actor, "user.profile.hide", user, {"reason": reason, **by_flags})
    if tell_author and actor is not None:
        with in_language_of(user):
            notify(
                user,
                NOTIFY_KIND,
                user,
                _("Your display name and profile text were hidden: %(reason)s", reason=reason),
            )


def restore_profile(actor: User, user_id: int) -> None:
    """Show a hidden profile again (the team; audited; the member is told)."""
    _require_team(actor)
    user = _switch(user_id, None, _("This profile is not hidden."))
    audit(actor, "user.profile.restore", user, {})
    with in_language_of(user):
        notify(user, NOTIFY_KIND, user, _("Your display name and profile text are visible again."))


def hide_all_by(actor: User, user: User, reason: str) -> int:
    """A spammer purge: hide the profile if it says anything; returns 1 or 0."""
    if user.is_profile_hidden or not (user.display_name or user.bio_html):
        return 0
    hide_profile(actor, user.id, reason, tell_author=False)
    return 1


def recent_texts(author_id: int, limit: int) -> list[tuple[dt.datetime, str]]:
    """A profile is not a stream of posts: it adds nothing to the duplicate and burst
    signals of the member's other writing."""
    return []


def _edited(user: User) -> None:
    # The member's one edit of a profile the flags hid asks for another review.
    if user.is_profile_hidden:
        flags.author_edited(KIND, user.id, user)


targets.register(
    KIND,
    Target(
        label=_l("Profile"),
        load=load,
        hide=lambda actor, user_id, reason: hide_profile(actor, user_id, reason),
        restore=restore_profile,
        hide_all_by=hide_all_by,
        recent_texts=recent_texts,
    ),
)
on_profile_edit(_edited)
