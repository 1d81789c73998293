"""Posts and their search entries, written together chunk by chunk (entry id = post id):
the first post's entry stands for its topic, hidden posts and the posts of hidden
topics are hidden in search, focus groups' entries carry their scope."""

from __future__ import annotations

import random

from community.core.search import FTS_TABLE, SearchEntry
from community.forums.models import Post
from community.forums.services.common import POST_KIND, TOPIC_KIND
from community.forums.services.visibility import FOCUS_SCOPE
from community.scale.bulk import Bulk, names
from community.scale.forum_plan import Forums
from community.scale.timeline import Timeline
from community.scale.words import Texts, html_of, markdown_of, plain_of

CHUNK = 20_000
# The SQLite trigger that copies each new search entry into the full-text index.
SEARCH_TRIGGER = "search_entry_ai"


def topic_title(forums: Forums, texts: Texts, topic_id: int) -> str:
    if topic_id == forums.known_topic:
        return "Scale check: a topic of exactly twenty posts"
    return texts.titles[forums.t_title[topic_id - 1] % len(texts.titles)]


def write_posts(
    bulk: Bulk, rng: random.Random, forums: Forums, texts: Texts, timeline: Timeline
) -> int:
    """Posts and their search entries (entry id = post id), chunk by chunk."""
    stamp = timeline.stamp
    scopes = [
        FOCUS_SCOPE.format(i + 1) if c.private else None for i, c in enumerate(forums.categories)
    ]
    post_columns = names(
        "id topic_id author_id number reply_to_post_id body_source body_html created_at "
        "reaction_count is_official hidden_at hidden_reason"
    )
    search_columns = names("id kind subject_id scope is_hidden title body created_at")
    official = set(forums.official.values())
    total = len(forums.p_topic)
    count = 0
    # SQLite: the full-text index is built once from the entries, not row by row.
    triggers = bulk.drop_triggers([SEARCH_TRIGGER])
    for start in range(0, total, CHUNK):
        posts, entries = [], []
        for index in range(start, min(start + CHUNK, total)):
            post_id, topic_id = index + 1, forums.p_topic[index]
            paragraphs = texts.paragraphs(rng)
            hidden = forums.hidden_posts.get(post_id)
            created = stamp(forums.p_time[index])
            number = forums.p_number[index]
            posts.append(
                (
                    post_id,
                    topic_id,
                    forums.p_author[index],
                    number,
                    forums.p_reply_to[index] or None,
                    markdown_of(paragraphs),
                    html_of(paragraphs),
                    created,
                    forums.p_reactions[index],
                    post_id in official,
                    stamp(hidden[0]) if hidden else None,
                    hidden[1] if hidden else None,
                )
            )
            scope = scopes[forums.t_category[topic_id - 1]]
            is_hidden = hidden is not None or topic_id in forums.hidden_topics
            if number == 1:
                title = topic_title(forums, texts, topic_id)
                entries.append(
                    (
                        post_id,
                        TOPIC_KIND,
                        topic_id,
                        scope,
                        is_hidden,
                        title,
                        plain_of(paragraphs),
                        created,
                    )
                )
            else:
                entries.append(
                    (
                        post_id,
                        POST_KIND,
                        post_id,
                        scope,
                        is_hidden,
                        "",
                        plain_of(paragraphs),
                        created,
                    )
                )
        count += bulk.insert(Post, post_columns, posts)
        count += bulk.insert(SearchEntry, search_columns, entries)
    if triggers:
        bulk.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")  # noqa: S608
        bulk.create_triggers(triggers)
    return count
