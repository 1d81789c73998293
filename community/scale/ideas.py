"""The ideas portal's shape, planned in memory: products beyond the forums' four, ideas
(ids in creation order) with their status histories, votes (distinct members per idea,
activity-weighted, over the timeline), comments (ids in time order across ideas), tags
and merges of duplicates. Every stored counter is computed here as ``ideas recount``
defines it (``community/ideas/services/recount.py``); ``ideas_rows`` writes the rows.

Reputation for idea votes and shipped ideas stays with the ledger's stand-in events
(``ledger_sources.FUTURE_RULES``): linking them to these ideas needs the ledger to read
this plan (see ``Ideas.vote_times``).
"""

from __future__ import annotations

import random
from array import array
from bisect import bisect
from dataclasses import dataclass, field
from math import sqrt

from community.ideas.models import CLOSED_STATUSES, IdeaStatus
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
# Ideas the team moved along draw more votes.
VOTE_PULL = {OPEN: 1.0, REVIEW: 2.0, PLANNED: 3.0, PROGRESS: 3.0, SHIPPED: 3.0, DECLINED: 0.7}
MAX_WEIGHT = 400.0
# Importance 1, 2 (cumulative; 3 the rest); proxy votes recorded by the team.
_IMPORTANCE = (0.35, 0.80)
PROXY_SHARE = 0.01
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

    def vote_times(self) -> list[tuple[int, int, int]]:
        """(when, idea id, voter) of every vote on another member's idea, on the idea it
        was cast on (a merge moves votes, not what they earned), by time: what the
        ledger would need for "idea_upvoted" events."""
        votes = []
        for index in range(self.count):
            own = self.cast_here(index + 1)
            cast = zip(self.v_user[index][:own], self.v_time[index][:own], strict=True)
            votes += [(when, index + 1, user) for user, when in cast]
        for merge in self.merges:
            votes += [(when, merge.source, user) for user, _i, _p, when, _m in merge.votes]
        votes = [vote for vote in votes if vote[2] != self.author[vote[1] - 1]]
        votes.sort()
        return votes


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
    _votes(rng, ideas, scale.idea_votes, members, closes)
    _comments(rng, ideas, scale.idea_comments, members, end)
    _open_votes(ideas, members)
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


def _votes(
    rng: random.Random, ideas: Ideas, total: int, members: Members, closes: list[int]
) -> None:
    """About ``total`` votes: the author's own first, then distinct members who had
    joined by then, until the idea closed. Duplicates are planned before their targets,
    whose members do not vote for both after the merge (the service would refuse it)."""
    n = ideas.count
    weights = [
        min(rng.paretovariate(1.3) * VOTE_PULL.get(status, 1.0), MAX_WEIGHT)
        for status in ideas.status
    ]
    wanted = [1 + w for w in _capped(max(0, total - n), weights, max(1, members.count // 4))]
    sources = [m.source - 1 for m in ideas.merges]
    order = sources + [i for i in range(n) if i + 1 not in ideas.merged_into]
    for index in order:
        merge = ideas.merges[ideas.received[index + 1]] if index + 1 in ideas.received else None
        barred = {v[0] for v in merge.votes} if merge is not None else set()
        _vote_on(rng, ideas, index, wanted[index], members, closes[index], merge, barred)
        if index + 1 in ideas.merged_into:
            _merge_votes(ideas, ideas.merges[ideas.merged_into[index + 1]])
    for merge in ideas.merges:
        target = merge.target - 1
        on_target = set(ideas.v_user[target])
        merge.votes = [(*vote[:4], vote[0] not in on_target) for vote in merge.votes]
        for user, importance, proxy, when, moved in merge.votes:
            if moved:
                ideas.v_user[target].append(user)
                ideas.v_time[target].append(when)
                ideas.v_importance[target].append(importance)
                ideas.v_proxy[target].append(proxy)


def _capped(total: int, weights: list[float], most: int) -> list[int]:
    """``allocate`` with no part above ``most``: what the biggest would get beyond it goes
    to the others (a quarter of the members at most: distinct voters stay easy to find)."""
    fixed: dict[int, int] = {}
    while True:
        free = [i for i in range(len(weights)) if i not in fixed]
        parts = allocate(total - most * len(fixed), [weights[i] for i in free])
        over = [i for i, part in zip(free, parts, strict=True) if part > most]
        if not over or len(fixed) + len(over) == len(weights):
            result = dict(zip(free, parts, strict=True))
            return [min(most, fixed.get(i, result.get(i, 0))) for i in range(len(weights))]
        fixed.update((i, most) for i in over)


def _vote_on(
    rng: random.Random,
    ideas: Ideas,
    index: int,
    wanted: int,
    members: Members,
    close: int,
    merge: Merge | None,
    barred: set[int],
) -> None:
    author, start = ideas.author[index], ideas.created[index]
    users, times = ideas.v_user[index], ideas.v_time[index]
    importance, proxy = ideas.v_importance[index], ideas.v_proxy[index]
    users.append(author)
    times.append(start)
    importance.append(2)
    proxy.append(0)
    seen = {author}
    room = max(1, close - start - 1)
    barred_from = merge.when if merge is not None else close
    random_, pick = rng.random, members.pick  # 2,000,000 votes at large: locals
    low, middle = _IMPORTANCE
    for _attempt in range(wanted * 3 + 5):
        if len(seen) >= wanted:
            break
        when = start + 1 + int(room * random_() ** 2)
        user = pick(rng, when, author)
        if user in seen or (when >= barred_from and user in barred):
            continue
        seen.add(user)
        users.append(user)
        times.append(when)
        roll = random_()
        importance.append(1 if roll < low else 2 if roll < middle else 3)
        proxy.append(random_() < PROXY_SHARE)


def _merge_votes(ideas: Ideas, merge: Merge) -> None:
    """The duplicate's votes go to the merge record (``moved`` decided once its target's
    votes are planned); the duplicate keeps none."""
    index = merge.source - 1
    merge.votes = [
        (user, importance, bool(proxy), when, False)
        for user, when, importance, proxy in zip(
            ideas.v_user[index],
            ideas.v_time[index],
            ideas.v_importance[index],
            ideas.v_proxy[index],
            strict=True,
        )
    ]
    ideas.v_user[index], ideas.v_time[index] = array("i"), array("i")
    ideas.v_importance[index], ideas.v_proxy[index] = bytearray(), bytearray()


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


def _open_votes(ideas: Ideas, members: Members) -> None:
    """Each member's own votes on ideas that are not closed (the budget's count)."""
    counts: list[int | None] = [None] * (members.last_id + 1)
    for index, status in enumerate(ideas.status):
        counted = status not in CLOSED
        for user, proxy in zip(ideas.v_user[index], ideas.v_proxy[index], strict=True):
            if not proxy:
                counts[user] = (counts[user] or 0) + counted
    ideas.open_votes = counts


__all__ = ["Ideas", "Merge", "plan_ideas"]
