"""The last part: member rows get their reputation, title and penalty state; maven
scores by the app's own formula for the most reputable members, this month's Market
Mavens, badge holder counts, and the manifest scale-targets reads."""

from __future__ import annotations

import json
import random
from typing import Any

from sqlalchemy import select

from community.accounts.models import User
from community.extensions import db
from community.moderation.models import AuditEntry
from community.reputation.models import BadgeCount, MavenDesignation, MavenScore
from community.reputation.services.mavens import compute_scores
from community.scale.bulk import Bulk, names
from community.scale.forum_plan import BIG, Forums
from community.scale.ideas import Ideas
from community.scale.ledger import Ledger, write_awards
from community.scale.members import Members, username_of
from community.scale.moderation_rows import PenaltyState
from community.scale.timeline import Timeline
from community.scale.words import SEARCH_WORD

MANIFEST_ACTION = "site.seed"
MAVENS_PER_CATEGORY = 3
TITLE_SHARE = 0.1


def update_members(
    bulk: Bulk,
    rng: random.Random,
    members: Members,
    ledger: Ledger,
    states: dict[int, PenaltyState],
    timeline: Timeline,
) -> int:
    """Reputation, chosen title and running penalties onto the member rows."""
    held: dict[int, list[str]] = {}
    for _when, user, key in ledger.awards:
        held.setdefault(user, []).append(key)
    stamp = timeline.stamp
    rows = []
    for user in range(1, members.last_id + 1):
        points = ledger.totals[user]
        title = None
        if user in held and rng.random() < TITLE_SHARE:
            title = rng.choice(held[user])
        state = states.get(user)
        if not points and title is None and state is None:
            continue
        state = state or PenaltyState()
        rows.append(
            (
                user,
                points,
                title,
                stamp(state.silenced_until),
                stamp(state.suspended_until),
                state.suspension_reason,
                state.unacknowledged_warnings,
            )
        )
    columns = names(
        "reputation title_badge silenced_until suspended_until suspension_reason "
        "unacknowledged_warnings"
    )
    bulk.update(User, "id", columns, rows)
    return len(rows)


def score_mavens(
    bulk: Bulk,
    members: Members,
    forums: Forums,
    ideas: Ideas,
    ledger: Ledger,
    states: dict[int, PenaltyState],
    timeline: Timeline,
) -> int:
    """Maven scores of the most reputable members, then each category's top members
    named this month's Market Mavens (with the badge), then the badge holder counts;
    returns the rows written."""
    ranked = sorted(range(members.first_id, members.last_id + 1), key=lambda u: -ledger.totals[u])
    scored = ranked[: max(20, members.count // 100)]
    compute_scores(scored, timeline.end_datetime)
    db.session.flush()
    chosen = _top_per_category(states)
    count = len(scored) + _designate(bulk, chosen, forums, ideas, ledger, timeline)
    bulk.execute(
        f"INSERT INTO {BadgeCount.__tablename__} (badge_key, holders) "  # noqa: S608
        "SELECT badge_key, count(*) FROM badge_award WHERE revoked_at IS NULL "
        "GROUP BY badge_key"
    )
    return count


def _top_per_category(states: dict[int, PenaltyState]) -> list[tuple[int, str, int]]:
    """(member, category type, id) of each category's best maven scores, as
    ``designate-mavens`` chooses them: no suspended member, ties to the lower id."""
    rows = db.session.execute(
        select(MavenScore.user_id, MavenScore.category_type, MavenScore.category_id)
        .where(MavenScore.category_type != "", MavenScore.score > 0)
        .order_by(
            MavenScore.category_type,
            MavenScore.category_id,
            MavenScore.score.desc(),
            MavenScore.user_id,
        )
    ).all()
    chosen: list[tuple[int, str, int]] = []
    per_category: dict[tuple[str, int], int] = {}
    for user, kind, category_id in rows:
        state = states.get(user)
        if state is not None and state.suspended_until is not None:
            continue
        taken = per_category.get((kind, category_id), 0)
        if taken < MAVENS_PER_CATEGORY:
            per_category[(kind, category_id)] = taken + 1
            chosen.append((user, kind, category_id))
    return chosen


def _designate(
    bulk: Bulk,
    chosen: list[tuple[int, str, int]],
    forums: Forums,
    ideas: Ideas,
    ledger: Ledger,
    timeline: Timeline,
) -> int:
    """This month's designations and the Market Maven badge for those without it."""
    month = timeline.end_datetime.date().replace(day=1)
    stamp = timeline.stamp(timeline.end)
    count = bulk.insert(
        MavenDesignation,
        names("id user_id category_type category_id month granted_at"),
        [(i, u, k, c, month.isoformat(), stamp) for i, (u, k, c) in enumerate(chosen, start=1)],
    )
    labels = {("product", i + 1): p[0] for i, p in enumerate(ideas.products)}
    labels.update({("forum_category", i + 1): c.name for i, c in enumerate(forums.categories)})
    held = {(user, key) for _when, user, key in ledger.awards}
    awards, reasons = [], {}
    first_id = len(ledger.awards) + 1
    for user, kind, category_id in chosen:
        if (user, "market_maven") in held:
            continue
        held.add((user, "market_maven"))
        label = labels[(kind, category_id)]
        reasons[first_id + len(awards)] = f"Market Maven of {label}, {month:%B %Y}"
        awards.append((timeline.end, user, "market_maven"))
    return count + write_awards(bulk, timeline, awards, first_id, reasons)


def write_manifest(
    bulk: Bulk,
    members: Members,
    forums: Forums,
    ledger: Ledger,
    timeline: Timeline,
    audit_id: int,
    name: str,
    seed: int,
) -> dict[str, Any]:
    """The audit entry that says what was seeded: scale-targets reads it."""
    top = max(range(members.first_id, members.last_id + 1), key=lambda u: (ledger.totals[u], -u))
    details = {
        "scale": name,
        "seed": seed,
        "today": timeline.end_datetime.date().isoformat(),
        "category": BIG,
        "topic_id": forums.known_topic,
        "profile": username_of(top),
        "search": SEARCH_WORD,
    }
    bulk.insert(
        AuditEntry,
        ["id", "actor_id", "action", "subject_type", "subject_id", "details", "created_at"],
        [
            (
                audit_id,
                members.admin_id,
                MANIFEST_ACTION,
                None,
                None,
                json.dumps(details),
                timeline.stamp(timeline.end),
            )
        ],
    )
    return details


def read_manifest() -> dict[str, Any] | None:
    """What seed-scale wrote about the dataset, or None when it did not seed this one."""
    details = db.session.scalar(
        select(AuditEntry.details)
        .where(AuditEntry.action == MANIFEST_ACTION, AuditEntry.actor_id.is_not(None))
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    return details if isinstance(details, dict) and "scale" in details else None
