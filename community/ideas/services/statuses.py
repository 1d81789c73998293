"""The status workflow: open, under review, planned, in progress, shipped, declined
(a reason is required) and merged (only by a merge).

Each change is recorded with its note, actor and time (``IdeaStatusChange``), audited,
and told once to the idea's followers. Closing an idea (shipped, declined) gives its
voters their open votes back; reopening takes them again. Shipping gives the author
"idea shipped" and each voter "an idea you voted for shipped"; moving a shipped idea
back reverses both.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community.accounts.models import User
from community.core.db import utcnow
from community.core.errors import Conflict, InvalidInput
from community.extensions import db
from community.ideas.models import (
    CLOSED_STATUSES,
    Idea,
    IdeaStatus,
    IdeaStatusChange,
    IdeaVote,
)
from community.ideas.services import common, following, vote_counts
from community.moderation.services import audit
from community.reputation import services as reputation

SHIPPED_AUTHOR = "idea_shipped_author"
SHIPPED_VOTER = "idea_shipped_voter"

STATUS_LABELS = {
    IdeaStatus.UNDER_REVIEW: _l("Under review"),
    IdeaStatus.PLANNED: _l("Planned"),
    IdeaStatus.IN_PROGRESS: _l("In progress"),
    IdeaStatus.SHIPPED: _l("Shipped"),
    IdeaStatus.DECLINED: _l("Declined"),
    IdeaStatus.MERGED: _l("Merged"),
}
# What the team may choose by hand (merged comes from a merge).
SETTABLE = tuple(s for s in IdeaStatus if s is not IdeaStatus.MERGED)


def status_label(status: str) -> str:
    """A status's name in the reader's language (an unknown one as it is)."""
    try:
        known = IdeaStatus(status)
    except ValueError:
        return status
    if known is IdeaStatus.OPEN:
        # With a context: "Open" alone is also the verb of links elsewhere.
        return pgettext("idea status", "Open")
    return str(STATUS_LABELS[known])


def parse_status(value: Any) -> IdeaStatus:
    try:
        status = IdeaStatus(str(value or ""))
    except ValueError:
        status = None
    if status not in SETTABLE:
        raise InvalidInput(_("Choose one of the statuses offered."), field="status")
    return status


def change_status(actor: User, idea: Idea, status: Any, note: str | None) -> IdeaStatusChange:
    """Move the idea to ``status`` with the team's ``note`` (required to decline); the
    history, audit log, votes, reputation and followers follow. Conflict when the idea
    already has that status, or is merged (unmerge it first)."""
    common.require_team(actor)
    new = parse_status(status)
    note = (note or "").strip()
    if len(note) > common.NOTE_MAX:
        raise InvalidInput(_("At most %(n)d characters.", n=common.NOTE_MAX), field="note")
    if new is IdeaStatus.DECLINED and not note:
        raise InvalidInput(_("Please give the reason for declining."), field="note")
    idea = common.get_idea(actor, idea.id, lock=True)
    old = IdeaStatus(idea.status)
    if old is IdeaStatus.MERGED:
        raise Conflict(_("This idea is merged into another; unmerge it first."))
    if old is new:
        raise Conflict(_("The idea already has this status."))

    now = utcnow()
    change = IdeaStatusChange(
        idea_id=idea.id,
        from_status=old.value,
        to_status=new.value,
        note_source=note,
        note_html=common.render(note).html if note else "",
        actor_id=actor.id,
        created_at=now,
    )
    db.session.add(change)
    common.move_idea(
        idea,
        status=new.value,
        status_changed_at=now,
        shipped_at=now if new is IdeaStatus.SHIPPED else idea.shipped_at,
        feedback_asked_at=None if new is IdeaStatus.SHIPPED else idea.feedback_asked_at,
    )
    if idea.hidden_at is None:  # a hidden idea's votes are out of the budgets already
        _move_budget(idea.id, old, new)
    _move_shipping_reputation(idea, old, new, actor)
    audit(actor, "idea.status", idea, {"from": old.value, "to": new.value, "note": note})
    db.session.flush()
    _tell_followers(idea, new, note, actor)
    return change


def history(idea: Idea) -> list[IdeaStatusChange]:
    """The idea's status changes, oldest first, with their actors (one query)."""
    return list(
        db.session.scalars(
            select(IdeaStatusChange)
            .options(joinedload(IdeaStatusChange.actor))
            .where(IdeaStatusChange.idea_id == idea.id)
            .order_by(IdeaStatusChange.id)
        )
    )


def _move_budget(idea_id: int, old: IdeaStatus, new: IdeaStatus) -> None:
    was_closed, closed = old in CLOSED_STATUSES, new in CLOSED_STATUSES
    if closed and not was_closed:
        vote_counts.refund_open_votes(idea_id, -1)
    elif was_closed and not closed:
        vote_counts.refund_open_votes(idea_id, +1)


def _move_shipping_reputation(idea: Idea, old: IdeaStatus, new: IdeaStatus, actor: User) -> None:
    category = ("product", idea.product_id)
    if new is IdeaStatus.SHIPPED:
        author = db.session.get(User, idea.author_id)
        assert author is not None
        reputation.record(author, SHIPPED_AUTHOR, idea, actor=None, category=category)
        for voter in _voters(idea.id):
            if voter.id != idea.author_id:
                reputation.record(voter, SHIPPED_VOTER, idea, actor=None, category=category)
    elif old is IdeaStatus.SHIPPED:
        reputation.reverse(idea, SHIPPED_AUTHOR, by=actor)
        reputation.reverse(idea, SHIPPED_VOTER, by=actor)


def _voters(idea_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(IdeaVote, IdeaVote.user_id == User.id)
            .where(IdeaVote.idea_id == idea_id, User.erased_at.is_(None))
            .order_by(User.id)
        )
    )


def _tell_followers(idea: Idea, new: IdeaStatus, note: str, actor: User) -> None:
    def text() -> str:
        status = status_label(new)
        if note:
            return _(
                "“%(title)s” is now %(status)s: %(note)s",
                title=idea.title,
                status=status,
                note=note,
            )
        return _("“%(title)s” is now %(status)s.", title=idea.title, status=status)

    following.notify_followers(idea, text, skip=actor.id)
