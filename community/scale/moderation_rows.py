"""The moderation rows from the plan: review items, flags, flagger records, penalties and
the audit log, and the penalty state each member row carries."""

from __future__ import annotations

import json
from dataclasses import dataclass

from community.moderation.models import (
    AuditEntry,
    Flag,
    FlaggerRecord,
    Penalty,
    PenaltyKind,
    ReviewItem,
    ReviewStatus,
)
from community.scale.bulk import Bulk, names
from community.scale.moderation_plan import Moderation, item_reason
from community.scale.timeline import Timeline


@dataclass
class PenaltyState:
    """What a member row says about their running penalties at the end of the timeline."""

    silenced_until: int | None = None
    suspended_until: int | None = None
    suspension_reason: str | None = None
    unacknowledged_warnings: int = 0


def write_moderation(
    bulk: Bulk, plan: Moderation, timeline: Timeline
) -> tuple[int, dict[int, PenaltyState], int]:
    """Rows written, each penalised member's state, and the next audit entry id."""
    flags = sorted(plan.flags, key=lambda flag: flag[6])
    first_flag: dict[int, int] = {}
    for flag in flags:
        first_flag.setdefault(flag[0], flag[6])
    order = sorted(range(len(plan.items)), key=lambda i: (first_flag[i], i))
    item_ids = {index: item_id for item_id, index in enumerate(order, start=1)}
    count = _review_items(bulk, plan, timeline, order, first_flag)
    count += bulk.insert(
        Flag,
        names("id kind subject_id flagger_id reason text weight status created_at"),
        [
            (
                flag_id,
                plan.items[f[0]].kind,
                plan.items[f[0]].subject_id,
                f[1],
                f[2],
                f[3],
                f[4],
                f[5],
                timeline.stamp(f[6]),
            )
            for flag_id, f in enumerate(flags, start=1)
        ],
    )
    count += bulk.insert(
        FlaggerRecord,
        ["user_id", "agreed", "dismissed"],
        [(user, agreed, dismissed) for user, (agreed, dismissed) in sorted(plan.records.items())],
    )
    count += _penalties(bulk, plan, timeline, item_ids)
    written, next_audit = _audit(bulk, plan, timeline, item_ids)
    return count + written, _states(plan, timeline), next_audit


def _review_items(
    bulk: Bulk, plan: Moderation, timeline: Timeline, order: list[int], first_flag: dict
) -> int:
    stamp = timeline.stamp
    rows = []
    for item_id, index in enumerate(order, start=1):
        item = plan.items[index]
        when, by, resolution = item.resolved or (None, None, None)
        score, reasons = item.risk
        rows.append(
            (
                item_id,
                item.kind,
                item.subject_id,
                item.author,
                (ReviewStatus.RESOLVED if item.resolved else ReviewStatus.PENDING).value,
                "flagged",
                item_reason(plan, item),
                round(item.weight, 4),
                score,
                json.dumps(reasons),
                item.auto_hidden,
                False,
                stamp(first_flag[index]),
                stamp(when),
                by,
                resolution,
            )
        )
    columns = names(
        "id kind subject_id author_id status source reason flag_weight risk_score risk_reasons "
        "auto_hidden author_edited queued_at resolved_at resolved_by_id resolution"
    )
    return bulk.insert(ReviewItem, columns, rows)


def _acknowledged(timeline: Timeline, when: int | None) -> int | None:
    return when if when is not None and when < timeline.end else None


def _penalties(bulk: Bulk, plan: Moderation, timeline: Timeline, item_ids: dict) -> int:
    stamp = timeline.stamp
    rows = [
        (
            penalty_id,
            user,
            actor,
            kind,
            reason,
            item_ids[item],
            stamp(when),
            stamp(ends),
            stamp(_acknowledged(timeline, acknowledged)),
        )
        for penalty_id, (user, actor, kind, reason, item, when, ends, acknowledged) in enumerate(
            plan.penalties, start=1
        )
    ]
    columns = names(
        "id user_id actor_id kind reason review_item_id created_at ends_at acknowledged_at"
    )
    return bulk.insert(Penalty, columns, rows)


def _audit(bulk: Bulk, plan: Moderation, timeline: Timeline, item_ids: dict) -> tuple[int, int]:
    entries = sorted(enumerate(plan.audit), key=lambda pair: (pair[1][0], pair[0]))
    rows = []
    for entry_id, (_n, (when, actor, action, s_type, s_id, details)) in enumerate(entries, 1):
        details = dict(details)
        if s_type == "review_item":
            s_id = item_ids[s_id]
        if "penalty" in details:
            index = details.pop("penalty")
            details["penalty_id"] = index + 1
            details["review_item_id"] = item_ids[plan.penalties[index][4]]
        if "until" in details:
            details["until"] = timeline.datetime(details["until"]).isoformat()
        rows.append(
            (entry_id, actor, action, s_type, s_id, json.dumps(details), timeline.stamp(when))
        )
    columns = ["id", "actor_id", "action", "subject_type", "subject_id", "details", "created_at"]
    return bulk.insert(AuditEntry, columns, rows), len(rows) + 1


def _states(plan: Moderation, timeline: Timeline) -> dict[int, PenaltyState]:
    """Penalties still running when the timeline ends, as the member rows keep them."""
    states: dict[int, PenaltyState] = {}
    for user, _actor, kind, reason, _item, _when, ends, acknowledged in plan.penalties:
        state = states.setdefault(user, PenaltyState())
        if kind == PenaltyKind.WARN.value:
            if _acknowledged(timeline, acknowledged) is None:
                state.unacknowledged_warnings += 1
        elif ends is not None and ends > timeline.end:
            if kind == PenaltyKind.SILENCE.value:
                state.silenced_until = max(ends, state.silenced_until or 0)
            else:
                state.suspended_until = max(ends, state.suspended_until or 0)
                state.suspension_reason = reason
    return states
