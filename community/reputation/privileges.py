"""Privileges that grow with reputation, and the sandbox that limits brand-new members.

One table, ``PRIVILEGES``, is the only place a threshold is written down. Services check
with one helper so a rule holds the same way on a page, in the API and from the CLI::

    from community.reputation.privileges import require
    from community.reputation.sandbox import count_links, use_sandbox

    def flag_post(actor, post, reason):
        require(actor, "flag")            # PermissionDenied says how much is missing
        ...

    def start_topic(author, category, title, body):
        rendered = content.render(body)
        use_sandbox(author, "topic", links=count_links(rendered.html))
        ...

Templates show buttons by ``has_privilege(user, key)``. The team and admins hold every
privilege and are never sandboxed.

The sandbox (Stack Exchange's new-user limits): while a member is in their first
``SANDBOX_HOURS`` and still under ``SANDBOX_POINTS`` points, they may create at most
``SANDBOX_TOPICS`` threads or ideas, ``SANDBOX_POSTS`` posts, and put at most
``SANDBOX_LINKS`` links in one post. Every number comes from the app config, with the
defaults in ``SANDBOX_DEFAULTS``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from community.core.db import utcnow
from community.core.errors import PermissionDenied


@dataclass(frozen=True)
class Privilege:
    key: str
    label: str
    # What it lets a member do, as finishing "You need 7 more points to ...".
    action: str
    description: str
    min_points: int
    min_days: int = 0


# Lowest first. A member holds a privilege once they reach its points and days of membership.
PRIVILEGES: tuple[Privilege, ...] = (
    Privilege(
        "vote",
        _l("Vote on ideas"),
        _l("vote on ideas"),
        _l("Support the ideas you want built; the most wanted rise on the roadmap."),
        # Accounts start at 0 points; every member votes from their first day.
        0,
    ),
    Privilege(
        "vote_elections",
        _l("Vote in parliament elections"),
        _l("vote in parliament elections"),
        _l("Choose the members who speak for the community in the customer parliament."),
        10,
    ),
    Privilege(
        "flag",
        _l("Flag content"),
        _l("flag"),
        _l("Report posts, ideas and reviews that break the rules so the team can act."),
        15,
    ),
    Privilege(
        "comment_motions",
        _l("Comment on parliament motions"),
        _l("comment on parliament motions"),
        _l("Take part in the debate on motions before the parliament votes."),
        50,
    ),
    Privilege(
        "stand_for_parliament",
        _l("Stand for parliament"),
        _l("stand for parliament"),
        _l("Be a candidate in parliament elections and represent the community."),
        250,
        30,
    ),
    Privilege(
        "edit_tags",
        _l("Edit tags"),
        _l("edit tags"),
        _l("Retag threads and ideas so that others find them."),
        500,
    ),
    Privilege(
        "review_queue",
        _l("Review queue"),
        _l("use the review queue"),
        _l("Help the team review flagged content and the first posts of new members."),
        2000,
    ),
)

BY_KEY: dict[str, Privilege] = {p.key: p for p in PRIVILEGES}


def privilege(key: str) -> Privilege:
    """The privilege of this key; an unknown key is a programming error."""
    try:
        return BY_KEY[key]
    except KeyError as exc:
        raise KeyError(f"unknown privilege {key!r}; add it to reputation/privileges.py") from exc


def days_of_membership(user: Any, now: dt.datetime | None = None) -> int:
    """Whole days since the member joined (as the rank ladder counts them)."""
    created = getattr(user, "created_at", None)
    return ((now or utcnow()) - created).days if created else 0


def _missing(user: Any, priv: Privilege, now: dt.datetime | None) -> tuple[int, int]:
    points = max(0, priv.min_points - (user.reputation or 0))
    days = max(0, priv.min_days - days_of_membership(user, now))
    return points, days


def has_privilege(user: Any, key: str, now: dt.datetime | None = None) -> bool:
    """Whether ``user`` holds privilege ``key`` (no query: reads the user row)."""
    priv = privilege(key)
    if not user.is_authenticated:
        return False
    if user.is_team:
        return True
    return _missing(user, priv, now) == (0, 0)


def _missing_text(points: int, days: int) -> str:
    parts = []
    if points:
        parts.append(ngettext("%(num)d more point", "%(num)d more points", points))
    if days:
        parts.append(
            ngettext("%(num)d more day of membership", "%(num)d more days of membership", days)
        )
    if len(parts) == 2:
        return _("%(points)s and %(days)s", points=parts[0], days=parts[1])
    return parts[0]


def require(user: Any, key: str, now: dt.datetime | None = None) -> None:
    """Raise PermissionDenied, saying what is still missing, unless ``user`` holds ``key``."""
    priv = privilege(key)
    if not user.is_authenticated:
        raise PermissionDenied(_("Please log in to %(action)s.", action=priv.action))
    if user.is_team:
        return
    points, days = _missing(user, priv, now)
    if points or days:
        raise PermissionDenied(
            _(
                "You need %(missing)s to %(action)s.",
                missing=_missing_text(points, days),
                action=priv.action,
            )
        )


@dataclass(frozen=True)
class Progress:
    """Where one viewer stands on one privilege (``points`` is None for visitors)."""

    privilege: Privilege
    granted: bool
    points: int | None = None
    days: int | None = None
    missing_points: int = 0
    missing_days: int = 0

    @property
    def bar_value(self) -> int:
        """How far the points bar is filled, from 0 to ``privilege.min_points``."""
        return max(0, min(self.points or 0, self.privilege.min_points))


def progress(user: Any, now: dt.datetime | None = None) -> list[Progress]:
    """Every privilege, lowest first, with ``user``'s progress towards it (no query)."""
    if not user.is_authenticated:
        return [Progress(p, False) for p in PRIVILEGES]
    points, days = user.reputation or 0, days_of_membership(user, now)
    rows = []
    for priv in PRIVILEGES:
        missing_points, missing_days = _missing(user, priv, now)
        granted = user.is_team or (missing_points, missing_days) == (0, 0)
        rows.append(Progress(priv, granted, points, days, missing_points, missing_days))
    return rows
