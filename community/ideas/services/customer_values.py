"""What a member is worth to the business: the team sets a customer value and a segment per
member, by hand or by CSV (audited).

A member's customer value is the weight of their idea votes (``vote_counts``): the weight
sits on their voter row, so a new value locks that row, takes their votes out of the value
scores of the ideas they voted for at the old weight and adds them back at the new one
(``_reweigh``). Erasure forgets the value and the votes weigh
``vote_counts.DEFAULT_WEIGHT`` again.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, delete, func, literal, or_, select, update

from community.accounts.models import User
from community.core.db import dialect_insert, expire_loaded, utcnow
from community.core.errors import InvalidInput
from community.extensions import db
from community.ideas.models import CustomerValue, Idea, IdeaVote, IdeaVoter
from community.ideas.services import common, vote_counts
from community.moderation.services import audit

VALUE_MAX = 1_000_000_000
SEGMENT_MAX = 64
CSV_MAX_ROWS = 10_000


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
