"""The reputation ledger, day by day in time order, with what ``reputation rebuild``
recomputes from it: members' totals, category totals, daily roll-ups (one row per
member, day and category that has events, as the rebuild counts them), the period
roll-ups of the maven boards (weeks and months from the days, years from the months, all
time from the years; settled, with their ladders) and the daily cap counters. Automatic
badges are awarded at the event that earns them, as the ledger's ``after_event`` does.

Where the events come from is ``ledger_sources`` (the ideas' events: ``ledger_ideas``).
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections import Counter
from dataclasses import dataclass, field

from community.reputation.badges import RULES_BY_REASON, TENURE_BADGES
from community.reputation.models import (
    PERIOD_KINDS,
    BadgeAward,
    CategoryReputation,
    DailyReputation,
    PeriodLadder,
    PeriodReputation,
    ReputationDay,
    ReputationEvent,
    period_key,
)
from community.reputation.rules import DAILY_CAP, RULES
from community.scale.bulk import Bulk, names
from community.scale.forum_plan import Forums
from community.scale.idea_extras import IdeaExtras, first_idea_awards
from community.scale.ideas import Ideas
from community.scale.ledger_ideas import IdeaEvents
from community.scale.ledger_sources import (
    EventSources,
    Queued,
    future_events,
    future_per_day,
)
from community.scale.members import Members
from community.scale.moderation_plan import Moderation
from community.scale.timeline import DAY, Timeline

FLUSH = 50_000
EVENT_COLUMNS = names(
    "id user_id reason requested points subject_type subject_id actor_id category_type "
    "category_id day created_at reverses_id"
)
PERIOD_COLUMNS = names("period starts_on category_type category_id user_id points counted_points")
LADDER_COLUMNS = names("period starts_on category_type category_id points members")
_TENURE = tuple((badge.key, badge.rule.days * DAY) for badge in TENURE_BADGES)  # type: ignore[union-attr]


@dataclass
class Ledger:
    totals: list[int]  # by user id
    awards: list[tuple[int, int, str]] = field(default_factory=list)  # (when, user, badge)
    events: int = 0
    rows: int = 0


class _Day:
    """The roll-ups of one day: per (member, category) points, per member cap use."""

    def __init__(self) -> None:
        self.points: dict[tuple[int, int], int] = {}
        self.capped: dict[int, list[int]] = {}


class _Period:
    """The open period of one kind: its ``starts_on`` and per (member, category index)
    points, where category 0 (no category) holds the member's overall points."""

    def __init__(self, starts_on: str) -> None:
        self.starts_on = starts_on
        self.points: dict[tuple[int, int], int] = {}

    def add(self, points: dict[tuple[int, int], int], overall: bool) -> None:
        """Add (member, category) points; ``overall``: they are per category and also
        count in the member's overall row."""
        mine = self.points
        for key, value in points.items():
            if overall:
                user, cat = key
                if cat:
                    mine[key] = mine.get(key, 0) + value
                key = (user, 0)
            mine[key] = mine.get(key, 0) + value


def run_ledger(
    bulk: Bulk,
    rng: random.Random,
    forums: Forums,
    moderation: Moderation,
    ideas: Ideas,
    extras: IdeaExtras,
    members: Members,
    timeline: Timeline,
    total: int,
) -> Ledger:
    """Write about ``total`` events with their roll-ups; returns totals and awards."""
    # By index: no category, then each product (index = product id), then the forum
    # categories that are not a product's.
    categories = [("", 0)] + [("product", i + 1) for i in range(len(ideas.products))]
    forum_category = []
    for index, spec in enumerate(forums.categories):
        if spec.product is not None:
            forum_category.append(1 + spec.product)
        else:
            categories.append(("forum_category", index + 1))
            forum_category.append(len(categories) - 1)
    sources = EventSources(forums, moderation, forum_category)
    idea_events = IdeaEvents(ideas, extras)
    future = max(0, total - sources.count() - idea_events.count())
    writer = _Writer(bulk, timeline, categories, members, sources)
    per_day = future_per_day(future, timeline)
    for day in range(timeline.days):
        heap = sources.take(day)
        heap += idea_events.take(day, sources.next_order)
        heap += future_events(rng, members, timeline, day, per_day[day])
        heapq.heapify(heap)
        writer.run_day(day, heap)
    writer.add_awards(first_idea_awards(ideas))
    writer.finish()
    return writer.ledger


class _Writer:
    """Assigns ids in time order, applies the daily cap, keeps the roll-ups, writes."""

    def __init__(
        self,
        bulk: Bulk,
        timeline: Timeline,
        categories: list,
        members: Members,
        sources: EventSources,
    ) -> None:
        self.bulk, self.timeline, self.categories = bulk, timeline, categories
        self.members, self.sources = members, sources
        self.ledger = Ledger(totals=[0] * (members.last_id + 1))
        self.category_points: dict[tuple[int, int], int] = {}
        self.standing: dict[tuple[int, str], int] = {}
        self.held: set[tuple[int, str]] = set()
        self.next_id = 1
        self.periods: dict[str, _Period] = {}
        self.buffers: dict[type, list[tuple]] = {
            ReputationEvent: [],
            DailyReputation: [],
            ReputationDay: [],
            PeriodReputation: [],
            PeriodLadder: [],
        }

    def run_day(self, day: int, heap: list[Queued]) -> None:
        """Every event of one day in time order, then the day's roll-ups."""
        today = _Day()
        date = self.timeline.day_date(day)
        while heap:
            queued = heapq.heappop(heap)
            event_id, points = self._record(queued, date, today)
            changed = queued[8]
            if changed >= 0:  # a kudos whose reaction later turned negative
                reversal = self.sources.reversal(queued, event_id, points)
                if changed // DAY == day:
                    heapq.heappush(heap, reversal)
                else:
                    self.sources.later.setdefault(changed // DAY, []).append(reversal)
        self._close_day(date, today)

    def _record(self, queued: Queued, date: str, today: _Day) -> tuple[int, int]:
        """One event: its points after the daily cap, the totals it moves, its badges;
        returns its id and points."""
        when, _order, reason, user, actor, s_type, s_id, cat, _changed, reverses, undo = queued
        rule = RULES[reason]
        event_id = self.next_id
        self.next_id += 1
        if reverses:
            requested, points = -rule.points, -undo
        else:
            requested = points = rule.points
            if rule.capped and requested > 0:
                used = today.capped.setdefault(user, [0, 0])
                points = min(requested, DAILY_CAP - used[0])
                used[0] += points
                used[1] = points
        cat_type, cat_id = self.categories[cat]
        row = (event_id, user, reason, requested, points, s_type, s_id, actor, cat_type, cat_id)
        self.buffers[ReputationEvent].append(
            (*row, date, self.timeline.stamp(when), reverses or None)
        )
        self.ledger.totals[user] += points
        key = (user, cat)
        today.points[key] = today.points.get(key, 0) + points
        if cat:
            self.category_points[key] = self.category_points.get(key, 0) + points
        self._badges(user, reason, when, reverses)
        return event_id, points

    def _badges(self, user: int, reason: str, when: int, reverses: int) -> None:
        key = (user, reason)
        if reverses:
            if key in self.standing:
                self.standing[key] -= 1
            return
        badges = RULES_BY_REASON.get(reason)
        if badges:
            self.standing[key] = self.standing.get(key, 0) + 1
            for badge in badges:
                if (user, badge.key) not in self.held and self.standing[key] >= badge.rule.at_least:
                    self._award(when, user, badge.key)
        for badge_key, age in _TENURE:
            if (user, badge_key) not in self.held and when - self.members.joined[user] >= age:
                self._award(when, user, badge_key)

    def add_awards(self, awards: list[tuple[int, int, str]]) -> None:
        """Badges earned outside the ledger's events (when, member, badge), kept in time
        order among the others."""
        self.held.update((user, key) for _when, user, key in awards)
        self.ledger.awards = sorted(self.ledger.awards + awards, key=lambda award: award[0])

    def _award(self, when: int, user: int, badge_key: str) -> None:
        self.held.add((user, badge_key))
        self.ledger.awards.append((when, user, badge_key))

    def _close_day(self, date: str, today: _Day) -> None:
        categories = self.categories
        self.buffers[DailyReputation].extend(
            (user, date, *categories[cat], points) for (user, cat), points in today.points.items()
        )
        self.buffers[ReputationDay].extend(
            (user, date, used, last) for user, (used, last) in today.capped.items()
        )
        self._add_to_periods(dt.date.fromisoformat(date), today.points)
        for model, rows in self.buffers.items():
            if len(rows) >= FLUSH:
                self._flush(model)

    def _add_to_periods(self, day: dt.date, points: dict[tuple[int, int], int]) -> None:
        """A day into its week and month; a month that ends goes into its year, a year
        into all time (``reputation rebuild`` adds them up the same way)."""
        for kind in PERIOD_KINDS:
            starts_on = period_key(kind, day).isoformat()
            period = self.periods.get(kind)
            if period is not None and period.starts_on != starts_on:
                self._close_period(kind)
            if kind not in self.periods:
                self.periods[kind] = _Period(starts_on)
        self.periods["week"].add(points, overall=True)
        self.periods["month"].add(points, overall=True)

    def _close_period(self, kind: str) -> None:
        """Write a period's rows (settled) and its ladders; a month or year also goes
        into the next larger period."""
        period = self.periods.pop(kind)
        larger = {"month": "year", "year": "all"}.get(kind)
        if larger is not None:  # open: periods close smallest first
            self.periods[larger].add(period.points, overall=False)
        categories = self.categories
        rows = sorted(
            (categories[cat], user, points) for (user, cat), points in period.points.items()
        )
        self.buffers[PeriodReputation].extend(
            (kind, period.starts_on, *category, user, points, points)
            for category, user, points in rows
        )
        counts: dict[tuple[str, int], Counter[int]] = {}
        for category, _user, points in rows:
            if points > 0:
                counts.setdefault(category, Counter())[points] += 1
        ladder = self.buffers[PeriodLadder]
        for category, counted in counts.items():
            members = 0
            for points in sorted(counted, reverse=True):
                members += counted[points]
                ladder.append((kind, period.starts_on, *category, points, members))

    def _flush(self, model: type) -> None:
        rows = self.buffers[model]
        columns = {
            ReputationEvent: EVENT_COLUMNS,
            DailyReputation: ["user_id", "day", "category_type", "category_id", "points"],
            ReputationDay: ["user_id", "day", "capped_points", "last_grant"],
            PeriodReputation: PERIOD_COLUMNS,
            PeriodLadder: LADDER_COLUMNS,
        }[model]
        written = self.bulk.insert(model, columns, rows)
        self.ledger.rows += written
        if model is ReputationEvent:
            self.ledger.events += written
        rows.clear()

    def finish(self) -> None:
        for kind in PERIOD_KINDS:  # smaller first: each goes into the next
            if kind in self.periods:
                self._close_period(kind)
        for model in list(self.buffers):
            self._flush(model)
        categories = self.categories
        rows = [
            (user, *categories[cat], points)
            for (user, cat), points in sorted(self.category_points.items())
        ]
        columns = ["user_id", "category_type", "category_id", "points"]
        self.ledger.rows += self.bulk.insert(CategoryReputation, columns, rows)
        self.ledger.rows += write_awards(self.bulk, self.timeline, self.ledger.awards, 1)


def write_awards(
    bulk: Bulk,
    timeline: Timeline,
    awards: list[tuple[int, int, str]],
    first_id: int,
    reasons: dict[int, str] | None = None,
) -> int:
    """Automatic badge awards (ids from ``first_id``, in the order given)."""
    rows = [
        (award_id, user, key, timeline.stamp(when), (reasons or {}).get(award_id, ""))
        for award_id, (when, user, key) in enumerate(awards, start=first_id)
    ]
    return bulk.insert(BadgeAward, ["id", "user_id", "badge_key", "awarded_at", "reason"], rows)
