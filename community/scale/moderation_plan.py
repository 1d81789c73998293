"""Flags, the review queue's decisions and penalties, simulated in time order with the
app's own rules (flag weights from each flagger's record, the hide threshold, the
escalating penalty lengths), so the stored queue, the flagger records, the hidden
content and the audit log say what the services would have written."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from community.forums.services.common import POST_KIND, TOPIC_KIND
from community.moderation import risk
from community.moderation.models import FlagReason, FlagStatus, PenaltyKind
from community.moderation.services import flags as flag_rules
from community.moderation.services.penalties import SILENCE_DAYS, SUSPENSION_DAYS
from community.moderation.services.queue import RESOLUTION_APPROVED, RESOLUTION_HIDDEN
from community.scale.forum_plan import Forums
from community.scale.members import Members
from community.scale.timeline import DAY, Timeline

# The review queue holds the items flagged in the last PENDING_DAYS, at least PENDING_MIN
# (more than a queue page, so the queue page is full at every size).
PENDING_DAYS = 14
PENDING_MIN = 40
HIDE_SHARE = 0.4
PENALTY_SHARE = 0.3
_REASONS = [r.value for r in FlagReason]
_REASON_CUMULATIVE = (0.30, 0.55, 0.85, 0.90, 1.0)
_OTHER_TEXTS = ("Looks copied from another site.", "Personal details of someone else.")
HIDE_REASONS = (
    "Advertising, not a contribution.",
    "Rude to another member.",
    "Off-topic here; please start a new topic.",
    "Repeated the same text in several topics.",
)
PENALTY_REASONS = ("Please keep it friendly.", "Repeated advertising.", "Ignored earlier warnings.")


@dataclass
class Item:
    kind: str
    subject_id: int
    author: int
    post_id: int
    flags: list[int] = field(default_factory=list)
    id: int = 0
    weight: float = 0.0
    hidden: bool = False
    auto_hidden: bool = False
    resolved: tuple[int, int, str] | None = None  # (when, by, resolution)
    risk: tuple[int, list[dict[str, Any]]] = (0, [])


@dataclass
class Moderation:
    items: list[Item] = field(default_factory=list)
    # [item index, flagger, reason, text, weight, status, when], as they were planned
    flags: list[list[Any]] = field(default_factory=list)
    records: dict[int, list[int]] = field(default_factory=dict)  # flagger -> [agreed, dismissed]
    # (when, actor, action, subject type, subject id, details)
    audit: list[tuple[int, int | None, str, str, int, dict]] = field(default_factory=list)
    # (user, actor, kind, reason, item index, when, ends, acknowledged)
    penalties: list[tuple] = field(default_factory=list)
    # (when, flagger, kind, subject id): the "flag_agreed" reputation
    agreed: list[tuple[int, int, str, int]] = field(default_factory=list)


def plan_moderation(
    rng: random.Random,
    forums: Forums,
    members: Members,
    timeline: Timeline,
    flag_count: int,
    spared: set[int],
) -> Moderation:
    """About ``flag_count`` flags on public posts; hides and restores land in ``forums``.
    Members in ``spared`` (the bench's writers) get no penalty."""
    plan = Moderation()
    _choose_items(rng, plan, forums, members, timeline, flag_count)
    _simulate(rng, plan, forums, members, timeline, spared)
    return plan


def _choose_items(
    rng: random.Random,
    plan: Moderation,
    forums: Forums,
    members: Members,
    timeline: Timeline,
    flag_count: int,
) -> None:
    protected = forums.protected_posts()
    post_total = len(forums.p_topic)
    flaggers = sorted(
        rng.sample(range(members.first_id, members.last_id + 1), max(8, members.count // 50))
    )
    latest = timeline.end - 2 * 3_600
    chosen: set[int] = set()
    placed = 0
    for _attempt in range(flag_count * 20):
        if placed >= flag_count:
            break
        post_id = 1 + int(rng.random() * post_total)
        author = forums.p_author[post_id - 1]
        if post_id in chosen or post_id in protected or author in members.staff:
            continue
        if not forums.is_public_post(post_id) or forums.p_time[post_id - 1] >= latest:
            continue
        chosen.add(post_id)
        first = forums.p_number[post_id - 1] == 1
        topic_id = forums.p_topic[post_id - 1]
        item = Item(
            TOPIC_KIND if first else POST_KIND, topic_id if first else post_id, author, post_id
        )
        wanted = 1 + (rng.random() < 0.45) + (rng.random() < 0.3)
        start = forums.p_time[post_id - 1]
        for _try in range(wanted * 4):
            if len(item.flags) >= wanted:
                break
            when = min(latest, start + 1 + int(rng.expovariate(1.0) * 2 * DAY))
            flagger = flaggers[int(rng.random() * len(flaggers))]
            if flagger == author or members.joined[flagger] > when:
                continue
            if any(plan.flags[f][1] == flagger for f in item.flags):
                continue
            reason = _REASONS[_pick(rng, _REASON_CUMULATIVE)]
            text = rng.choice(_OTHER_TEXTS) if reason == FlagReason.OTHER.value else ""
            item.flags.append(len(plan.flags))
            plan.flags.append([len(plan.items), flagger, reason, text, 0.0, "open", when])
        if item.flags:
            item.flags.sort(key=lambda f: plan.flags[f][6])
            plan.items.append(item)
            placed += len(item.flags)


def _pick(rng: random.Random, cumulative: tuple[float, ...]) -> int:
    roll = rng.random()
    return next(i for i, edge in enumerate(cumulative) if roll < edge)


def _simulate(
    rng: random.Random,
    plan: Moderation,
    forums: Forums,
    members: Members,
    timeline: Timeline,
    spared: set[int],
) -> None:
    """Flags and reviews in time order: weights, auto-hides, decisions, penalties."""
    cutoff = _pending_since(plan, timeline)
    moments: list[tuple[int, int, int]] = []  # (when, 0 flag / 1 review, index)
    for index, flag in enumerate(plan.flags):
        moments.append((flag[6], 0, index))
    for index, item in enumerate(plan.items):
        last = max(plan.flags[f][6] for f in item.flags)
        decided = last + 60 + int(rng.expovariate(1.0) * DAY / 2)
        if last < cutoff and decided < timeline.end - 60:
            moments.append((decided, 1, index))
    moments.sort()
    threshold = flag_rules.hide_threshold()
    against: dict[int, int] = {}  # author -> agreed flags so far
    for when, what, index in moments:
        if what == 0:
            _flag(plan, forums, index, when, threshold, against)
        else:
            _review(rng, plan, forums, members, index, when, against, spared)


def _pending_since(plan: Moderation, timeline: Timeline) -> int:
    """Items last flagged from this moment on still wait in the queue: those of the last
    PENDING_DAYS, and at least a queue page's worth."""
    last_flags = sorted(max(plan.flags[f][6] for f in item.flags) for item in plan.items)
    if not last_flags:
        return 0
    recent = timeline.end - PENDING_DAYS * DAY
    return min(recent, last_flags[max(0, len(last_flags) - PENDING_MIN)])


def _flag(
    plan: Moderation, forums: Forums, index: int, when: int, threshold: float, against: dict
) -> None:
    flag = plan.flags[index]
    item = plan.items[flag[0]]
    agreed, dismissed = plan.records.get(flag[1], (0, 0))
    flag[4] = flag_rules.weight_for(agreed, dismissed)
    item.weight = (0.0 if item.resolved else item.weight) + flag[4]
    item.risk = _risk(item.weight, against.get(item.author, 0))
    if not item.hidden and item.weight >= threshold:
        reason = item_reason(plan, item)
        text = _(
            "flagged as “%(reason)s” by members; waiting for the team's review",
            reason=flag_rules.reason_label(reason),
        )
        _hide(plan, forums, item, when, None, text, {"by": "community_flags"})
        item.auto_hidden = True


def item_reason(plan: Moderation, item: Item) -> str:
    """The first flag's reason: what the queue filters by."""
    return plan.flags[item.flags[0]][2]


def _risk(weight: float, agreed_against: int) -> tuple[int, list[dict[str, Any]]]:
    reasons = []
    if agreed_against:
        points = min(risk.AGREED_FLAG_MAX_POINTS, risk.AGREED_FLAG_POINTS * agreed_against)
        reasons.append(risk.Reason("agreed_flags", points, agreed_against))
    points = min(risk.FLAG_WEIGHT_MAX_POINTS, round(risk.FLAG_WEIGHT_POINTS * weight))
    reasons.append(risk.Reason("flag_weight", points, round(weight, 2)))
    return min(risk.MAX_SCORE, sum(r.points for r in reasons)), [r.stored() for r in reasons]


def _hide(
    plan: Moderation,
    forums: Forums,
    item: Item,
    when: int,
    actor: int | None,
    text: str,
    extra: dict,
) -> None:
    hidden = forums.hidden_topics if item.kind == TOPIC_KIND else forums.hidden_posts
    hidden[item.subject_id] = (when, text)
    item.hidden = True
    action = "forum.topic.hide" if item.kind == TOPIC_KIND else "forum.post.hide"
    plan.audit.append((when, actor, action, item.kind, item.subject_id, {"reason": text, **extra}))


def _review(
    rng: random.Random,
    plan: Moderation,
    forums: Forums,
    members: Members,
    index: int,
    when: int,
    against: dict,
    spared: set[int],
) -> None:
    item = plan.items[index]
    actor = members.team_id if rng.random() < 0.8 else members.admin_id
    open_flags = [f for f in item.flags if plan.flags[f][5] == FlagStatus.OPEN.value]
    details = {"kind": item.kind, "subject_id": item.subject_id, "source": "flagged"}
    if rng.random() < HIDE_SHARE:
        reason = rng.choice(HIDE_REASONS)
        if not item.hidden:
            _hide(plan, forums, item, when, actor, reason, {})
        _settle(plan, open_flags, True, when)
        against[item.author] = against.get(item.author, 0) + len(open_flags)
        item.resolved = (when, actor, RESOLUTION_HIDDEN)
        plan.audit.append(
            (
                when,
                actor,
                "review.hide",
                "review_item",
                index,
                {**details, "reason": reason, "flags_agreed": len(open_flags)},
            )
        )
        if item.author not in spared and rng.random() < PENALTY_SHARE:
            _penalize(rng, plan, item, index, actor, when + 120)
        return
    restored = item.auto_hidden and item.hidden
    if restored:
        hidden = forums.hidden_topics if item.kind == TOPIC_KIND else forums.hidden_posts
        del hidden[item.subject_id]
        item.hidden = False
        action = "forum.topic.restore" if item.kind == TOPIC_KIND else "forum.post.restore"
        plan.audit.append((when, actor, action, item.kind, item.subject_id, {}))
    _settle(plan, open_flags, False, when)
    item.resolved = (when, actor, RESOLUTION_APPROVED)
    item.auto_hidden = False
    plan.audit.append(
        (
            when,
            actor,
            "review.approve",
            "review_item",
            index,
            {**details, "restored": restored, "flags_dismissed": len(open_flags)},
        )
    )


def _settle(plan: Moderation, flag_indexes: list[int], agreed: bool, when: int) -> None:
    status = FlagStatus.AGREED.value if agreed else FlagStatus.DISMISSED.value
    for f in flag_indexes:
        flag = plan.flags[f]
        flag[5] = status
        record = plan.records.setdefault(flag[1], [0, 0])
        record[0 if agreed else 1] += 1
        if agreed:
            item = plan.items[flag[0]]
            plan.agreed.append((when, flag[1], item.kind, item.subject_id))


def _penalize(
    rng: random.Random, plan: Moderation, item: Item, index: int, actor: int, when: int
) -> None:
    roll = rng.random()
    kind = (
        PenaltyKind.WARN
        if roll < 0.7
        else PenaltyKind.SILENCE
        if roll < 0.9
        else PenaltyKind.SUSPEND
    )
    reason = rng.choice(PENALTY_REASONS)
    details: dict[str, Any] = {"reason": reason}
    ends = acknowledged = None
    if kind == PenaltyKind.WARN:
        acknowledged = when + 60 + int(rng.expovariate(1.0) * DAY)
    else:
        steps = SILENCE_DAYS if kind == PenaltyKind.SILENCE else SUSPENSION_DAYS
        earlier = sum(1 for p in plan.penalties if p[0] == item.author and p[2] == kind.value)
        days = steps[min(earlier, len(steps) - 1)]
        ends = when + days * DAY
        details.update(days=days, default_days=days, until=ends)
    plan.penalties.append((item.author, actor, kind.value, reason, index, when, ends, acknowledged))
    # The audit entry is completed (penalty and item ids) when the rows are written.
    plan.audit.append(
        (
            when,
            actor,
            f"penalty.{kind.value}",
            "user_account",
            item.author,
            {**details, "penalty": len(plan.penalties) - 1},
        )
    )
