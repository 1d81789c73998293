"""The new-member sandbox (Stack Exchange's new-user limits); see privileges.py's
docstring for how features call it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from flask import current_app
from flask_babel import format_datetime, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from community.core.db import insert_ignore, utcnow
from community.core.errors import PermissionDenied
from community.extensions import db
from community.reputation.models.sandbox import SandboxUsage

SANDBOX_DEFAULTS: dict[str, int] = {
    "SANDBOX_HOURS": 24,  # how long after joining the limits apply ...
    "SANDBOX_POINTS": 10,  # ... unless the member reaches this many points sooner
    "SANDBOX_TOPICS": 3,  # new threads or ideas (kind "topic")
    "SANDBOX_POSTS": 10,  # posts: replies, answers, comments (kind "post")
    "SANDBOX_LINKS": 2,  # links in one post, thread or idea
}

# Kind of creation -> the config key of its limit.
SANDBOX_KINDS: dict[str, str] = {"topic": "SANDBOX_TOPICS", "post": "SANDBOX_POSTS"}
KIND_LABELS: dict[str, str] = {"topic": _l("New threads or ideas"), "post": _l("Posts")}


@dataclass(frozen=True)
class SandboxRules:
    hours: int
    points: int
    limits: dict[str, int]
    links: int


def sandbox_rules() -> SandboxRules:
    """The sandbox's numbers from the app config (``SANDBOX_*``), with defaults."""

    def get(name: str) -> int:
        return int(current_app.config.get(name, SANDBOX_DEFAULTS[name]))

    return SandboxRules(
        hours=get("SANDBOX_HOURS"),
        points=get("SANDBOX_POINTS"),
        limits={kind: get(name) for kind, name in SANDBOX_KINDS.items()},
        links=get("SANDBOX_LINKS"),
    )


def sandbox_ends_at(user: Any, rules: SandboxRules | None = None) -> dt.datetime:
    """When the member's sandbox ends at the latest (their first hours are over)."""
    rules = rules or sandbox_rules()
    return (getattr(user, "created_at", None) or utcnow()) + dt.timedelta(hours=rules.hours)


def is_sandboxed(
    user: Any, now: dt.datetime | None = None, rules: SandboxRules | None = None
) -> bool:
    """Whether the sandbox limits apply to ``user`` now (no query: reads the user row)."""
    if not user.is_authenticated or user.is_team:
        return False
    rules = rules or sandbox_rules()
    return (user.reputation or 0) < rules.points and (now or utcnow()) < sandbox_ends_at(
        user, rules
    )


def _kind_limit(rules: SandboxRules, kind: str) -> int:
    try:
        return rules.limits[kind]
    except KeyError as exc:
        raise KeyError(f"unknown sandbox kind {kind!r}; use one of {sorted(rules.limits)}") from exc


def _lifts_text(user: Any, rules: SandboxRules) -> str:
    return ngettext(
        "This limit lifts on %(time)s, or as soon as you have %(num)d point.",
        "This limit lifts on %(time)s, or as soon as you have %(num)d points.",
        rules.points,
        time=format_datetime(sandbox_ends_at(user, rules), "long"),
    )


def _limit_text(kind: str, limit: int) -> str:
    if kind == "topic":
        return ngettext(
            "New members may start at most %(num)d thread or idea.",
            "New members may start at most %(num)d threads or ideas.",
            limit,
        )
    return ngettext(
        "New members may write at most %(num)d post.",
        "New members may write at most %(num)d posts.",
        limit,
    )


def _refuse(user: Any, rules: SandboxRules, limit_text: str) -> PermissionDenied:
    return PermissionDenied(f"{limit_text} {_lifts_text(user, rules)}")


def _check_links(user: Any, rules: SandboxRules, links: int) -> None:
    if links > rules.links:
        text = ngettext(
            "New members may put at most %(num)d link in a post; this one has %(count)d.",
            "New members may put at most %(num)d links in a post; this one has %(count)d.",
            rules.links,
            count=links,
        )
        raise _refuse(user, rules, text)


def _used(user_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(SandboxUsage.kind, SandboxUsage.used).where(SandboxUsage.user_id == user_id)
    )
    return {kind: used for kind, used in rows}


def check_sandbox(user: Any, kind: str, links: int = 0, now: dt.datetime | None = None) -> None:
    """Raise PermissionDenied, saying when the limit lifts, if ``user`` may not create one
    more ``kind`` (``topic`` or ``post``) with ``links`` links now. Counts nothing: for
    showing a form; the create service calls ``use_sandbox``."""
    rules = sandbox_rules()
    limit = _kind_limit(rules, kind)
    if not is_sandboxed(user, now, rules):
        return
    _check_links(user, rules, links)
    if _used(user.id).get(kind, 0) >= limit:
        raise _refuse(user, rules, _limit_text(kind, limit))


def use_sandbox(user: Any, kind: str, links: int = 0, now: dt.datetime | None = None) -> None:
    """Count one new ``kind`` (``topic``: a thread or idea, ``post``: anything else) with
    ``links`` links against ``user``'s sandbox, or raise PermissionDenied saying when the
    limit lifts. One conditional UPDATE decides, so concurrent requests never exceed the
    limit. Call it once per creation inside the create service (the transaction's
    rollback undoes the count if the creation fails); no-op outside the sandbox."""
    rules = sandbox_rules()
    limit = _kind_limit(rules, kind)
    if not is_sandboxed(user, now, rules):
        return
    _check_links(user, rules, links)
    insert_ignore(SandboxUsage, user_id=user.id, kind=kind, used=0)
    result = db.session.execute(
        update(SandboxUsage)
        .where(
            SandboxUsage.user_id == user.id,
            SandboxUsage.kind == kind,
            SandboxUsage.used < limit,
        )
        .values(used=SandboxUsage.used + 1)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _refuse(user, rules, _limit_text(kind, limit))


@dataclass(frozen=True)
class Allowance:
    kind: str
    label: str
    limit: int
    used: int

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)


@dataclass(frozen=True)
class SandboxStatus:
    """A sandboxed member's remaining allowances and when the sandbox ends."""

    ends_at: dt.datetime
    points_needed: int
    allowances: list[Allowance]
    links: int


def sandbox_status(user: Any, now: dt.datetime | None = None) -> SandboxStatus | None:
    """``user``'s allowances while sandboxed (one query), or None outside the sandbox."""
    rules = sandbox_rules()
    if not is_sandboxed(user, now, rules):
        return None
    used = _used(user.id)
    return SandboxStatus(
        ends_at=sandbox_ends_at(user, rules),
        points_needed=rules.points - (user.reputation or 0),
        allowances=[
            Allowance(kind, KIND_LABELS[kind], limit, used.get(kind, 0))
            for kind, limit in rules.limits.items()
        ],
        links=rules.links,
    )


class _LinkCounter(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        # @mentions are links to members on this site, not what the limit is about.
        if tag == "a" and values.get("href") and "mention" not in (values.get("class") or ""):
            self.links += 1


def count_links(html: str) -> int:
    """How many links (not @mentions) rendered HTML contains, for ``use_sandbox(links=)``."""
    counter = _LinkCounter()
    counter.feed(html)
    counter.close()
    return counter.links


def count_links_in_markdown(source: str) -> int:
    """How many links Markdown source renders to (bare URLs included)."""
    from community.core.content import render

    return count_links(render(source).html)
