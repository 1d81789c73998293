"""The forums' shape, planned in memory before a row is written: categories, topics,
posts (ids in time order across topics, as a live forum numbers them), reactions and
accepted answers. Only ids, times and counts live here; text comes with the rows."""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass, field
from math import sqrt

from community.forums.models import DEFAULT_REACTIONS, CategoryKind
from community.scale.members import Members
from community.scale.sizes import Scale, allocate
from community.scale.timeline import DAY, Timeline


@dataclass(frozen=True)
class CategorySpec:
    slug: str
    name: str
    description: str
    kind: str
    share: float
    product: int | None  # index into text.PRODUCTS
    private: bool = False


BIG = "general"
CATEGORIES = (
    CategorySpec(
        BIG, "General discussion", "Say hello, share your work.", "discussion", 0.45, None
    ),
    CategorySpec(
        "photo-app-help",
        "Photo app questions",
        "Ask how to do something.",
        CategoryKind.QA.value,
        0.20,
        0,
    ),
    CategorySpec(
        "printer", "Photo printer P1", "Tips, tricks and troubles.", "discussion", 0.15, 2
    ),
    CategorySpec(
        "backup-help",
        "Cloud backup questions",
        "Backups, restores, storage.",
        CategoryKind.QA.value,
        0.10,
        1,
    ),
    CategorySpec("feedback", "Feedback", "Tell the team what you think.", "discussion", 0.08, None),
    CategorySpec(
        "beta-testers",
        "Beta testers",
        "A focus group trying features first.",
        "discussion",
        0.02,
        None,
        private=True,
    ),
)
REACTION_NAMES = tuple(name for name, *_rest in DEFAULT_REACTIONS)
POSITIVE = frozenset(name for name, _l, _e, positive, _p in DEFAULT_REACTIONS if positive)
_REACTION_CUMULATIVE = (0.60, 0.75, 0.87, 1.0)  # like, thanks, insightful, confused
CHANGED_SHARE = 0.25  # of "confused": first a "like", changed later (kudos reversed)
KNOWN_TOPIC_POSTS = 20
_TIME_SHIFT, _TOPIC_SHIFT = 40, 21
_TOPIC_MASK, _NUMBER_MASK = (1 << 19) - 1, (1 << 21) - 1


@dataclass
class Forums:
    categories: tuple[CategorySpec, ...]
    # Topics, by id - 1.
    t_category: list[int]
    t_author: list[int]
    t_created: list[int]
    t_title: list[int]  # index into Texts.titles
    t_posts: list[list[int]]  # post ids in number order
    t_tags: list[tuple[int, ...]]
    known_topic: int
    # Posts, by id - 1.
    p_topic: list[int] = field(default_factory=list)
    p_number: list[int] = field(default_factory=list)
    p_author: list[int] = field(default_factory=list)
    p_time: list[int] = field(default_factory=list)
    p_reply_to: list[int] = field(default_factory=list)  # 0: none
    p_reactions: list[int] = field(default_factory=list)
    pinned: set[int] = field(default_factory=set)
    locked: set[int] = field(default_factory=set)
    official: dict[int, int] = field(default_factory=dict)  # topic id -> pinned post id
    accepted: dict[int, int] = field(default_factory=dict)  # topic id -> post id
    # (when accepted, answerer, post id, asker, topic id)
    answers: list[tuple[int, int, int, int, int]] = field(default_factory=list)
    # (time, post id, member, reaction index, when changed to it or -1), by time.
    reactions: list[tuple[int, int, int, int, int]] = field(default_factory=list)
    reaction_counts: list[tuple[int, str, int]] = field(default_factory=list)
    # Set by moderation: id -> (when, reason).
    hidden_topics: dict[int, tuple[int, str]] = field(default_factory=dict)
    hidden_posts: dict[int, tuple[int, str]] = field(default_factory=dict)

    def category_of_post(self, post_id: int) -> int:
        return self.t_category[self.p_topic[post_id - 1] - 1]

    def is_public_post(self, post_id: int) -> bool:
        return not self.categories[self.category_of_post(post_id)].private

    def protected_posts(self) -> set[int]:
        """Posts moderation leaves alone: the known topic, answers, official replies."""
        kept = set(self.t_posts[self.known_topic - 1])
        kept.update(self.accepted.values(), self.official.values())
        return kept


def plan_forums(rng: random.Random, scale: Scale, members: Members, timeline: Timeline) -> Forums:
    """Topics, posts and reactions of the given size, numbers exact."""
    categories = CATEGORIES
    topic_categories = _spread(rng, [c.share for c in categories], scale.topics)
    span = timeline.end - timeline.content_start - 2 * 3_600
    created = sorted(
        timeline.content_start + int(span * sqrt(rng.random())) for _ in topic_categories
    )
    authors = [members.pick(rng, at) for at in created]
    big = next(i for i, c in enumerate(categories) if c.slug == BIG)
    aim = timeline.end - 20 * DAY
    known = min(
        (i for i, c in enumerate(topic_categories) if c == big),
        key=lambda i: (abs(created[i] - aim), i),
    )
    forums = Forums(
        categories=categories,
        t_category=topic_categories,
        t_author=authors,
        t_created=created,
        t_title=[rng.randrange(1 << 30) for _ in created],
        t_posts=[],
        t_tags=[],
        known_topic=known + 1,
    )
    replies = _replies_per_topic(rng, scale.posts - scale.topics, len(created), known)
    _place_posts(rng, forums, replies, members, timeline)
    _mark_topics(rng, forums, members, timeline)
    _add_reactions(rng, forums, scale.reactions, members, timeline)
    return forums


def _spread(rng: random.Random, shares: list[float], n: int) -> list[int]:
    """``n`` items over buckets in exactly these shares (largest remainders), shuffled."""
    raw = [share * n / sum(shares) for share in shares]
    counts = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: counts[i] - raw[i])[: n - sum(counts)]:
        counts[i] += 1
    items = [bucket for bucket, count in enumerate(counts) for _ in range(count)]
    rng.shuffle(items)
    return items


def _replies_per_topic(rng: random.Random, total: int, topics: int, known: int) -> list[int]:
    """Replies per topic: a heavy tail (a few long threads), ``total`` in all; the known
    topic has exactly KNOWN_TOPIC_POSTS posts."""
    weights = [min(rng.paretovariate(1.6), 150.0) for _ in range(topics)]
    weights[known] = 0.0
    replies = allocate(total - (KNOWN_TOPIC_POSTS - 1), weights)
    replies[known] = KNOWN_TOPIC_POSTS - 1
    return replies


def _place_posts(
    rng: random.Random, forums: Forums, replies: list[int], members: Members, timeline: Timeline
) -> None:
    """Every post's time, then ids in time order across all topics, then authors."""
    keys = []
    end = timeline.end - 1
    for index, count in enumerate(replies):
        start = forums.t_created[index]
        keys.append((start << _TIME_SHIFT) | (index << _TOPIC_SHIFT) | 1)
        if not count:
            continue
        length = max(2, min(end - start, int(rng.expovariate(1.0) * 2 * DAY * sqrt(count + 1))))
        times = sorted(start + 1 + int(rng.random() * length) for _ in range(count))
        for number, at in enumerate(times, start=2):
            keys.append((at << _TIME_SHIFT) | (index << _TOPIC_SHIFT) | number)
    keys.sort()
    forums.t_posts = [[0] * (count + 1) for count in replies]
    p_topic, p_number, p_author, p_time, p_reply_to = [], [], [], [], []
    for post_id, key in enumerate(keys, start=1):
        at, index, number = (
            key >> _TIME_SHIFT,
            (key >> _TOPIC_SHIFT) & _TOPIC_MASK,
            key & _NUMBER_MASK,
        )
        thread = forums.t_posts[index]
        thread[number - 1] = post_id
        # The asker answers now and then; anyone else who had joined by then replies.
        asker = forums.t_author[index]
        author = asker if number == 1 or rng.random() < 0.15 else members.pick(rng, at)
        reply_to = 0
        if number > 2 and rng.random() < 0.25:
            reply_to = thread[int(rng.random() * (number - 1))]
        p_topic.append(index + 1)
        p_number.append(number)
        p_author.append(author)
        p_time.append(at)
        p_reply_to.append(reply_to)
    forums.p_topic, forums.p_number, forums.p_author = p_topic, p_number, p_author
    forums.p_time, forums.p_reply_to = p_time, p_reply_to


def _mark_topics(rng: random.Random, forums: Forums, members: Members, timeline: Timeline) -> None:
    """Pinned, locked, official team replies, accepted answers and tags."""
    from community.scale.words import TAGS

    known = forums.known_topic
    by_category: dict[int, list[int]] = {}
    for topic_id, category in enumerate(forums.t_category, start=1):
        by_category.setdefault(category, []).append(topic_id)
    for topic_ids in by_category.values():
        forums.pinned.update(t for t in topic_ids[:2] if t != known)
    tag_cumulative = [sum(1.0 / (r + 2) for r in range(i + 1)) for i in range(len(TAGS))]
    end = timeline.end - 1
    for topic_id in range(1, len(forums.t_category) + 1):
        posts = forums.t_posts[topic_id - 1]
        spec = forums.categories[forums.t_category[topic_id - 1]]
        count = 1 + int(rng.random() * 2.6) if rng.random() < 0.7 else 0
        picked = {bisect(tag_cumulative, rng.random() * tag_cumulative[-1]) for _ in range(count)}
        forums.t_tags.append(tuple(sorted(picked)))
        if topic_id == known:
            continue
        if rng.random() < 0.01:
            forums.locked.add(topic_id)
        if len(posts) >= 3 and not spec.private and rng.random() < 0.02:
            post_id = posts[1 + int(rng.random() * (len(posts) - 1))]
            forums.p_author[post_id - 1] = members.team_id
            forums.official[topic_id] = post_id
        asker = forums.t_author[topic_id - 1]
        if spec.kind == CategoryKind.QA.value and len(posts) >= 2 and rng.random() < 0.45:
            answers = [
                p for p in posts[1:6] if forums.p_author[p - 1] not in (asker, members.team_id)
            ]
            if answers:
                post_id = answers[int(rng.random() * len(answers))]
                at = min(end, forums.p_time[post_id - 1] + 1 + int(rng.expovariate(1.0) * DAY))
                forums.accepted[topic_id] = post_id
                answerer = forums.p_author[post_id - 1]
                forums.answers.append((at, answerer, post_id, asker, topic_id))
    forums.answers.sort()


def _add_reactions(
    rng: random.Random, forums: Forums, total: int, members: Members, timeline: Timeline
) -> None:
    """``total`` reactions, first posts drawing more; one per member per post, never the
    author's own; per-post and per-reaction counts as a recount gives them."""
    weights = [rng.expovariate(1.0) * (2.0 if n == 1 else 1.0) for n in forums.p_number]
    most = max(0, members.count - 2)
    reactions: list[tuple[int, int, int, int, int]] = []
    counts: list[tuple[int, str, int]] = []
    per_post = []
    for index, wanted in enumerate(allocate(total, weights)):
        names = _react_to(rng, forums, index + 1, min(wanted, most), members, timeline, reactions)
        per_post.append(sum(names))
        counts.extend((index + 1, REACTION_NAMES[k], n) for k, n in enumerate(names) if n)
    reactions.sort()
    forums.reactions, forums.reaction_counts, forums.p_reactions = reactions, counts, per_post


def _react_to(
    rng: random.Random,
    forums: Forums,
    post_id: int,
    wanted: int,
    members: Members,
    timeline: Timeline,
    reactions: list[tuple[int, int, int, int, int]],
) -> list[int]:
    """Up to ``wanted`` reactions on one post by distinct members who had joined by
    then; returns how many of each reaction."""
    author, at = forums.p_author[post_id - 1], forums.p_time[post_id - 1]
    end = timeline.end - 1
    seen: set[int] = set()
    names = [0, 0, 0, 0]
    for _attempt in range(wanted * 3 + 5):
        if len(seen) >= wanted:
            break
        when = min(end, at + 1 + int(rng.expovariate(1.0) * DAY))
        user_id = members.pick(rng, when, author)
        if user_id in seen or user_id == author:
            continue
        seen.add(user_id)
        kind = bisect(_REACTION_CUMULATIVE, rng.random())
        changed = -1
        if kind == 3 and rng.random() < CHANGED_SHARE:
            changed = min(end, when + 1 + int(rng.expovariate(1.0) * 7_200))
        names[kind] += 1
        reactions.append((when, post_id, user_id, kind, changed))
    return names
