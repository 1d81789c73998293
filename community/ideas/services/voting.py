"""Votes on ideas: one per member per idea, with an importance; a vote budget.

Every count moves by SQL arithmetic in the voting transaction: the idea's votes and
importance-weighted votes (and its trending score with them) and the voter's open votes
(``IdeaVoter.open_votes``: their own votes on ideas not closed, which the budget limits).
The database decides every race: the vote's primary key refuses a second vote, a
conditional upsert refuses a vote beyond the budget. A vote earns the idea's author
"idea upvoted" (never for one's own idea); taking it back reverses that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, Integer, bindparam, case, delete, select, update
from sqlalchemy.orm import joinedload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from community.accounts.models import User
from community.accounts.services import in_language_of
from community.core.db import (
    BigId,
    UTCDateTime,
    add_to_counter,
    dialect_insert,
    prepared,
    run_together,
    together,
    utcnow,
)
from community.core.errors import Conflict, InvalidInput
from community.extensions import db
from community.ideas.models import (
    CLOSED_STATUSES,
    Idea,
    IdeaFollow,
    IdeaVote,
    IdeaVoter,
    Importance,
)
from community.ideas.services import common
from community.moderation.services import audit
from community.moderation.services.penalties import check_can_write
from community.notifications.services import notify
from community.reputation import privileges
from community.reputation import services as reputation

UPVOTED = "idea_upvoted"
# Lazy: translated only when a visitor is refused, not on every vote.
SIGN_IN_TO_VOTE = _l("Please sign in to vote.")
# The team sees at most this many voters on an idea's page.
VOTERS_SHOWN = 100


class OverBudget(Conflict):
    code = "over_budget"


def budget() -> int:
    """Open votes allowed per member; 0 when the budget is off."""
    return max(int(current_app.config.get("IDEA_VOTE_BUDGET", 0) or 0), 0)


def parse_importance(value: Any) -> Importance:
    """An importance from a form or JSON value (name or number); InvalidInput otherwise."""
    if value is None or value == "":
        return Importance.IMPORTANT
    if isinstance(value, Importance):
        return value
    if isinstance(value, str) and value.upper() in Importance.__members__:
        return Importance[value.upper()]
    try:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise TypeError(value)
        return Importance(int(value))
    except (TypeError, ValueError):
        raise InvalidInput(
            _("Choose how important it is: nice to have, important or critical."),
            field="importance",
        ) from None


@dataclass(frozen=True)
class Balance:
    used: int
    budget: int  # 0: no budget

    @property
    def left(self) -> int | None:
        return None if not self.budget else max(self.budget - self.used, 0)


def balance(user: Any) -> Balance:
    """The member's open votes and the budget (one query; none for visitors)."""
    used = 0
    if getattr(user, "is_authenticated", False):
        used = (
            db.session.scalar(select(IdeaVoter.open_votes).where(IdeaVoter.user_id == user.id)) or 0
        )
    return Balance(used, budget())


def _check_open(idea: Idea) -> None:
    if idea.is_closed:
        raise Conflict(_("This idea is closed: it takes no more votes."))


def _check_votable(idea: Idea) -> None:
    """Open and not hidden: a hidden idea is out of the lists and takes no votes."""
    _check_open(idea)
    if idea.hidden_at is not None:
        raise Conflict(_("This idea is hidden: it takes no votes."))


def in_budget(status: str, hidden: bool) -> bool:
    """Whether own votes on an idea in this state count towards the budget: the idea is
    neither closed nor hidden (a hidden idea gives its votes back until restored)."""
    return status not in CLOSED_STATUSES and not hidden


def vote(user: User, idea: Idea, importance: Any = None, proxy_by: User | None = None) -> IdeaVote:
    """The member's vote for ``idea`` (Conflict when they voted already, the idea is
    closed, or the budget is used up; nothing changes then). ``proxy_by``: a team member
    recording it on the member's behalf (outside their budget, and they are told).

    The voter follows the idea by default. Every statement is built once (``prepared``):
    votes are the busiest write there is."""
    if proxy_by is None:
        check_can_write(user)
        common.require_member(user, SIGN_IN_TO_VOTE)
        privileges.require(user, "vote")
    _check_votable(idea)
    weight = parse_importance(importance)
    values = {
        "idea_id": idea.id,
        "user_id": user.id,
        "importance": int(weight),
        "proxy_by_id": proxy_by.id if proxy_by is not None else None,
        "created_at": utcnow(),
    }
    if proxy_by is None:
        _take_from_budget(user.id)
    params = {f"v_{name}": value for name, value in values.items()}
    if run_together(_vote_writes(), params).first() is None:
        if proxy_by is None:
            _move_open_votes(user.id, -1)  # what the budget just counted
        raise Conflict(_("You have already voted for this idea."))
    move_votes(idea, +1, int(weight), votable=True)
    author = db.session.get(User, idea.author_id)
    assert author is not None
    reputation.record(author, UPVOTED, idea, actor=user, category=("product", idea.product_id))
    return _attached(IdeaVote(**values))


@prepared
def _vote_writes() -> tuple[Any, ...]:
    """The voter's default follow (kept when they chose already) and the vote (returning
    its idea; nothing when they have voted already), in one round trip where the
    database allows. The follow of a refused vote changes nothing: who voted already
    has their follow row (or their unfollow) since."""
    votes, follows = IdeaVote.__table__, IdeaFollow.__table__
    idea_id, user_id = bindparam("v_idea_id", type_=BigId), bindparam("v_user_id", type_=BigId)
    at = bindparam("v_created_at", type_=UTCDateTime())
    follow = (
        dialect_insert(follows)
        .values(idea_id=idea_id, user_id=user_id, following=True, created_at=at)
        .on_conflict_do_nothing()
    )
    vote = dialect_insert(votes).values(
        idea_id=idea_id,
        user_id=user_id,
        importance=bindparam("v_importance", type_=Integer()),
        proxy_by_id=bindparam("v_proxy_by_id", type_=BigId),
        created_at=at,
    )
    return together(follow, vote.on_conflict_do_nothing().returning(votes.c.idea_id))


def proxy_vote(actor: User, idea: Idea, username: str | None, importance: Any = None) -> IdeaVote:
    """A team member records a customer's vote on their behalf (e.g. from a sales call):
    labelled as a proxy vote, outside the customer's budget, the customer is told and
    can withdraw it. Audited."""
    common.require_team(actor)
    member = common.member_named(username)
    if member.is_team or member.is_erased:
        raise InvalidInput(_("Record votes for customers only."), field="username")
    vote_row = vote(member, idea, importance, proxy_by=actor)
    audit(actor, "idea.proxy_vote", idea, {"member": member.id, "importance": vote_row.importance})
    with in_language_of(member):
        text = _(
            "%(name)s of the team recorded your vote for “%(title)s”. Not yours? Withdraw it "
            "on the idea's page.",
            name=actor.name,
            title=idea.title,
        )
    notify(member, "idea", idea, text)
    return vote_row


def vote_for_own_idea(author: User, idea: Idea) -> IdeaVote:
    """The author's own vote on a new idea: always given (even beyond the budget, which
    it then counts towards), earning nothing."""
    values = {
        "idea_id": idea.id,
        "user_id": author.id,
        "importance": int(Importance.IMPORTANT),
        "proxy_by_id": None,
        "created_at": utcnow(),
    }
    db.session.execute(dialect_insert(IdeaVote.__table__).values(**values))
    _move_open_votes(author.id, +1)
    move_votes(idea, +1, int(Importance.IMPORTANT))
    return _attached(IdeaVote(**values))


def unvote(user: User, idea: Idea) -> bool:
    """Take the member's vote back (False when there was none); Conflict on a closed idea
    (its votes are part of its history)."""
    common.require_member(user, SIGN_IN_TO_VOTE)
    _check_open(idea)
    row = db.session.execute(
        delete(IdeaVote)
        .where(IdeaVote.idea_id == idea.id, IdeaVote.user_id == user.id)
        .returning(IdeaVote.importance, IdeaVote.proxy_by_id),
        execution_options={"synchronize_session": "fetch"},
    ).first()
    if row is None:
        return False
    importance, proxy_by_id = row
    # The counts first: their UPDATE holds the idea's row, so the state read back is
    # the one a concurrent hide, restore or status change leaves.
    status, hidden = move_votes(idea, -1, -int(importance), only_open=True)
    if proxy_by_id is None and in_budget(status, hidden):
        _move_open_votes(user.id, -1)
    reputation.reverse(idea, UPVOTED, actor=user)
    return True


def set_importance(user: User, idea: Idea, importance: Any) -> IdeaVote:
    """Change how important the member's vote says the idea is."""
    common.require_member(user, SIGN_IN_TO_VOTE)
    _check_open(idea)
    weight = int(parse_importance(importance))
    vote_row = db.session.scalar(
        select(IdeaVote)
        .where(IdeaVote.idea_id == idea.id, IdeaVote.user_id == user.id)
        .with_for_update()
    )
    if vote_row is None:
        raise Conflict(_("You have not voted for this idea."))
    change = weight - vote_row.importance
    if change:
        vote_row.importance = weight
        db.session.flush()
        common.move_idea(idea, weighted_votes=Idea.weighted_votes + change)
    return vote_row


def my_vote(user: Any, idea: Idea) -> IdeaVote | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.get(IdeaVote, (idea.id, user.id))


def voters(idea: Idea, limit: int = VOTERS_SHOWN) -> list[IdeaVote]:
    """The newest votes on ``idea`` with their members, for the team (one query)."""
    return list(
        db.session.scalars(
            select(IdeaVote)
            .options(joinedload(IdeaVote.user))
            .where(IdeaVote.idea_id == idea.id)
            .order_by(IdeaVote.created_at.desc(), IdeaVote.user_id.desc())
            .limit(limit)
        )
    )


def voted_ids(user: Any, idea_ids: list[int]) -> set[int]:
    """Of ``idea_ids``, those the member voted for (one query; none for visitors)."""
    if not idea_ids or not getattr(user, "is_authenticated", False):
        return set()
    return set(
        db.session.scalars(
            select(IdeaVote.idea_id).where(
                IdeaVote.user_id == user.id, IdeaVote.idea_id.in_(idea_ids)
            )
        )
    )


# ---------------------------------------------------------------- stored counts


def _take_from_budget(user_id: int) -> None:
    """Count one more open vote, refused (OverBudget) when that would pass the budget;
    one conditional upsert, so concurrent votes never pass it."""
    limit = budget()
    taken = run_together(_budget_write(bool(limit)), {"b_user": user_id, "b_limit": limit})
    row = taken.first()
    if row is None or (limit and row[0] > limit):
        raise OverBudget(
            _(
                "You have used all %(n)d of your votes. Take one back, or wait until an "
                "idea you voted for ships or closes.",
                n=limit,
            )
        )


@prepared
def _budget_write(limited: bool) -> tuple[Any, ...]:
    table = IdeaVoter.__table__
    insert = dialect_insert(table).values(user_id=bindparam("b_user", type_=BigId), open_votes=1)
    limit = bindparam("b_limit", type_=Integer())
    stmt = insert.on_conflict_do_update(
        index_elements=[table.c.user_id],
        set_={"open_votes": table.c.open_votes + 1},
        where=(table.c.open_votes < limit) if limited else None,
    )
    return together(stmt.returning(table.c.open_votes))


def _move_open_votes(user_id: int, delta: int) -> None:
    """Move a member's open votes (not checked against the budget: the author's own vote,
    taking a vote back)."""
    add_to_counter(IdeaVoter, "open_votes", delta, user_id=user_id)


def refund_open_votes(idea_id: int, delta: int) -> None:
    """Give back (``delta`` -1) or take again (+1) one open vote from each member with an
    own vote on the idea: when it closes or is hidden, or reopens or is restored (one
    statement)."""
    own_voters = select(IdeaVote.user_id).where(
        IdeaVote.idea_id == idea_id, IdeaVote.proxy_by_id.is_(None)
    )
    db.session.execute(
        update(IdeaVoter)
        .where(IdeaVoter.user_id.in_(own_voters))
        .values(open_votes=IdeaVoter.open_votes + delta),
        execution_options={"synchronize_session": False},
    )


def move_votes(
    idea: Idea, votes: int, weighted: int, only_open: bool = False, votable: bool = False
) -> tuple[str, bool]:
    """Move the idea's votes and weighted votes, and its trending score with them;
    returns the idea's status and whether it is hidden, as its locked row has them.

    One UPDATE sets the score computed from the count as loaded plus ``votes``, when
    that is still the count; when a concurrent vote moved it meanwhile, a second UPDATE
    sets the score from the new count (the row stays locked in between, so the score
    always follows the count it was computed from).

    ``only_open`` (a vote taken back) refuses (Conflict) when the idea closed since it
    was loaded, ``votable`` (a vote cast) also when it was hidden meanwhile: the UPDATE
    waits for a concurrent status change or hide and re-checks, so their budget refunds
    never miss this vote."""
    expected = idea.vote_count + votes
    hot = common.hot_score(expected, idea.created_at)
    params = {
        "m_idea": idea.id,
        "m_votes": votes,
        "m_weighted": weighted,
        "m_before": idea.vote_count,
        "m_hot": hot,
    }
    guard = "votable" if votable else "open" if only_open else ""
    row = run_together(_count_write(guard), params).first()
    if row is None:
        raise Conflict(_("This idea is closed or hidden: it takes no votes."))
    count, weighted_votes, status, hidden_at = row
    if count != expected:
        hot = common.hot_score(count, idea.created_at)
        run_together(_hot_write(), {"m_idea": idea.id, "m_hot": hot})
    set_committed_value(idea, "vote_count", count)
    set_committed_value(idea, "weighted_votes", weighted_votes)
    set_committed_value(idea, "hot", hot)
    return status, hidden_at is not None


@prepared
def _count_write(guard: str) -> tuple[Any, ...]:
    """The counts' UPDATE; ``guard`` "open": only on an idea not closed, "votable": also
    not hidden."""
    table = Idea.__table__
    counted_from = table.c.vote_count == bindparam("m_before", type_=Integer())
    stmt = (
        update(table)
        .where(table.c.id == bindparam("m_idea", type_=BigId))
        .values(
            vote_count=table.c.vote_count + bindparam("m_votes", type_=Integer()),
            weighted_votes=table.c.weighted_votes + bindparam("m_weighted", type_=Integer()),
            hot=case((counted_from, bindparam("m_hot", type_=Float())), else_=table.c.hot),
        )
    )
    if guard:
        stmt = stmt.where(table.c.status.not_in(sorted(CLOSED_STATUSES)))
    if guard == "votable":
        stmt = stmt.where(table.c.hidden_at.is_(None))
    returned = (table.c.vote_count, table.c.weighted_votes, table.c.status, table.c.hidden_at)
    return together(stmt.returning(*returned))


@prepared
def _hot_write() -> tuple[Any, ...]:
    table = Idea.__table__
    return together(
        update(table)
        .where(table.c.id == bindparam("m_idea", type_=BigId))
        .values(hot=bindparam("m_hot", type_=Float()))
    )


def _attached(vote_row: IdeaVote) -> IdeaVote:
    make_transient_to_detached(vote_row)  # the row exists: attach it without a query
    db.session.add(vote_row)
    return vote_row
