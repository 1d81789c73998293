"""The ideas portal's shape, planned in memory: products beyond the forums' four, ideas
(ids in creation order) with their status histories, comments (ids in time order across
ideas), tags and merges of duplicates; their votes are planned by ``idea_votes``. Every
stored counter is computed here as ``ideas recount`` defines it
(``community/ideas/services/recount.py``); ``ideas_rows`` writes the rows and
``ledger_ideas`` derives the reputation the votes and shipped ideas earned.
"""

from __future__ import annotations

import random
from array import array
from bisect import bisect
from dataclasses import dataclass, field
from math import sqrt

from community.ideas.models import CLOSED_STATUSES, IdeaStatus
from community.scale.idea_votes import count_open_votes, plan_votes
from community.scale.members import Members
from community.scale.sizes import Scale, allocate
from community.scale.timeline import DAY, Timeline
from community.scale.words import PRODUCTS, TAGS

OPEN = IdeaStatus.OPEN.value
REVIEW = IdeaStatus.UNDER_REVIEW.value
PLANNED = IdeaStatus.PLANNED.value
PROGRESS = IdeaStatus.IN_PROGRESS.value
SHIPPED = IdeaStatus.SHIPPED.value
DECLINED = IdeaStatus.DECLINED.value
MERGED = IdeaStatus.MERGED.value
CLOSED = frozenset(s.value for s in CLOSED_STATUSES)
# Shares of the final statuses (open takes the rest); every status at every size.
STATUS_SHARES = (
    (REVIEW, 0.08),
    (PLANNED, 0.06),
    (PROGRESS, 0.04),
    (SHIPPED, 0.07),
    (DECLINED, 0.04),
    (MERGED, 0.01),
)
# How each final status was reached (one path is drawn per idea).
PATHS = {
    OPEN: ((),),
    REVIEW: ((REVIEW,),),
    PLANNED: ((REVIEW, PLANNED), (PLANNED,)),
    PROGRESS: ((REVIEW, PLANNED, PROGRESS), (PLANNED, PROGRESS)),
    SHIPPED: ((REVIEW, PLANNED, PROGRESS, SHIPPED), (PLANNED, PROGRESS, SHIPPED)),
    DECLINED: ((REVIEW, DECLINED), (DECLINED,)),
}
OFFICIAL_SHARE = {True: 0.3, False: 0.02}  # of comments, on ideas the team moved or not
PINNED_SHARE = 0.5
AUTHOR_REPLIES = 0.25  # of comments: by the idea's author

# Products after the forums' four: (kind, grouping, model letter).
PRODUCT_KINDS = (
    ("Photo frame", "Hardware", "F"),
    ("Scanner", "Hardware", "S"),
    ("Lens kit", "Accessories", "L"),
    ("Camera strap", "Accessories", "C"),
    ("Editing plug-in", "Apps", "E"),
    ("Print service", "Services", "P"),
    ("Storage box", "Accessories", "B"),
    ("Album app", "Apps", "A"),
)
FEATURES = (
    "a dark mode", "batch export", "offline albums", "shared family albums", "RAW support",
    "a print queue", "face grouping", "smart search", "two-factor login",
    "a battery saving mode", "HEIC import", "custom presets", "a calendar view",
    "backups over wifi only", "a duplicate finder", "a map of places",
    "photo book templates", "glossy paper profiles", "print previews", "keyboard shortcuts",
    "a slideshow maker", "video trimming", "metadata editing", "sorting albums by date",
    "a Linux version", "bulk tagging", "colour calibration", "a timeline view",
    "sharing links that expire", "larger thumbnails",
)  # fmt: skip
TITLE_PATTERNS = (
    "Add {f} to the {p}",
    "Please support {f} in the {p}",
    "{p}: {f}",
    "Bring {f} to the {p}",
    "Make {f} possible in the {p}",
)


@dataclass
class Merge:
    source: int
    target: int
    when: int
    source_status: str
    # (member, importance, proxy, when, moved): the duplicate's votes when merged.
    votes: list[tuple[int, int, bool, int, bool]] = field(default_factory=list)


@dataclass
class Ideas:
    products: list[tuple[str, str, str]]  # (name, grouping, description), by id - 1
    # Ideas, by id - 1.
    product: list[int]
    author: list[int]
    created: list[int]
    title: list[str]
    status: list[str]
    # (when, from, to) of each idea's status changes, oldest first.
    changes: list[list[tuple[int, str, str]]]
    tags: list[tuple[int, ...]]  # indexes into words.TAGS
    # The votes each idea has at the end (a merge's moved votes included): parallel arrays.
    v_user: list[array]
    v_time: list[array]
    v_importance: list[bytearray]
    v_proxy: list[bytearray]
    merges: list[Merge] = field(default_factory=list)  # by merge id - 1
    merged_into: dict[int, int] = field(default_factory=dict)  # idea id -> merge index
    received: dict[int, int] = field(default_factory=dict)  # target idea id -> merge index
    # Comments, by id - 1 (time order): the idea they are on at the end, the one they
    # were written on, author, time, official.
    c_idea: list[int] = field(default_factory=list)
    c_origin: list[int] = field(default_factory=list)
    c_author: list[int] = field(default_factory=list)
    c_time: list[int] = field(default_factory=list)
    c_official: list[bool] = field(default_factory=list)
    pinned: dict[int, int] = field(default_factory=dict)  # idea id -> comment id
    # By member id: own (not proxy) votes on ideas not closed; None: never voted.
    open_votes: list[int | None] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.author)

    def cast_here(self, idea_id: int) -> int:
        """How many of the idea's votes were cast on it: the first ones (the votes a
        merge moved to it come last)."""
        votes = len(self.v_user[idea_id - 1])
        if idea_id not in self.received:
            return votes
        return votes - sum(vote[4] for vote in self.merges[self.received[idea_id]].votes)

    def votes_cast_on(self, idea_id: int) -> list[tuple[int, int]]:
        """(when, member) of the votes cast on the idea itself, in the order planned (the
        author's own first): a merged duplicate's from its merge record, none that a
        merge moved to it."""
        if idea_id in self.merged_into:
            merge = self.merges[self.merged_into[idea_id]]
            return [(when, user) for user, _i, _p, when, _m in merge.votes]
        own, index = self.cast_here(idea_id), idea_id - 1
        return list(zip(self.v_time[index][:own], self.v_user[index][:own], strict=True))


def plan_ideas(rng: random.Random, scale: Scale, members: Members, timeline: Timeline) -> Ideas:
    """Products, ideas, statuses, merges, votes and comments of the given size."""
    n = scale.ideas
    end = timeline.end - 1
    span = end - timeline.content_start - 2 * 3_600
    created = sorted(timeline.content_start + int(span * sqrt(rng.random())) for _ in range(n))
    products = _products(scale.products)
    product_cumulative, total = [], 0.0
    for product_id in range(1, len(products) + 1):
        total += (product_id + 2) ** -0.9
        product_cumulative.append(total)
    product = [1 + bisect(product_cumulative, rng.random() * total) for _ in range(n)]
    tag_cumulative = [sum(1.0 / (r + 3) for r in range(i + 1)) for i in range(len(TAGS))]
    ideas = Ideas(
        products=products,
        product=product,
        author=[members.pick(rng, at) for at in created],
        created=created,
        title=[_title(rng, products[p - 1][0]) for p in product],
        status=_statuses(rng, n),
        changes=[[] for _ in range(n)],
        tags=[_tags(rng, tag_cumulative) for _ in range(n)],
        v_user=[array("i") for _ in range(n)],
        v_time=[array("i") for _ in range(n)],
        v_importance=[bytearray() for _ in range(n)],
        v_proxy=[bytearray() for _ in range(n)],
    )
    closes = _histories(rng, ideas, end)
    _plan_merges(rng, ideas, closes, end)
    plan_votes(rng, ideas, scale.idea_votes, members, closes)
    _comments(rng, ideas, scale.idea_comments, members, end)
    count_open_votes(ideas, members)
    return ideas


def _products(count: int) -> list[tuple[str, str, str]]:
    products = [(name, group, d) for _slug, name, group, d in PRODUCTS]
    for product_id in range(len(products) + 1, count + 1):
        kind, group, letter = PRODUCT_KINDS[product_id % len(PRODUCT_KINDS)]
        name = f"{kind} {letter}{product_id}"
        products.append((name, group, f"The {name}, model year {2020 + product_id % 7}."))
    return products


def _title(rng: random.Random, product: str) -> str:
    title = rng.choice(TITLE_PATTERNS).format(f=rng.choice(FEATURES), p=product)
    return title[0].upper() + title[1:]


def _tags(rng: random.Random, cumulative: list[float]) -> tuple[int, ...]:
    count = 1 + int(rng.random() * 3) if rng.random() < 0.8 else 0
    return tuple(sorted({bisect(cumulative, rng.random() * cumulative[-1]) for _ in range(count)}))


def _statuses(rng: random.Random, n: int) -> list[str]:
    """Final statuses in exact shares: merged ones among the newer half (their target is
    an older idea)."""
    counts = {status: max(1, round(share * n)) for status, share in STATUS_SHARES}
    merged = counts.pop(MERGED)
    statuses = [s for s, c in counts.items() for _ in range(c)]
    statuses += [OPEN] * (n - len(statuses))
    rng.shuffle(statuses)
    newer_open = [i for i in range(n // 2, n) if statuses[i] == OPEN]
    for index in rng.sample(newer_open, merged):
        statuses[index] = MERGED
    return statuses


def _histories(rng: random.Random, ideas: Ideas, end: int) -> list[int]:
    """Each idea's status changes; returns when each stops taking votes (closed or the
    end of the timeline; merges are set by ``_plan_merges``)."""
    closes = []
    for index, status in enumerate(ideas.status):
        start = ideas.created[index]
        steps = rng.choice(PATHS.get(status, ((),)))
        gaps = [1 + int(rng.expovariate(1.0) * 20 * DAY) for _ in steps]
        room = end - start - len(steps) - 1
        if sum(gaps) > room:
            gaps = [1 + gap * room // sum(gaps) for gap in gaps]
        when, previous = start, OPEN
        for gap, step in zip(gaps, steps, strict=True):
            when += gap
            ideas.changes[index].append((when, previous, step))
            previous = step
        closes.append(when if status in CLOSED else end)
    return closes


def _plan_merges(rng: random.Random, ideas: Ideas, closes: list[int], end: int) -> None:
    """Each merged idea goes into an older idea that still takes votes, of the same
    product when one is found; a target takes one duplicate."""
    taken: set[int] = set()
    by_product: dict[int, list[int]] = {}
    for index, product in enumerate(ideas.product):
        by_product.setdefault(product, []).append(index)
    for index, status in enumerate(ideas.status):
        if status != MERGED:
            continue
        same = [i for i in by_product[ideas.product[index]] if i < index]
        candidates = same if any(_can_take(ideas, i, taken) for i in same) else range(index)
        older = [i for i in candidates if _can_take(ideas, i, taken)]
        target = older[int(rng.random() * len(older))]
        taken.add(target)
        start = ideas.created[index]
        when = min(end - 1, start + 60 + int(rng.expovariate(1.0) * 7 * DAY))
        ideas.changes[index].append((when, OPEN, MERGED))
        closes[index] = when
        ideas.merged_into[index + 1] = len(ideas.merges)
        ideas.received[target + 1] = len(ideas.merges)
        ideas.merges.append(Merge(index + 1, target + 1, when, OPEN))


def _can_take(ideas: Ideas, index: int, taken: set[int]) -> bool:
    return ideas.status[index] not in CLOSED and index not in taken


def _comments(rng: random.Random, ideas: Ideas, total: int, members: Members, end: int) -> None:
    """``total`` comments, more on ideas with more votes; the team answers on ideas it
    moved along (one such answer pinned now and then). A duplicate's comments were
    written before its merge and moved to the target."""
    weights = [0.5 + sqrt(len(users)) for users in ideas.v_user]
    for merge in ideas.merges:
        weights[merge.source - 1] = 0.5 + sqrt(len(merge.votes))
    planned = []
    for index, count in enumerate(allocate(total, weights)):
        start, author = ideas.created[index], ideas.author[index]
        merge = (
            ideas.merges[ideas.merged_into[index + 1]] if index + 1 in ideas.merged_into else None
        )
        until = merge.when if merge is not None else end
        official_share = OFFICIAL_SHARE[bool(ideas.changes[index]) and merge is None]
        for _ in range(count):
            when = start + 1 + int(max(1, until - start - 1) * rng.random() ** 1.5)
            roll = rng.random()
            if roll < official_share:
                user, official = members.team_id, True
            elif roll < official_share + AUTHOR_REPLIES:
                user, official = author, False
            else:
                user, official = members.pick(rng, when), False
            final = merge.target if merge is not None else index + 1
            planned.append((when, index + 1, final, user, official))
    planned.sort()
    for comment_id, (when, origin, final, user, official) in enumerate(planned, start=1):
        ideas.c_idea.append(final)
        ideas.c_origin.append(origin)
        ideas.c_author.append(user)
        ideas.c_time.append(when)
        ideas.c_official.append(official)
        if official and origin == final and origin not in ideas.pinned:
            if rng.random() < PINNED_SHARE:
                ideas.pinned[origin] = comment_id
            else:
                ideas.pinned[origin] = 0  # decided: not pinned
    ideas.pinned = {idea: c for idea, c in ideas.pinned.items() if c}


__all__ = ["Ideas", "Merge", "plan_ideas"]
