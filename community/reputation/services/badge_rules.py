"""Automatic badges: the rules a ledger event may satisfy (``reputation/badges.py``),
evaluated when the event is recorded, and the awards they earn (``badges.grant``).
Counting reads at most a rule's threshold of the member's events, whatever the size of
the ledger."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, exists, func, literal, select, union_all
from sqlalchemy.orm import aliased

from community.accounts.models import User
from community.core.db import utcnow
from community.extensions import db
from community.reputation.badges import (
    BADGES,
    RULES_BY_REASON,
    TENURE_BADGES,
    Badge,
    EventCount,
    Tenure,
)
from community.reputation.models import BadgeAward, ReputationEvent, standing
from community.reputation.services.badges import blocking, grant


def after_event(user: User, event: ReputationEvent) -> None:
    """Evaluate the badge rules a new ledger event may satisfy and award what they earn.

    Only rules about this event's reason (and tenure) are looked at, in one query;
    counting reads at most the rule's threshold of the member's events, whatever the size
    of the ledger. (On PostgreSQL the ledger sends that query with the event's own
    statement and calls ``award_earned`` itself.)
    """
    if event.reverses_id is not None:
        return
    candidates = candidates_for(user, event.reason)
    if candidates:
        keys = tuple(badge.key for badge in candidates)
        rows = db.session.execute(rule_state_query(keys), {"b_user": user.id}).all()
        award_earned(user, candidates, rows, event_counted=True)


def candidates_for(user: User, reason: str) -> tuple[Badge, ...]:
    """The badges an event of ``reason`` may earn the member: its counting rules, and
    the tenure badges their membership's age has reached."""
    return (*RULES_BY_REASON.get(reason, ()), *_tenure_met(user))


def award_earned(
    user: User,
    candidates: Iterable[Badge],
    rule_state: Iterable[tuple[str, int]],
    event_counted: bool,
) -> None:
    """Award the candidates the member's rule state (``rule_state_query``'s rows) shows
    earned. ``event_counted``: the rows were read after the new event was written; else
    they were read in its statement, before it, and its count of one is added here."""
    blocked, counted = set(), {}
    for key, n in rule_state:
        if n < 0:
            blocked.add(key)
        else:
            counted[key] = n if event_counted else n + 1
    for badge in candidates:
        if badge.key in blocked or counted.get(badge.key, _MET) < _threshold(badge):
            continue
        grant(user, badge, None, "")


_MET = 1 << 30  # the count of a rule met without counting


def _threshold(badge: Badge) -> int:
    rule = badge.rule
    return rule.at_least if isinstance(rule, EventCount) else 1


@functools.cache
def rule_state_query(keys: tuple[str, ...]) -> Any:
    """The member's (bound ``b_user``) state of the candidate badges ``keys``, as
    ``(key, n)`` rows: n is -1 for a badge they hold or the team revoked from them; for
    each counting rule with a threshold above one, n is how many of their events of its
    reason stand, counted no further than the threshold (a threshold of one is met by
    the event at hand). One query, built once; short table aliases keep it short enough
    to go inside the ledger's statement (see ``core.db.prepared``)."""
    user_id = bindparam("b_user")
    award = aliased(BadgeAward, name="a")
    blocked = select(award.badge_key.label("key"), literal(-1).label("n")).where(
        award.user_id == user_id, award.badge_key.in_(keys), blocking(award)
    )
    # A badge the member holds is not counted towards (the count is 0 then): the
    # condition does not depend on the rows, so PostgreSQL checks it once, before
    # reading up to the threshold's events.
    counts = [
        select(literal(key).label("key"), func.count().label("n"))
        .select_from(_standing_events(user_id, rule.reason, rule.at_least))
        .where(~_held(user_id, key, award))
        for key in keys
        if isinstance(rule := BADGES[key].rule, EventCount) and rule.at_least > 1
    ]
    return union_all(blocked, *counts) if counts else blocked


def _tenure_met(user: User) -> list[Badge]:
    created = user.created_at
    if not TENURE_BADGES or created is None:
        return []
    days = (utcnow() - created).days
    return [b for b in TENURE_BADGES if isinstance(b.rule, Tenure) and days >= b.rule.days]


def _held(user_id: Any, key: str, award: Any = BadgeAward) -> Any:
    """SQL: the member holds badge ``key`` or the team revoked it from them."""
    return exists().where(award.user_id == user_id, award.badge_key == key, blocking(award))


def _standing_events(user_id: Any, reason: str, limit: int) -> Any:
    """The ids of at most ``limit`` of the member's events of ``reason`` that stand (not
    reversals, not reversed), as a subquery to count."""
    event = aliased(ReputationEvent, name="e")
    return (
        select(event.id)
        .where(event.user_id == user_id, event.reason == reason, standing(event))
        .limit(limit)
        .subquery()
    )
