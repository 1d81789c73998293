"""The review queue's risk score: how likely an item is to need the team, and why.

This is the one place the formula lives. The score is the sum of the points of every
signal that fires, capped at 100; each signal becomes a reason the queue spells out with
its numbers and its points, so a moderator sees why an item ranks where it does.

=====================  ==================================================  ===========
signal (key)           fires when                                          points
=====================  ==================================================  ===========
``new_account_hours``  the author joined less than 24 hours ago            20
``new_account``        ... or less than 7 days ago                         10
``unconfirmed_email``  the author has not confirmed their email address    15
``links``              the item holds links                                5 per link,
                                                                           at most 20
``near_duplicate``     its text is nearly the same (difflib ratio >= 0.85) 25
                       as one of the author's last 20 texts (the item
                       itself excluded; texts of 20 characters or more)
``burst``              the author wrote 5 or more items in the last        15
                       10 minutes (the item included)
``agreed_flags``       earlier flags against the author's other items      10 per flag,
                       were agreed with by the team                        at most 30
``flag_weight``        members flagged the item: the open flags' total     10 per unit,
                       weight (a trusted flagger weighs more than 1)       at most 30
=====================  ==================================================  ===========

A brand-new, unconfirmed spammer posting the same three links five times in a few
minutes scores 20 + 15 + 15 + 25 + 15 = 90 before anyone flags them; a regular's first
flagged post scores 10.

Reasons are stored on the review item as ``{"key", "points", "value"}`` (the number the
text names) and worded when shown, in the viewer's language (``Reason.text``).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import format_timedelta, ngettext
from flask_babel import gettext as _

from community.core.db import utcnow
from community.moderation.targets import TargetInfo

MAX_SCORE = 100

NEW_ACCOUNT_DAY_POINTS = 20  # joined less than a day ago
NEW_ACCOUNT_WEEK_POINTS = 10  # joined less than a week ago
UNCONFIRMED_EMAIL_POINTS = 15
LINK_POINTS = 5
LINK_MAX_POINTS = 20
NEAR_DUPLICATE_POINTS = 25
NEAR_DUPLICATE_RATIO = 0.85
NEAR_DUPLICATE_MIN_CHARS = 20  # "Thanks!" twice is not spam
RECENT_TEXTS = 20  # how many of the author's latest texts are compared
BURST_POINTS = 15
BURST_COUNT = 5
BURST_WINDOW = dt.timedelta(minutes=10)
AGREED_FLAG_POINTS = 10
AGREED_FLAG_MAX_POINTS = 30
FLAG_WEIGHT_POINTS = 10  # per unit of weight
FLAG_WEIGHT_MAX_POINTS = 30


@dataclass(frozen=True)
class Reason:
    """One signal that fired: its key, its points, and the number its text names."""

    key: str
    points: int
    value: float = 0

    @property
    def text(self) -> str:
        """The reason in words, in the current language."""
        return describe(self.key, self.value)

    def stored(self) -> dict[str, Any]:
        return {"key": self.key, "points": self.points, "value": self.value}

    @classmethod
    def from_stored(cls, data: dict[str, Any]) -> Reason:
        return cls(str(data["key"]), int(data["points"]), data.get("value", 0))


@dataclass(frozen=True)
class Risk:
    score: int
    reasons: list[Reason]

    def stored(self) -> list[dict[str, Any]]:
        return [r.stored() for r in self.reasons]


def describe(key: str, value: float) -> str:
    """The words of one reason (``value`` is the number it names)."""
    n = int(value)
    if key == "new_account_hours":
        return ngettext("Account is %(num)d hour old", "Account is %(num)d hours old", n)
    if key == "new_account":
        return ngettext("Account is %(num)d day old", "Account is %(num)d days old", n)
    if key == "unconfirmed_email":
        return _("Email address not confirmed")
    if key == "links":
        return ngettext("%(num)d link", "%(num)d links", n)
    if key == "near_duplicate":
        return _(
            "Nearly the same as a post of theirs from %(ago)s ago",
            ago=format_timedelta(dt.timedelta(seconds=value), threshold=1),
        )
    if key == "burst":
        return ngettext(
            "%(num)d post in the last 10 minutes", "%(num)d posts in the last 10 minutes", n
        )
    if key == "agreed_flags":
        return ngettext(
            "%(num)d earlier flag against this member was agreed with",
            "%(num)d earlier flags against this member were agreed with",
            n,
        )
    if key == "flag_weight":
        return _("Flagged with weight %(weight)s", weight=f"{value:g}")
    return key


def stored_reasons(data: Iterable[dict[str, Any]] | None) -> list[Reason]:
    """The reasons kept on a review item, ready to be worded."""
    return [Reason.from_stored(d) for d in data or ()]


def score(
    info: TargetInfo | None,
    author: Any | None,
    *,
    flag_weight: float,
    agreed_flags_against_author: int,
    recent_texts: Sequence[tuple[dt.datetime, str]],
    now: dt.datetime | None = None,
) -> Risk:
    """The risk of one item (0..100) with every reason that adds to it (see the module
    docstring for the formula). ``info`` is None when the item is gone; ``recent_texts``
    are the author's latest (created_at, plain text), newest first, the item included."""
    now = now or utcnow()
    reasons: list[Reason] = []
    if author is not None and not getattr(author, "is_erased", False):
        reasons += _account(author, now)
    if info is not None:
        if info.links > 0:
            reasons.append(
                Reason("links", min(LINK_MAX_POINTS, LINK_POINTS * info.links), info.links)
            )
        duplicate = _near_duplicate(info, recent_texts, now)
        if duplicate is not None:
            reasons.append(duplicate)
    recent = sum(1 for created, _text in recent_texts if now - created <= BURST_WINDOW)
    if recent >= BURST_COUNT:
        reasons.append(Reason("burst", BURST_POINTS, recent))
    if agreed_flags_against_author > 0:
        points = min(AGREED_FLAG_MAX_POINTS, AGREED_FLAG_POINTS * agreed_flags_against_author)
        reasons.append(Reason("agreed_flags", points, agreed_flags_against_author))
    if flag_weight > 0:
        weight = round(flag_weight, 2)
        points = min(FLAG_WEIGHT_MAX_POINTS, round(FLAG_WEIGHT_POINTS * flag_weight))
        reasons.append(Reason("flag_weight", points, weight))
    return Risk(min(MAX_SCORE, sum(r.points for r in reasons)), reasons)


def _account(author: Any, now: dt.datetime) -> list[Reason]:
    reasons = []
    age = now - author.created_at
    if age < dt.timedelta(days=1):
        hours = int(age.total_seconds() // 3600)
        reasons.append(Reason("new_account_hours", NEW_ACCOUNT_DAY_POINTS, hours))
    elif age < dt.timedelta(days=7):
        reasons.append(Reason("new_account", NEW_ACCOUNT_WEEK_POINTS, age.days))
    if author.email_confirmed_at is None:
        reasons.append(Reason("unconfirmed_email", UNCONFIRMED_EMAIL_POINTS))
    return reasons


def _near_duplicate(
    info: TargetInfo, recent_texts: Sequence[tuple[dt.datetime, str]], now: dt.datetime
) -> Reason | None:
    text = info.text.strip()
    if len(text) < NEAR_DUPLICATE_MIN_CHARS:
        return None
    others = list(recent_texts[:RECENT_TEXTS])
    # The item is among its author's recent texts: leave it out once.
    for i, (created, other) in enumerate(others):
        if created == info.created_at and other.strip() == text:
            del others[i]
            break
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(text)
    for created, other in others:  # newest first: the closest in time wins
        other = other.strip()
        if len(other) < NEAR_DUPLICATE_MIN_CHARS:
            continue
        matcher.set_seq1(other)
        if (
            matcher.real_quick_ratio() >= NEAR_DUPLICATE_RATIO
            and matcher.quick_ratio() >= NEAR_DUPLICATE_RATIO
            and matcher.ratio() >= NEAR_DUPLICATE_RATIO
        ):
            seconds = max(0, int((now - created).total_seconds()))
            return Reason("near_duplicate", NEAR_DUPLICATE_POINTS, seconds)
    return None
