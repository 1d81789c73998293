"""Rules every ideas service shares: limits, visibility, loading, the search entry,
the trending score, the stored counters."""

from __future__ import annotations

import datetime as dt
import functools
import math
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, or_, select, true, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from community.accounts import services as accounts
from community.core import content, search
from community.core.errors import InvalidInput, NotFound, PermissionDenied
from community.core.plain_text import plain_text
from community.extensions import db
from community.ideas import policy
from community.ideas.models import TITLE_MAX, Idea, IdeaComment

BODY_MAX = 20_000
COMMENT_MAX = 10_000
NOTE_MAX = 5_000
IDEA_KIND = "idea"
COMMENT_KIND = "idea_comment"
# The trending score: log10 of the votes plus the idea's age in units of HOT_HALF_LIFE,
# so an idea needs ten times the votes to rank with one that many hours younger. It
# only moves when votes move; time needs no recomputing.
HOT_EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
HOT_UNIT = dt.timedelta(hours=36)


def hot_score(votes: int, created_at: dt.datetime) -> float:
    """The trending score of an idea with ``votes`` votes created at ``created_at``."""
    age_units = (created_at - HOT_EPOCH) / HOT_UNIT
    return round(math.log10(max(votes, 1)) + age_units, 7)


def render(source: str) -> content.Rendered:
    """An idea's or comment's Markdown as safe HTML, with @mentions of members linked."""
    return accounts.render_markdown(source)


def _required(value: str | None, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(_("Please write something."), field=field)
    if len(value) > limit:
        raise InvalidInput(_("At most %(n)d characters.", n=limit), field=field)
    return value


def check_title(title: str | None) -> str:
    return _required(title, "title", TITLE_MAX)


def check_body(body: str | None) -> str:
    return _required(body, "body", BODY_MAX)


def check_comment(body: str | None) -> str:
    return _required(body, "body", COMMENT_MAX)


def require_team(actor: Any) -> None:
    if not policy.is_team(actor):
        raise PermissionDenied(_("Only the team can do this."))


def require_member(actor: Any, message: Any) -> None:
    """PermissionDenied with ``message`` (e.g. "Please sign in to vote.") for visitors."""
    if not policy.is_signed_in(actor):
        raise PermissionDenied(message)


def member_named(username: str | None) -> Any:
    """The member a team form names by username, or InvalidInput on its field."""
    try:
        return accounts.get_by_username((username or "").strip())
    except NotFound:
        raise InvalidInput(_("There is no member with this username."), field="username") from None


# ---------------------------------------------------------------- visibility


def idea_clause(viewer: Any) -> Any:
    """SQL: the ideas ``viewer`` may see (hidden ones only for the team and the author)."""
    if policy.is_team(viewer):
        return true()
    if policy.is_signed_in(viewer):
        return or_(Idea.hidden_at.is_(None), Idea.author_id == viewer.id)
    return Idea.hidden_at.is_(None)


def comment_clause(viewer: Any) -> Any:
    if policy.is_team(viewer):
        return true()
    if policy.is_signed_in(viewer):
        return or_(IdeaComment.hidden_at.is_(None), IdeaComment.author_id == viewer.id)
    return IdeaComment.hidden_at.is_(None)


def can_see_idea(viewer: Any, idea: Idea) -> bool:
    return idea.hidden_at is None or policy.can_see_hidden(viewer, idea.author_id)


def get_idea(viewer: Any, idea_id: int, lock: bool = False) -> Idea:
    """The idea with its product and author, or NotFound (missing or hidden). ``lock``
    takes its row for the transaction (PostgreSQL), for changes that must not interleave
    (status changes, merges)."""
    idea = db.session.scalar(_idea_query(lock), {"idea_id": idea_id})
    if idea is None or not can_see_idea(viewer, idea):
        raise NotFound(_("No such idea."))
    return idea


@functools.cache
def _idea_query(lock: bool) -> Any:
    """``get_idea``'s query, built once (every idea page and vote asks it)."""
    stmt = (
        select(Idea)
        .options(joinedload(Idea.product), joinedload(Idea.author))
        .where(Idea.id == bindparam("idea_id"))
    )
    if lock:
        stmt = stmt.with_for_update(of=Idea).execution_options(populate_existing=True)
    return stmt


# ---------------------------------------------------------------- stored rows


def move_idea(idea: Idea, **values: Any) -> None:
    """UPDATE the idea's row with SQL expressions; the new values are read back into
    ``idea`` (RETURNING), so no later query refreshes it."""
    table = Idea.__table__
    row = (
        db.session.execute(
            update(table)
            .where(table.c.id == idea.id)
            .values(**values)
            .returning(*(table.c[name] for name in values))
        )
        .mappings()
        .one()
    )
    for name, value in row.items():
        set_committed_value(idea, name, value)


def reindex(idea: Idea) -> None:
    """Write the idea's search entry (hidden and merged ideas are not found)."""
    search.index(
        IDEA_KIND,
        idea.id,
        idea.title,
        plain_text(idea.body_html),
        None,
        idea.hidden_at is not None or idea.merged_into_id is not None,
    )
