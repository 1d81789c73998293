"""The team hides and restores ideas and comments; moderation (flags, the review queue,
the spam check, the purge) does it through ``moderation_targets.py``.

Each change is audited and the author told why. Every stored count follows in the same
transaction: a hidden idea leaves its tags' and its challenge's ``idea_count``, the lists
(``common.idea_clause``) and search; a hidden comment leaves its idea's
``comment_count`` and, when it was pinned, the place under the description. Nothing is
deleted: restoring puts every count back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import case, null, select, update
from sqlalchemy.orm.attributes import set_committed_value

from community.accounts.models import User
from community.accounts.services import in_language_of
from community.core.db import utcnow, write_together
from community.core.errors import Conflict, InvalidInput
from community.extensions import db
from community.ideas.models import Challenge, Idea, IdeaComment, IdeaTag, IdeaTagLink
from community.ideas.services import common, vote_counts
from community.moderation.services import audit
from community.notifications.services import notify

REASON_MAX = 500
MODERATED = "idea_moderated"


def _check_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Please give a reason."), field="reason")
    if len(reason) > REASON_MAX:
        raise InvalidInput(_("At most %(n)d characters.", n=REASON_MAX), field="reason")
    return reason


def _tell_author(author_id: int, subject: Idea | IdeaComment, text: Callable[[], str]) -> None:
    """Notify the author, ``text()`` written in their language."""
    author = db.session.get(User, author_id)
    if author is None:
        return
    with in_language_of(author):
        notify(author, MODERATED, subject, text())


def _by_flags(system: bool) -> dict[str, str]:
    # The audit entry of an automatic hide says who decided: the members' weighted flags.
    return {"by": "community_flags"} if system else {}


def _acting(actor: User | None, system: bool, tell_author: bool) -> tuple[User | None, bool]:
    """Who acts and whether the author hears of it: a system hide (the community's flags,
    the spam check) has no human actor and its caller tells the author."""
    if system:
        return None, False
    common.require_team(actor)
    return actor, tell_author


def _switch_hidden(model: Any, obj: Any, reason: str | None, message: str) -> None:
    """Hide (with a reason) or show ``obj`` by one conditional UPDATE, so two moderators
    acting at once move the counters once; Conflict for the second. The new state is
    read back into ``obj`` (RETURNING)."""
    hide = reason is not None
    state = model.hidden_at.is_(None) if hide else model.hidden_at.is_not(None)
    row = db.session.execute(
        update(model)
        .where(model.id == obj.id, state)
        .values(hidden_at=utcnow() if hide else None, hidden_reason=reason)
        .returning(model.hidden_at, model.hidden_reason),
        execution_options={"synchronize_session": False},
    ).first()
    if row is None:
        db.session.expire(obj, ["hidden_at", "hidden_reason"])
        raise Conflict(message)
    set_committed_value(obj, "hidden_at", row[0])
    set_committed_value(obj, "hidden_reason", row[1])


def _move_listed_counts(idea: Idea, delta: int) -> None:
    """Move the counts of visible ideas the idea is part of: its tags' and its
    challenge's (one round trip)."""
    tag_ids = select(IdeaTagLink.tag_id).where(IdeaTagLink.idea_id == idea.id)
    write_together(
        update(IdeaTag)
        .where(IdeaTag.id.in_(tag_ids))
        .values(idea_count=IdeaTag.idea_count + delta),
        update(Challenge)
        .where(Challenge.id == idea.challenge_id)
        .values(idea_count=Challenge.idea_count + delta)
        if idea.challenge_id is not None
        else None,
    )


# ---------------------------------------------------------------- ideas


def hide_idea(
    actor: User | None,
    idea: Idea,
    reason: str,
    *,
    system: bool = False,
    tell_author: bool = True,
) -> None:
    """Hide an idea from everyone but its author and the team (team; audited; the
    author is told why); it leaves the lists, search and its tags' and challenge's
    counts. Conflict when it is hidden already.

    ``system=True`` is the community's weighted flags or the spam check hiding it
    pending review: no human actor (audited with none), and the caller tells the author.
    ``tell_author=False`` (a spammer purge) sends no notification."""
    actor, tell_author = _acting(actor, system, tell_author)
    reason = _check_reason(reason)
    _switch_hidden(Idea, idea, reason, _("This idea is already hidden."))
    _move_listed_counts(idea, -1)
    if not idea.is_closed:  # the votes on it leave their members' budgets
        vote_counts.refund_open_votes(idea.id, -1)
    common.reindex(idea)
    audit(actor, "idea.hide", idea, {"reason": reason, **_by_flags(system)})
    if tell_author:
        _tell_author(
            idea.author_id,
            idea,
            lambda: _(
                "Your idea “%(title)s” was hidden: %(reason)s", title=idea.title, reason=reason
            ),
        )


def restore_idea(actor: User, idea: Idea) -> None:
    """Show a hidden idea again (team; audited; the author is told): lists, search and
    counts take it back. Comments hidden one by one stay hidden."""
    common.require_team(actor)
    _switch_hidden(Idea, idea, None, _("This idea is not hidden."))
    _move_listed_counts(idea, +1)
    if not idea.is_closed:
        vote_counts.refund_open_votes(idea.id, +1)
    common.reindex(idea)
    audit(actor, "idea.restore", idea)
    _tell_author(
        idea.author_id,
        idea,
        lambda: _("Your idea “%(title)s” is visible again.", title=idea.title),
    )


# ---------------------------------------------------------------- comments


def _idea_of(comment: IdeaComment) -> Idea:
    idea = db.session.get(Idea, comment.idea_id)
    assert idea is not None
    return idea


def hide_comment(
    actor: User | None,
    comment: IdeaComment,
    reason: str,
    *,
    system: bool = False,
    tell_author: bool = True,
) -> None:
    """Hide a comment from everyone but its author and the team (team; audited; the
    author is told why): the idea's comment count drops, and a pinned comment is
    unpinned. Conflict when it is hidden already. ``system`` and ``tell_author`` as for
    ``hide_idea``."""
    actor, tell_author = _acting(actor, system, tell_author)
    _hide_comment(actor, comment, _idea_of(comment), _check_reason(reason), system, tell_author)


def _hide_comment(
    actor: User | None,
    comment: IdeaComment,
    idea: Idea,
    reason: str,
    system: bool,
    tell_author: bool,
) -> None:
    _switch_hidden(IdeaComment, comment, reason, _("This comment is already hidden."))
    was_pinned = idea.pinned_comment_id == comment.id
    common.move_idea(
        idea,
        comment_count=Idea.comment_count - 1,
        # In the same statement, so a pin at the same moment cannot keep it pinned.
        pinned_comment_id=case(
            (Idea.pinned_comment_id == comment.id, null()), else_=Idea.pinned_comment_id
        ),
    )
    details: dict[str, Any] = {"reason": reason, **_by_flags(system)}
    if was_pinned:
        details["unpinned"] = True
    audit(actor, "idea.comment.hide", comment, details)
    if tell_author:
        _tell_author(
            comment.author_id,
            comment,
            lambda: _(
                "Your comment on “%(title)s” was hidden: %(reason)s",
                title=idea.title,
                reason=reason,
            ),
        )


def restore_comment(actor: User, comment: IdeaComment) -> None:
    """Show a hidden comment again (team; audited; the author is told): the idea's
    comment count takes it back (it is not pinned again)."""
    common.require_team(actor)
    _switch_hidden(IdeaComment, comment, None, _("This comment is not hidden."))
    idea = _idea_of(comment)
    common.move_idea(idea, comment_count=Idea.comment_count + 1)
    audit(actor, "idea.comment.restore", comment)
    _tell_author(
        comment.author_id,
        comment,
        lambda: _("Your comment on “%(title)s” is visible again.", title=idea.title),
    )


# ---------------------------------------------------------------- the spammer purge


def hide_all_ideas_by(actor: User, user: User, reason: str) -> int:
    """Hide every visible idea ``user`` submitted (a spammer purge); returns how many.
    The author is not notified once per idea."""
    ideas = list(
        db.session.scalars(
            select(Idea)
            .where(Idea.author_id == user.id, Idea.hidden_at.is_(None))
            .order_by(Idea.id)
        )
    )
    for idea in ideas:
        hide_idea(actor, idea, reason, tell_author=False)
    return len(ideas)


def hide_all_comments_by(actor: User, user: User, reason: str) -> int:
    """Hide every visible comment ``user`` wrote, on any idea (a spammer purge); returns
    how many. The author is not notified once per comment."""
    comments = list(
        db.session.scalars(
            select(IdeaComment)
            .where(IdeaComment.author_id == user.id, IdeaComment.hidden_at.is_(None))
            .order_by(IdeaComment.id)
        )
    )
    if not comments:
        return 0
    common.require_team(actor)
    reason = _check_reason(reason)
    ids = {comment.idea_id for comment in comments}
    ideas = {idea.id: idea for idea in db.session.scalars(select(Idea).where(Idea.id.in_(ids)))}
    for comment in comments:
        _hide_comment(actor, comment, ideas[comment.idea_id], reason, False, False)
    return len(comments)
