"""Who voted for which idea, and when: the author's own vote first, then distinct
members, activity-weighted, more on ideas the team moved along, until the idea closed; a
merged duplicate's votes go to its merge record and, where the member had not voted for
the target, onto the target. Also each member's open votes (the budget's count), as
``ideas recount`` defines them."""

from __future__ import annotations

import random
from array import array
from typing import TYPE_CHECKING

from community.ideas.models import CLOSED_STATUSES, IdeaStatus
from community.scale.members import Members
from community.scale.sizes import allocate

if TYPE_CHECKING:  # the plan's shape; ``ideas`` imports this module to plan its votes
    from community.scale.ideas import Ideas, Merge

CLOSED = frozenset(s.value for s in CLOSED_STATUSES)
# Ideas the team moved along draw more votes.
VOTE_PULL = {
    IdeaStatus.OPEN.value: 1.0,
    IdeaStatus.UNDER_REVIEW.value: 2.0,
    IdeaStatus.PLANNED.value: 3.0,
    IdeaStatus.IN_PROGRESS.value: 3.0,
    IdeaStatus.SHIPPED.value: 3.0,
    IdeaStatus.DECLINED.value: 0.7,
}
MAX_WEIGHT = 400.0
# Importance 1, 2 (cumulative; 3 the rest); proxy votes recorded by the team.
_IMPORTANCE = (0.35, 0.80)
PROXY_SHARE = 0.01


def plan_votes(
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


def count_open_votes(ideas: Ideas, members: Members) -> None:
    """Each member's own votes on ideas that are not closed (the budget's count)."""
    counts: list[int | None] = [None] * (members.last_id + 1)
    for index, status in enumerate(ideas.status):
        counted = status not in CLOSED
        for user, proxy in zip(ideas.v_user[index], ideas.v_proxy[index], strict=True):
            if not proxy:
                counts[user] = (counts[user] or 0) + counted
    ideas.open_votes = counts


__all__ = ["count_open_votes", "plan_votes"]
