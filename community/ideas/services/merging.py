"""Merging a duplicate idea into another, and unmerging it.

A merge moves the duplicate's votes to the target without counting anyone twice (a
member who voted for both keeps their vote on the target), moves its followers and
comments, and leaves the duplicate "merged into" the target (its page redirects). What
moved is kept (``IdeaMerge`` with its vote, follow and comment rows), so an unmerge puts
back exactly the state before: the duplicate's votes, followers, comments, status and
counts, and the target without what it received. Members' open votes (the budget) move
by SQL arithmetic for whatever changed between open and closed ideas. Reputation earned
by votes stays with the idea it was earned on.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, insert, literal, select, update
from sqlalchemy.orm import aliased

from community.accounts.models import User
from community.core.db import parse_id, utcnow
from community.core.errors import Conflict, InvalidInput, NotFound
from community.extensions import db
from community.ideas.models import (
    CustomerValue,
    Idea,
    IdeaComment,
    IdeaFollow,
    IdeaMerge,
    IdeaMergeComment,
    IdeaMergeFollow,
    IdeaMergeVote,
    IdeaStatus,
    IdeaStatusChange,
    IdeaVote,
    IdeaVoteDay,
    IdeaVoter,
)
from community.ideas.services import common, following, vote_counts
from community.moderation.services import audit


def _locked_pair(actor: User, first_id: int, second_id: int) -> tuple[Idea, Idea]:
    """Both ideas, their rows locked in id order (two merges never deadlock)."""
    locked = {i: common.get_idea(actor, i, lock=True) for i in sorted({first_id, second_id})}
    return locked[first_id], locked[second_id]


def _now() -> object:
    return literal(utcnow(), IdeaFollow.created_at.type)


def _is_open(status: str, idea: Idea) -> int:
    """1 when own votes on ``idea`` in ``status`` count towards the budget (not closed,
    not hidden), else 0."""
    return int(vote_counts.in_budget(status, idea.hidden_at is not None))


def parse_target(value: object) -> int:
    target = parse_id(value)
    if target is None:
        raise InvalidInput(_("Give the number of the idea to merge into."), field="into")
    return target


def merge(actor: User, source: Idea, target_id: object) -> IdeaMerge:
    """Merge ``source`` (a duplicate) into the idea ``target_id``; team only."""
    common.require_team(actor)
    target_id = parse_target(target_id)
    if target_id == source.id:
        raise InvalidInput(_("An idea cannot be merged into itself."), field="into")
    try:
        source, target = _locked_pair(actor, source.id, target_id)
    except NotFound:
        raise InvalidInput(_("There is no idea with this number."), field="into") from None
    if source.merged_into_id is not None:
        raise Conflict(_("This idea is merged already; unmerge it first."))
    if target.merged_into_id is not None:
        raise InvalidInput(
            _("That idea is merged into #%(id)d; merge into that one.", id=target.merged_into_id),
            field="into",
        )
    now = utcnow()
    record = IdeaMerge(
        source_id=source.id,
        target_id=target.id,
        source_status=source.status,
        actor_id=actor.id,
        created_at=now,
    )
    db.session.add(record)
    db.session.flush()
    _keep_and_move_votes(record, source, target)
    _keep_and_move_follows(record, source.id, target.id)
    _keep_and_move_comments(record, source.id, target.id)
    _record_status(source, source.status, IdeaStatus.MERGED.value, actor, now, f"#{target.id}")
    common.move_idea(
        source, status=IdeaStatus.MERGED.value, merged_into_id=target.id, status_changed_at=now
    )
    recount(source)
    recount(target)
    common.reindex(source)
    audit(actor, "idea.merge", source, {"into": target.id, "merge": record.id})
    _tell_followers_of_merge(record, source, target, actor)
    return record


def unmerge(actor: User, source: Idea) -> IdeaMerge:
    """Undo the latest merge of ``source``: everything it moved goes back; team only."""
    common.require_team(actor)
    record = db.session.scalar(
        select(IdeaMerge)
        .where(IdeaMerge.source_id == source.id, IdeaMerge.undone_at.is_(None))
        .order_by(IdeaMerge.id.desc())
        .limit(1)
    )
    if record is None or source.merged_into_id is None:
        raise Conflict(_("This idea is not merged."))
    source, target = _locked_pair(actor, source.id, record.target_id)
    now = utcnow()
    _restore_votes(record, source, target)
    _restore_follows(record, source.id, target.id)
    _restore_comments(record, source.id)
    _record_status(source, IdeaStatus.MERGED.value, record.source_status, actor, now, "")
    common.move_idea(
        source, status=record.source_status, merged_into_id=None, status_changed_at=now
    )
    db.session.execute(
        update(IdeaMerge)
        .where(IdeaMerge.id == record.id)
        .values(undone_at=now, undone_by_id=actor.id),
        execution_options={"synchronize_session": False},
    )
    recount(source)
    recount(target)
    common.reindex(source)
    audit(actor, "idea.unmerge", source, {"from": target.id, "merge": record.id})
    return record


def merges_into(viewer: Any, idea: Idea, limit: int = 50) -> list[Idea]:
    """The ideas the viewer may see that are merged into ``idea``, oldest first (one
    query)."""
    return list(
        db.session.scalars(
            select(Idea)
            .where(Idea.merged_into_id == idea.id, common.idea_clause(viewer))
            .order_by(Idea.id)
            .limit(limit)
        )
    )


def recount(idea: Idea) -> None:
    """Set the idea's stored counts (votes, weighted votes, value score, visible
    comments) and its trending score from its rows."""
    votes, weighted, value_score = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(IdeaVote.importance), 0),
            func.coalesce(func.sum(IdeaVote.importance * vote_counts.weight_column()), 0),
        )
        .outerjoin(CustomerValue, CustomerValue.user_id == IdeaVote.user_id)
        .where(IdeaVote.idea_id == idea.id)
    ).one()
    comments = db.session.scalar(
        select(func.count()).where(IdeaComment.idea_id == idea.id, IdeaComment.hidden_at.is_(None))
    )
    _recount_days(idea.id)
    common.move_idea(
        idea,
        vote_count=votes,
        weighted_votes=weighted,
        value_score=value_score,
        comment_count=comments,
        hot=common.hot_score(votes, idea.created_at),
    )


def _recount_days(idea_id: int) -> None:
    """Count the idea's votes per day again from its votes (two statements)."""
    db.session.execute(
        delete(IdeaVoteDay).where(IdeaVoteDay.idea_id == idea_id),
        execution_options={"synchronize_session": False},
    )
    day = vote_counts.vote_day()
    db.session.execute(
        insert(IdeaVoteDay).from_select(
            ["idea_id", "day", "votes"],
            select(IdeaVote.idea_id, day, func.count())
            .where(IdeaVote.idea_id == idea_id)
            .group_by(IdeaVote.idea_id, day),
        )
    )


# ---------------------------------------------------------------- votes


def _keep_and_move_votes(record: IdeaMerge, source: Idea, target: Idea) -> None:
    on_target = aliased(IdeaVote)
    voted_target = exists().where(
        on_target.idea_id == target.id, on_target.user_id == IdeaVote.user_id
    )
    db.session.execute(
        insert(IdeaMergeVote).from_select(
            ["merge_id", "user_id", "importance", "proxy_by_id", "created_at", "moved"],
            select(
                literal(record.id),
                IdeaVote.user_id,
                IdeaVote.importance,
                IdeaVote.proxy_by_id,
                IdeaVote.created_at,
                ~voted_target,
            ).where(IdeaVote.idea_id == source.id),
        )
    )
    db.session.execute(
        insert(IdeaVote).from_select(
            ["idea_id", "user_id", "importance", "proxy_by_id", "created_at"],
            select(
                literal(target.id),
                IdeaMergeVote.user_id,
                IdeaMergeVote.importance,
                IdeaMergeVote.proxy_by_id,
                IdeaMergeVote.created_at,
            ).where(IdeaMergeVote.merge_id == record.id, IdeaMergeVote.moved.is_(True)),
        )
    )
    db.session.execute(
        delete(IdeaVote).where(IdeaVote.idea_id == source.id),
        execution_options={"synchronize_session": False},
    )
    source_open, target_open = _is_open(source.status, source), _is_open(target.status, target)
    _move_open_votes(record.id, moved=True, delta=target_open - source_open)
    _move_open_votes(record.id, moved=False, delta=-source_open)


def _restore_votes(record: IdeaMerge, source: Idea, target: Idea) -> None:
    moved = select(IdeaMergeVote.user_id).where(
        IdeaMergeVote.merge_id == record.id, IdeaMergeVote.moved.is_(True)
    )
    still_on_target = select(IdeaVote.user_id).where(
        IdeaVote.idea_id == target.id,
        IdeaVote.user_id.in_(moved),
        IdeaVote.proxy_by_id.is_(None),
    )
    # Open votes: the moved votes leave the target, every kept vote returns to the
    # duplicate with its status of before.
    if _is_open(target.status, target):
        db.session.execute(
            update(IdeaVoter)
            .where(IdeaVoter.user_id.in_(still_on_target))
            .values(open_votes=IdeaVoter.open_votes - 1),
            execution_options={"synchronize_session": False},
        )
    db.session.execute(
        delete(IdeaVote).where(IdeaVote.idea_id == target.id, IdeaVote.user_id.in_(moved)),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        insert(IdeaVote).from_select(
            ["idea_id", "user_id", "importance", "proxy_by_id", "created_at"],
            select(
                literal(source.id),
                IdeaMergeVote.user_id,
                IdeaMergeVote.importance,
                IdeaMergeVote.proxy_by_id,
                IdeaMergeVote.created_at,
            ).where(IdeaMergeVote.merge_id == record.id),
        )
    )
    if _is_open(record.source_status, source):
        _move_open_votes(record.id, moved=None, delta=+1)


def _move_open_votes(merge_id: int, moved: bool | None, delta: int) -> None:
    """Move the open votes of the members whose own (not proxy) votes the merge kept
    (only the moved or only the not moved ones, or all with ``moved`` None)."""
    if delta == 0:
        return
    members = select(IdeaMergeVote.user_id).where(
        IdeaMergeVote.merge_id == merge_id, IdeaMergeVote.proxy_by_id.is_(None)
    )
    if moved is not None:
        members = members.where(IdeaMergeVote.moved.is_(moved))
    db.session.execute(
        update(IdeaVoter)
        .where(IdeaVoter.user_id.in_(members))
        .values(open_votes=IdeaVoter.open_votes + delta),
        execution_options={"synchronize_session": False},
    )


# ---------------------------------------------------------------- follows and comments


def _keep_and_move_follows(record: IdeaMerge, source_id: int, target_id: int) -> None:
    on_target = aliased(IdeaFollow)
    db.session.execute(
        insert(IdeaMergeFollow).from_select(
            ["merge_id", "user_id", "following", "moved"],
            select(
                literal(record.id),
                IdeaFollow.user_id,
                IdeaFollow.following,
                ~exists().where(
                    on_target.idea_id == target_id, on_target.user_id == IdeaFollow.user_id
                ),
            ).where(IdeaFollow.idea_id == source_id),
        )
    )
    db.session.execute(
        insert(IdeaFollow).from_select(
            ["idea_id", "user_id", "following", "created_at"],
            select(
                literal(target_id), IdeaMergeFollow.user_id, IdeaMergeFollow.following, _now()
            ).where(IdeaMergeFollow.merge_id == record.id, IdeaMergeFollow.moved.is_(True)),
        )
    )
    db.session.execute(
        delete(IdeaFollow).where(IdeaFollow.idea_id == source_id),
        execution_options={"synchronize_session": False},
    )


def _restore_follows(record: IdeaMerge, source_id: int, target_id: int) -> None:
    moved = select(IdeaMergeFollow.user_id).where(
        IdeaMergeFollow.merge_id == record.id, IdeaMergeFollow.moved.is_(True)
    )
    db.session.execute(
        delete(IdeaFollow).where(IdeaFollow.idea_id == target_id, IdeaFollow.user_id.in_(moved)),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        insert(IdeaFollow).from_select(
            ["idea_id", "user_id", "following", "created_at"],
            select(
                literal(source_id), IdeaMergeFollow.user_id, IdeaMergeFollow.following, _now()
            ).where(IdeaMergeFollow.merge_id == record.id),
        )
    )


def _keep_and_move_comments(record: IdeaMerge, source_id: int, target_id: int) -> None:
    db.session.execute(
        insert(IdeaMergeComment).from_select(
            ["merge_id", "comment_id"],
            select(literal(record.id), IdeaComment.id).where(IdeaComment.idea_id == source_id),
        )
    )
    db.session.execute(
        update(IdeaComment).where(IdeaComment.idea_id == source_id).values(idea_id=target_id),
        execution_options={"synchronize_session": False},
    )


def _restore_comments(record: IdeaMerge, source_id: int) -> None:
    moved = select(IdeaMergeComment.comment_id).where(IdeaMergeComment.merge_id == record.id)
    db.session.execute(
        update(IdeaComment).where(IdeaComment.id.in_(moved)).values(idea_id=source_id),
        execution_options={"synchronize_session": False},
    )


# ---------------------------------------------------------------- history and notices


def _record_status(idea: Idea, old: str, new: str, actor: User, now: object, note: str) -> None:
    db.session.add(
        IdeaStatusChange(
            idea_id=idea.id,
            from_status=old,
            to_status=new,
            note_source=note,
            note_html=common.render(note).html if note else "",
            actor_id=actor.id,
            created_at=now,
        )
    )


def _tell_followers_of_merge(record: IdeaMerge, source: Idea, target: Idea, actor: User) -> None:
    """The duplicate's followers (now the target's, or already there) hear of it once."""

    def text() -> str:
        return _(
            "“%(title)s” was merged into “%(target)s”; your vote counts there.",
            title=source.title,
            target=target.title,
        )

    followers = select(IdeaMergeFollow.user_id).where(
        IdeaMergeFollow.merge_id == record.id, IdeaMergeFollow.following.is_(True)
    )
    users = db.session.scalars(select(User).where(User.id.in_(followers)).order_by(User.id))
    following.notify_each(list(users), target, text, skip=actor.id)
