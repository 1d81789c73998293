"""The forums' rows from the plan, with every stored counter computed as ``forums
recount`` defines it: visible posts and reactions per topic, visible topics and posts per
category, the latest visible post and topic, visible topics per tag."""

from __future__ import annotations

import random

from community.catalog.models import Product
from community.forums.models import (
    FocusGroupMember,
    ForumCategory,
    PostReactionCount,
    Reaction,
    Tag,
    Topic,
    TopicTag,
    TopicUser,
)
from community.forums.services.topics import slugify
from community.scale.bulk import Bulk, names
from community.scale.forum_plan import REACTION_NAMES, Forums
from community.scale.forum_posts import topic_title, write_posts
from community.scale.members import Members
from community.scale.timeline import Timeline
from community.scale.words import PRODUCTS, TAGS, Texts

LEVEL_TRACKING = 2


def write_forums(
    bulk: Bulk,
    rng: random.Random,
    forums: Forums,
    members: Members,
    texts: Texts,
    timeline: Timeline,
) -> int:
    """Every forum row; returns how many."""
    stamp = timeline.stamp
    count = bulk.insert(
        Product,
        names("id slug name description_source description_html category created_at"),
        [
            (i, slug, name, d, f"<p>{d}</p>\n", group, stamp(0))
            for i, (slug, name, group, d) in enumerate(PRODUCTS, start=1)
        ],
    )
    topic_rows, category_totals = _topics(forums, texts, timeline)
    count += _categories(bulk, forums, category_totals, timeline)
    count += _focus_group(bulk, rng, forums, members, timeline)
    count += _tags(bulk, forums)
    count += bulk.insert(Topic, TOPIC_COLUMNS, topic_rows)
    count += bulk.insert(
        TopicTag,
        ["topic_id", "tag_id"],
        [(t, tag + 1) for t, tags in enumerate(forums.t_tags, start=1) for tag in tags],
    )
    count += write_posts(bulk, rng, forums, texts, timeline)
    count += bulk.insert(
        Reaction,
        ["post_id", "user_id", "name", "created_at"],
        (
            (post, user, REACTION_NAMES[kind], stamp(when))
            for when, post, user, kind, _changed in forums.reactions
        ),
    )
    count += bulk.insert(PostReactionCount, ["post_id", "name", "count"], forums.reaction_counts)
    count += _read_state(bulk, rng, forums, members, timeline)
    return count


TOPIC_COLUMNS = names(
    "id category_id author_id title slug created_at last_posted_at last_post_id last_poster_id "
    "highest_number post_count reaction_count is_pinned is_locked accepted_post_id "
    "pinned_official_post_id hidden_at hidden_reason"
)


def _topics(forums: Forums, texts: Texts, timeline: Timeline):
    """Topic rows with their counters, and per category [topics, posts, latest]."""
    stamp, hidden_posts = timeline.stamp, forums.hidden_posts
    totals = [[0, 0, None] for _ in forums.categories]
    rows = []
    for topic_id, posts in enumerate(forums.t_posts, start=1):
        visible = [p for p in posts if p not in hidden_posts]
        last = visible[-1]
        last_at = forums.p_time[last - 1]
        hidden = forums.hidden_topics.get(topic_id)
        category = forums.t_category[topic_id - 1]
        if hidden is None:
            total = totals[category]
            total[0] += 1
            total[1] += len(visible)
            if total[2] is None or (last_at, topic_id) > total[2]:
                total[2] = (last_at, topic_id)
        title = topic_title(forums, texts, topic_id)
        rows.append(
            (
                topic_id,
                category + 1,
                forums.t_author[topic_id - 1],
                title,
                slugify(title),
                stamp(forums.t_created[topic_id - 1]),
                stamp(last_at),
                last,
                forums.p_author[last - 1],
                len(posts),
                len(visible),
                sum(forums.p_reactions[p - 1] for p in visible),
                topic_id in forums.pinned,
                topic_id in forums.locked,
                forums.accepted.get(topic_id),
                forums.official.get(topic_id),
                stamp(hidden[0]) if hidden else None,
                hidden[1] if hidden else None,
            )
        )
    return rows, totals


def _categories(bulk: Bulk, forums: Forums, totals: list, timeline: Timeline) -> int:
    rows = []
    for index, spec in enumerate(forums.categories):
        topics, posts, latest = totals[index]
        product = spec.product + 1 if spec.product is not None else None
        rows.append(
            (
                index + 1,
                spec.slug,
                spec.name,
                spec.description,
                spec.kind,
                spec.private,
                product,
                index + 1,
                timeline.stamp(0),
                topics,
                posts,
                timeline.stamp(latest[0]) if latest else None,
                latest[1] if latest else None,
            )
        )
    columns = names(
        "id slug name description kind is_private product_id position created_at topic_count "
        "post_count last_posted_at last_topic_id"
    )
    return bulk.insert(ForumCategory, columns, rows)


def _focus_group(
    bulk: Bulk, rng: random.Random, forums: Forums, members: Members, timeline: Timeline
) -> int:
    """Members of the private categories: their topics' authors and a few more."""
    rows = []
    for index, spec in enumerate(forums.categories):
        if not spec.private:
            continue
        invited = {a for t, a in zip(forums.t_category, forums.t_author, strict=True) if t == index}
        invited.update(
            p_author
            for p_topic, p_author in zip(forums.p_topic, forums.p_author, strict=True)
            if forums.t_category[p_topic - 1] == index
        )
        invited.update(
            rng.sample(range(members.first_id, members.last_id + 1), max(2, members.count // 100))
        )
        invited -= set(members.staff)
        rows += [
            (index + 1, u, members.team_id, timeline.stamp(members.joined[u]))
            for u in sorted(invited)
        ]
    return bulk.insert(
        FocusGroupMember, ["category_id", "user_id", "invited_by_id", "created_at"], rows
    )


def _tags(bulk: Bulk, forums: Forums) -> int:
    counts = [0] * len(TAGS)
    for topic_id, tags in enumerate(forums.t_tags, start=1):
        if topic_id not in forums.hidden_topics:
            for tag in tags:
                counts[tag] += 1
    rows = [(i + 1, name, counts[i]) for i, name in enumerate(TAGS)]
    return bulk.insert(Tag, ["id", "name", "topic_count"], rows)


def _read_state(
    bulk: Bulk, rng: random.Random, forums: Forums, members: Members, timeline: Timeline
) -> int:
    """Each author tracks the topics they wrote in, read up to their last post; readers
    have read part of a topic."""
    stamp, end = timeline.stamp, timeline.end - 1

    def rows():
        for topic_id, posts in enumerate(forums.t_posts, start=1):
            mine: dict[int, int] = {}
            for post_id in posts:
                mine[forums.p_author[post_id - 1]] = post_id
            for author, post_id in mine.items():
                yield (
                    topic_id,
                    author,
                    LEVEL_TRACKING,
                    forums.p_number[post_id - 1],
                    stamp(forums.p_time[post_id - 1]),
                )
            started = forums.t_created[topic_id - 1]
            for _ in range(int(rng.expovariate(1.0) * 4)):
                when = min(end, started + 60 + int(rng.expovariate(1.0) * 3 * 86_400))
                reader = members.pick(rng, when)
                if reader in mine:
                    continue
                mine[reader] = 0
                seen = [p for p in posts if forums.p_time[p - 1] <= when] or posts[:1]
                yield (topic_id, reader, None, len(seen), stamp(when))

    columns = ["topic_id", "user_id", "level", "last_read_number", "last_read_at"]
    return bulk.insert(TopicUser, columns, rows())
