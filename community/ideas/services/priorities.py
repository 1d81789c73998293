"""The team's prioritisation table, and what a member is worth to the business.

For each open idea (not shipped, declined or merged), on one page:

- votes: every vote it was given, those of merged duplicates included (a member who
  voted for both counts twice here);
- unique voters: the members voting for it now (a merge counts them once);
- weighted votes: the votes weighted by importance (1 nice to have, 2 important,
  3 critical);
- trend: votes given today and the 29 days before (UTC days);
- value score: ``VALUE_FORMULA``: each vote's importance times the voter's customer value
  (members without one count as ``vote_counts.DEFAULT_WEIGHT``), summed.

Votes, weighted votes and the value score are stored on the idea and move with every vote
(``vote_counts``) and every new customer value (``_reweigh``), so the table reads the top
ideas off an index; the trend sums the shown ideas' votes per day (``IdeaVoteDay``).
Limited to a segment, the columns are summed from the segment's voters' votes.

The team sets ``customer_value`` and a segment per member by hand or by CSV; the table
can be limited to one segment's voters.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, case, delete, func, literal, or_, select, update
from sqlalchemy.orm import joinedload

from community.accounts.models import User
from community.core.db import dialect_insert, expire_loaded, utcnow
from community.core.errors import InvalidInput
from community.extensions import db
from community.ideas.models import (
    CLOSED_STATUSES,
    CustomerValue,
    Idea,
    IdeaMerge,
    IdeaMergeVote,
    IdeaVote,
    IdeaVoteDay,
    IdeaVoter,
)
from community.ideas.services import common, vote_counts
from community.moderation.services import audit

VALUE_MAX = 1_000_000_000
SEGMENT_MAX = 64
TREND_DAYS = 30
ROWS = 50
SORTS = ("value", "weighted", "votes", "trend")
VALUE_FORMULA = _l(
    "Value score = Σ (importance × customer value) over the idea's votes; importance is "
    "1 (nice to have), 2 (important) or 3 (critical); members without a customer value "
    "count as 1."
)
CSV_MAX_ROWS = 10_000


@dataclass(frozen=True)
class PriorityRow:
    idea: Idea
    votes: int
    unique_voters: int
    weighted: int
    trend: int
    value_score: int


def table(
    actor: Any,
    sort: str = "value",
    segment: str | None = None,
    product_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[PriorityRow]:
    """The top open ideas by ``sort`` (team only), in two queries: the ideas with their
    stored counts (and each one's trend, summed from its votes per day), and the votes
    merged duplicates brought. Limited to a segment, the counts are those of the
    segment's voters, summed from their votes."""
    common.require_team(actor)
    if sort not in SORTS:
        raise InvalidInput(_("Sort by value, weighted votes, votes or trend."), field="sort")
    # The trend counts the votes of today and the 29 days before (UTC).
    since = (now or utcnow()).date() - dt.timedelta(days=TREND_DAYS - 1)
    rows = (
        _segment_rows(segment, sort, product_id, since)
        if segment
        else _stored_rows(sort, product_id, since)
    )
    # Each row: the idea, its voters, weighted votes, trend and value score.
    merged = _merged_votes([row[0].id for row in rows])
    return [
        PriorityRow(
            idea=idea,
            votes=voters + merged.get(idea.id, 0),
            unique_voters=voters,
            weighted=int(weighted or 0),
            trend=int(trend or 0),
            value_score=int(score or 0),
        )
        for idea, voters, weighted, trend, score in rows
    ]


def _open_ideas(product_id: int | None) -> list[Any]:
    where = [Idea.status.not_in([s.value for s in CLOSED_STATUSES]), Idea.hidden_at.is_(None)]
    if product_id is not None:
        where.append(Idea.product_id == product_id)
    return where


def _stored_rows(sort: str, product_id: int | None, since: dt.date) -> list[Any]:
    """The ideas by their stored counts; the trend of each one shown sums its votes per
    day since ``since`` (at most ``TREND_DAYS`` rows). Sorting by trend, the ideas come
    from the sums of every idea's days since then instead."""
    if sort == "trend":
        return _trending_rows(product_id, since)
    trend = (
        select(func.coalesce(func.sum(IdeaVoteDay.votes), 0))
        .where(IdeaVoteDay.idea_id == Idea.id, IdeaVoteDay.day >= since)
        .correlate(Idea)
        .scalar_subquery()
    )
    order = {"value": Idea.value_score, "weighted": Idea.weighted_votes, "votes": Idea.vote_count}
    return list(
        db.session.execute(
            select(Idea, Idea.vote_count, Idea.weighted_votes, trend, Idea.value_score)
            .options(joinedload(Idea.product))
            .where(*_open_ideas(product_id))
            .order_by(order[sort].desc(), Idea.id.desc())
            .limit(ROWS)
        )
    )


def _trending_rows(product_id: int | None, since: dt.date) -> list[Any]:
    recent = (
        select(IdeaVoteDay.idea_id, func.sum(IdeaVoteDay.votes).label("trend"))
        .where(IdeaVoteDay.day >= since)
        .group_by(IdeaVoteDay.idea_id)
        .subquery()
    )
    trend = func.coalesce(recent.c.trend, 0)
    return list(
        db.session.execute(
            select(Idea, Idea.vote_count, Idea.weighted_votes, trend, Idea.value_score)
            .outerjoin(recent, recent.c.idea_id == Idea.id)
            .options(joinedload(Idea.product))
            .where(*_open_ideas(product_id))
            .order_by(trend.desc(), Idea.id.desc())
            .limit(ROWS)
        )
    )


def _segment_rows(segment: str, sort: str, product_id: int | None, since: dt.date) -> list[Any]:
    """The ideas by the votes of the segment's members (an aggregate over their votes)."""
    per_idea = (
        select(
            IdeaVote.idea_id.label("idea_id"),
            func.count().label("voters"),
            func.sum(IdeaVote.importance).label("weighted"),
            func.sum(case((IdeaVote.created_at >= _day_start(since), 1), else_=0)).label("trend"),
            func.sum(IdeaVote.importance * CustomerValue.value).label("score"),
        )
        .join(CustomerValue, CustomerValue.user_id == IdeaVote.user_id)
        .join(Idea, Idea.id == IdeaVote.idea_id)
        .where(CustomerValue.segment == segment, *_open_ideas(product_id))
        .group_by(IdeaVote.idea_id)
        .subquery()
    )
    order = {"value": "score", "weighted": "weighted", "votes": "voters", "trend": "trend"}[sort]
    return list(
        db.session.execute(
            select(Idea, per_idea.c.voters, per_idea.c.weighted, per_idea.c.trend, per_idea.c.score)
            .join(per_idea, per_idea.c.idea_id == Idea.id)
            .options(joinedload(Idea.product))
            .order_by(per_idea.c[order].desc(), Idea.id.desc())
            .limit(ROWS)
        )
    )


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _merged_votes(idea_ids: list[int]) -> dict[int, int]:
    """Votes that duplicates merged into these ideas brought and that counted once."""
    if not idea_ids:
        return {}
    rows = db.session.execute(
        select(IdeaMerge.target_id, func.count())
        .join(IdeaMergeVote, IdeaMergeVote.merge_id == IdeaMerge.id)
        .where(
            IdeaMerge.target_id.in_(idea_ids),
            IdeaMerge.undone_at.is_(None),
            IdeaMergeVote.moved.is_(False),
        )
        .group_by(IdeaMerge.target_id)
    )
    return dict(rows.all())


def segments() -> list[str]:
    """The segments in use, by name (one query)."""
    return list(
        db.session.scalars(
            select(CustomerValue.segment)
            .where(CustomerValue.segment != "")
            .distinct()
            .order_by(CustomerValue.segment)
        )
    )


# ---------------------------------------------------------------- customer value


def _check_value(value: Any, field: str = "value") -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(_("The value must be a whole number."), field=field) from None
    if not 0 <= number <= VALUE_MAX:
        raise InvalidInput(
            _("The value must be between 0 and %(max)d.", max=VALUE_MAX), field=field
        )
    return number


def _check_segment(segment: Any) -> str:
    segment = str(segment or "").strip()
    if len(segment) > SEGMENT_MAX:
        raise InvalidInput(_("At most %(n)d characters.", n=SEGMENT_MAX), field="segment")
    return segment


def set_customer_value(
    actor: User, username: str | None, value: Any, segment: Any
) -> CustomerValue:
    """Set the customer value and segment of the member named ``username`` (team only,
    audited); InvalidInput on the field at fault."""
    common.require_team(actor)
    user = common.member_named(username)
    number, segment = _check_value(value), _check_segment(segment)
    _store_values(actor, {user.id: (number, segment)})
    audit(actor, "idea.customer_value", user, {"value": number, "segment": segment})
    return db.session.get(CustomerValue, user.id)


def _store_values(actor: User, values: dict[int, tuple[int, str]]) -> None:
    """Store the members' customer values (user id: value and segment), their votes
    reweighed in the ideas' value scores."""
    _reweigh({user_id: value for user_id, (value, _segment) in values.items()})
    for user_id, (value, segment) in values.items():
        _upsert_value(actor, user_id, value, segment)


def forget_value(user: User) -> None:
    """Delete the member's customer value (erasure): their votes weigh 1 again."""
    if db.session.get(CustomerValue, user.id) is None:
        return
    _reweigh({user.id: vote_counts.DEFAULT_WEIGHT})
    db.session.execute(
        delete(CustomerValue).where(CustomerValue.user_id == user.id),
        execution_options={"synchronize_session": "fetch"},
    )


def _reweigh(weights: dict[int, int]) -> None:
    """Give each member (user id) a new vote weight, moving the value score of every idea
    they voted for: their voter rows are locked first (``vote_counts``), then their votes
    leave the scores at the old weights and come back at the new ones; a handful of
    statements however many members."""
    user_ids = sorted(weights)
    _lock_voters(user_ids)
    _move_scores(user_ids, -1)
    voters = IdeaVoter.__table__
    db.session.execute(
        update(voters)
        .where(voters.c.user_id == bindparam("w_user"))
        .values(value=bindparam("w_value")),
        [{"w_user": user_id, "w_value": weights[user_id]} for user_id in user_ids],
    )
    _move_scores(user_ids, +1)
    for user_id in user_ids:
        expire_loaded(IdeaVoter, user_id, ["value"])


def _lock_voters(user_ids: list[int]) -> None:
    """Lock the members' voter rows (made, at their present weight, where missing)."""
    voters = IdeaVoter.__table__
    rows = (
        select(User.id, literal(0), vote_counts.weight_column())
        .outerjoin(CustomerValue, CustomerValue.user_id == User.id)
        .where(User.id.in_(user_ids))
        .order_by(User.id)
    )
    insert = dialect_insert(voters).from_select(["user_id", "open_votes", "value"], rows)
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=[voters.c.user_id], set_={"open_votes": voters.c.open_votes}
        )
    )


def _move_scores(user_ids: list[int], sign: int) -> None:
    """Add (``sign`` 1) or take away (-1) the members' votes, at their present weights,
    from the value scores of the ideas they voted for (one UPDATE ... FROM)."""
    voters = IdeaVoter.__table__
    per_idea = (
        select(
            IdeaVote.idea_id.label("idea_id"),
            func.sum(IdeaVote.importance * voters.c.value).label("score"),
        )
        .join(voters, voters.c.user_id == IdeaVote.user_id)
        .where(IdeaVote.user_id.in_(user_ids))
        .group_by(IdeaVote.idea_id)
        .subquery()
    )
    ideas = Idea.__table__
    moved = db.session.execute(
        update(ideas)
        .where(ideas.c.id == per_idea.c.idea_id)
        .values(value_score=ideas.c.value_score + sign * per_idea.c.score)
        .returning(ideas.c.id)
    )
    for (idea_id,) in moved:
        expire_loaded(Idea, idea_id, ["value_score"])


def _upsert_value(actor: User, user_id: int, value: int, segment: str) -> None:
    table_ = CustomerValue.__table__
    values = {"value": value, "segment": segment, "updated_at": utcnow(), "updated_by_id": actor.id}
    db.session.execute(
        dialect_insert(table_)
        .values(user_id=user_id, **values)
        .on_conflict_do_update(index_elements=[table_.c.user_id], set_=values)
    )


@dataclass(frozen=True)
class ImportResult:
    imported: int
    errors: list[str]


def import_csv(actor: User, text: str) -> ImportResult:
    """Customer values from CSV lines ``member,value,segment`` (member: username or
    email; a header line is allowed). Every line is checked first: with any error nothing
    is imported and each error names its line."""
    common.require_team(actor)
    # (line number in the file, cells), the header and blank lines left out
    rows = [
        (number, row)
        for number, row in enumerate(csv.reader(io.StringIO(text or "")), start=1)
        if any(cell.strip() for cell in row)
    ]
    if rows and rows[0][1][0].strip().lower() in {"member", "user", "username", "email"}:
        rows = rows[1:]
    if not rows:
        raise InvalidInput(_("The file has no lines to import."), field="file")
    if len(rows) > CSV_MAX_ROWS:
        raise InvalidInput(_("At most %(n)d lines per import.", n=CSV_MAX_ROWS), field="file")
    members = _members_named({row[0].strip().lower() for _number, row in rows})
    errors: list[str] = []
    checked: dict[int, tuple[int, str]] = {}
    for number, row in rows:
        try:
            checked_row = _check_row(row, members)
        except InvalidInput as error:
            errors.append(_("Line %(n)d: %(error)s", n=number, error=error.message))
            continue
        checked[checked_row[0]] = checked_row[1:]
    if errors:
        return ImportResult(0, errors)
    _store_values(actor, checked)
    audit(actor, "idea.customer_value_import", None, {"rows": len(checked)})
    return ImportResult(len(checked), [])


def _members_named(names: set[str]) -> dict[str, int]:
    rows = db.session.execute(
        select(User.id, User.username_key, User.email).where(
            or_(User.username_key.in_(names), func.lower(User.email).in_(names)),
            User.erased_at.is_(None),
        )
    )
    found: dict[str, int] = {}
    for user_id, username_key, email in rows:
        found[username_key] = user_id
        found[(email or "").lower()] = user_id
    return found


def _check_row(row: list[str], members: dict[str, int]) -> tuple[int, int, str]:
    if len(row) < 2:
        raise InvalidInput(_("Write member, value and (optionally) segment."))
    user_id = members.get(row[0].strip().lower())
    if user_id is None:
        raise InvalidInput(_("No member %(name)s.", name=row[0].strip()))
    return user_id, _check_value(row[1]), _check_segment(row[2] if len(row) > 2 else "")
