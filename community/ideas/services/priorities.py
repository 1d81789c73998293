"""The team's prioritisation table, and what a member is worth to the business.

For each open idea (not shipped, declined or merged), on one page:

- votes: every vote it was given, those of merged duplicates included (a member who
  voted for both counts twice here);
- unique voters: the members voting for it now (a merge counts them once);
- weighted votes: the votes weighted by importance (1 nice to have, 2 important,
  3 critical);
- trend: votes given in the last 30 days;
- value score: ``VALUE_FORMULA``: each vote's importance times the voter's customer value
  (members without one count as ``DEFAULT_VALUE``), summed.

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
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload

from community.accounts.models import User
from community.core.db import dialect_insert, utcnow
from community.core.errors import InvalidInput
from community.extensions import db
from community.ideas.models import (
    CLOSED_STATUSES,
    CustomerValue,
    Idea,
    IdeaMerge,
    IdeaMergeVote,
    IdeaVote,
)
from community.ideas.services import common
from community.moderation.services import audit

DEFAULT_VALUE = 1
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


def _value() -> Any:
    return func.coalesce(CustomerValue.value, DEFAULT_VALUE)


def table(
    actor: Any,
    sort: str = "value",
    segment: str | None = None,
    product_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[PriorityRow]:
    """The top open ideas by ``sort`` (team only): one aggregate query over their votes,
    one for the ideas, one for votes of merged duplicates."""
    common.require_team(actor)
    if sort not in SORTS:
        raise InvalidInput(_("Sort by value, weighted votes, votes or trend."), field="sort")
    since = (now or utcnow()) - dt.timedelta(days=TREND_DAYS)
    value = IdeaVote.importance * _value()
    per_idea = (
        select(
            IdeaVote.idea_id.label("idea_id"),
            func.count().label("voters"),
            func.sum(IdeaVote.importance).label("weighted"),
            func.sum(case((IdeaVote.created_at >= since, 1), else_=0)).label("trend"),
            func.sum(value).label("score"),
        )
        .join(Idea, Idea.id == IdeaVote.idea_id)
        .outerjoin(CustomerValue, CustomerValue.user_id == IdeaVote.user_id)
        .where(Idea.status.not_in([s.value for s in CLOSED_STATUSES]), Idea.hidden_at.is_(None))
        .group_by(IdeaVote.idea_id)
    )
    if segment:
        per_idea = per_idea.where(CustomerValue.segment == segment)
    if product_id is not None:
        per_idea = per_idea.where(Idea.product_id == product_id)
    order = {"value": "score", "weighted": "weighted", "votes": "voters", "trend": "trend"}[sort]
    sub = per_idea.subquery()
    rows = db.session.execute(
        select(sub).order_by(sub.c[order].desc(), sub.c.idea_id.desc()).limit(ROWS)
    ).all()
    ids = [row.idea_id for row in rows]
    ideas = {
        idea.id: idea
        for idea in db.session.scalars(
            select(Idea).options(joinedload(Idea.product)).where(Idea.id.in_(ids))
        )
    }
    merged = _merged_votes(ids)
    return [
        PriorityRow(
            idea=ideas[row.idea_id],
            votes=row.voters + merged.get(row.idea_id, 0),
            unique_voters=row.voters,
            weighted=int(row.weighted or 0),
            trend=int(row.trend or 0),
            value_score=int(row.score or 0),
        )
        for row in rows
    ]


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
    _upsert_value(actor, user.id, number, segment)
    audit(actor, "idea.customer_value", user, {"value": number, "segment": segment})
    return db.session.get(CustomerValue, user.id)


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
    for user_id, (value, segment) in checked.items():
        _upsert_value(actor, user_id, value, segment)
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
