"""Forum fragments rendered through ``core/memo.py``: a topic's row in a category list.

The arguments are everything the row shows (a new reply, a rename, a tag, the viewer's
unread count make a new key), so a busy category renders each row once per process and
language until something in it changes.
"""

from __future__ import annotations

from typing import Any

from community.core import memo
from community.forums import bp
from community.forums.views.helpers import first_unread_url
from community.reputation.chips import user_chip


@bp.app_template_global()
def topic_row(row: Any, category: Any) -> Any:
    """The list row of ``row`` (a ``listing.TopicRow``) in ``category``."""
    t = row.topic
    last_chip = None
    if t.reply_count and t.last_poster_id:
        last_chip = user_chip(t.last_poster, show_role=False, show_rank=False)
    return memo.render(
        memo.macro("_memo/forums.html", "topic_row"),
        t.id,
        t.slug,
        t.title,
        (t.is_pinned, t.is_locked, t.is_solved, t.is_hidden),
        tuple(tag.name for tag in t.tags),
        category.slug,
        user_chip(t.author, show_rank=False),
        t.created_at,
        t.reply_count,
        t.reaction_count,
        t.last_posted_at,
        last_chip,
        row.unread,
        row.is_new,
        first_unread_url(t, row.unread) if row.unread and not row.is_new else None,
    )
