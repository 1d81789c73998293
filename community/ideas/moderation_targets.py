"""What moderation may act on in the ideas portal: ideas and their comments, registered
once at import.

"idea" is an idea (its text is its description); "idea_comment" is one comment, shown in
the queue after the idea's description and the comments just before it. Hiding and
restoring go through the ideas' own services (``services/moderating.py``), so counts,
tag counts, search entries, the audit log and the author's notification move the ideas'
way.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, union_all
from sqlalchemy.orm import joinedload

from community.accounts.models import User
from community.core.plain_text import plain_text
from community.extensions import db
from community.ideas.models import Idea, IdeaComment
from community.ideas.services import moderating
from community.ideas.services.common import COMMENT_KIND, IDEA_KIND
from community.moderation import targets
from community.moderation.targets import Target, TargetInfo
from community.reputation.sandbox import count_links

# How many earlier comments the queue shows above a comment (after the description).
CONTEXT_COMMENTS = 3

Context = tuple[tuple[str, str], ...]


def _url(endpoint: str, **values: object) -> str:
    """A path on this site, also outside a request (the CLI, a purge, the tests)."""
    if has_request_context():
        return url_for(endpoint, **values)
    adapter = current_app.url_map.bind(
        current_app.config.get("SERVER_NAME") or "localhost",
        script_name=current_app.config.get("APPLICATION_ROOT") or "/",
    )
    anchor = values.pop("_anchor", None)
    url = adapter.build(endpoint, values)
    return f"{url}#{anchor}" if anchor else url


def _author_name(user: User | None) -> str:
    return _("deleted user") if user is None or user.is_erased else user.name


def _idea_title(idea: Idea) -> str:
    return _("Idea “%(title)s”", title=idea.title)


def _comment_title(idea: Idea) -> str:
    return _("Comment on “%(title)s”", title=idea.title)


# ---------------------------------------------------------------- loading for the queue


def load_ideas(ids: set[int]) -> dict[int, TargetInfo]:
    """The ideas of ``ids`` that exist (one query)."""
    if not ids:
        return {}
    ideas = db.session.scalars(select(Idea).where(Idea.id.in_(ids)))
    return {
        idea.id: TargetInfo(
            kind=IDEA_KIND,
            subject_id=idea.id,
            author_id=idea.author_id,
            title=_idea_title(idea),
            text=plain_text(idea.body_html),
            links=count_links(idea.body_html),
            url=_url("ideas.idea", idea_id=idea.id),
            is_hidden=idea.is_hidden,
            created_at=idea.created_at,
        )
        for idea in ideas
    }


def _earlier_comments(comments: list[IdeaComment]) -> dict[int, list[IdeaComment]]:
    """Up to ``CONTEXT_COMMENTS`` visible comments before each of ``comments`` on its
    idea, oldest first, all in one query (one small index range per comment)."""
    ranges = [
        select(IdeaComment.id)
        .where(
            IdeaComment.idea_id == comment.idea_id,
            IdeaComment.id < comment.id,
            IdeaComment.hidden_at.is_(None),
        )
        .order_by(IdeaComment.id.desc())
        .limit(CONTEXT_COMMENTS)
        .subquery()
        for comment in comments
    ]
    ids = union_all(*(select(r.c.id) for r in ranges))
    earlier = list(
        db.session.scalars(
            select(IdeaComment)
            .options(joinedload(IdeaComment.author))
            .where(IdeaComment.id.in_(ids))
            .order_by(IdeaComment.id)
        )
    )
    found: dict[int, list[IdeaComment]] = {}
    for comment in comments:
        before = [e for e in earlier if e.idea_id == comment.idea_id and e.id < comment.id]
        found[comment.id] = before[-CONTEXT_COMMENTS:]
    return found


def _context(idea: Idea, earlier: list[IdeaComment]) -> Context:
    rows = [(_author_name(c.author), plain_text(c.body_html)) for c in earlier]
    if len(earlier) < CONTEXT_COMMENTS and not idea.is_hidden:
        # The thread's start is in reach: the idea's description comes first.
        rows.insert(0, (_author_name(idea.author), plain_text(idea.body_html)))
    return tuple(rows)


def load_comments(ids: set[int]) -> dict[int, TargetInfo]:
    """The comments of ``ids`` that exist, with their ideas and the comments before them
    (three queries)."""
    if not ids:
        return {}
    comments = list(db.session.scalars(select(IdeaComment).where(IdeaComment.id.in_(ids))))
    if not comments:
        return {}
    ideas = {
        idea.id: idea
        for idea in db.session.scalars(
            select(Idea)
            .options(joinedload(Idea.author))
            .where(Idea.id.in_({c.idea_id for c in comments}))
        )
    }
    earlier = _earlier_comments(comments)
    return {
        comment.id: TargetInfo(
            kind=COMMENT_KIND,
            subject_id=comment.id,
            author_id=comment.author_id,
            title=_comment_title(ideas[comment.idea_id]),
            text=plain_text(comment.body_html),
            links=count_links(comment.body_html),
            url=_url("ideas.idea", idea_id=comment.idea_id, _anchor=f"c{comment.id}"),
            is_hidden=comment.is_hidden,
            created_at=comment.created_at,
            context=_context(ideas[comment.idea_id], earlier[comment.id]),
        )
        for comment in comments
    }


# ---------------------------------------------------------------- hiding and restoring


def _idea(idea_id: int) -> Idea:
    idea = db.session.get(Idea, idea_id)
    if idea is None:
        raise LookupError(f"no idea {idea_id}")
    return idea


def _comment(comment_id: int) -> IdeaComment:
    comment = db.session.get(IdeaComment, comment_id)
    if comment is None:
        raise LookupError(f"no idea comment {comment_id}")
    return comment


# An actor of None is the community's weighted flags (or the spam check) hiding an item
# pending review.


def hide_idea(actor: User | None, idea_id: int, reason: str) -> None:
    moderating.hide_idea(actor, _idea(idea_id), reason, system=actor is None)


def restore_idea(actor: User, idea_id: int) -> None:
    moderating.restore_idea(actor, _idea(idea_id))


def hide_comment(actor: User | None, comment_id: int, reason: str) -> None:
    moderating.hide_comment(actor, _comment(comment_id), reason, system=actor is None)


def restore_comment(actor: User, comment_id: int) -> None:
    moderating.restore_comment(actor, _comment(comment_id))


def recent_texts(author_id: int, limit: int) -> list[tuple[dt.datetime, str]]:
    """The member's latest ideas and comments, newest first, as plain text."""
    ideas = db.session.execute(
        select(Idea.created_at, Idea.body_html)
        .where(Idea.author_id == author_id)
        .order_by(Idea.id.desc())
        .limit(limit)
    ).all()
    comments = db.session.execute(
        select(IdeaComment.created_at, IdeaComment.body_html)
        .where(IdeaComment.author_id == author_id)
        .order_by(IdeaComment.id.desc())
        .limit(limit)
    ).all()
    newest = sorted([*ideas, *comments], key=lambda row: row[0], reverse=True)[:limit]
    return [(created_at, plain_text(html)) for created_at, html in newest]


# Each kind hides its own part of what a member wrote: ideas, then comments. Both share
# one reader of recent texts, so the risk score reads them once.
targets.register(
    IDEA_KIND,
    Target(
        label=_l("Idea"),
        load=load_ideas,
        hide=hide_idea,
        restore=restore_idea,
        hide_all_by=moderating.hide_all_ideas_by,
        recent_texts=recent_texts,
    ),
)
targets.register(
    COMMENT_KIND,
    Target(
        label=_l("Idea comment"),
        load=load_comments,
        hide=hide_comment,
        restore=restore_comment,
        hide_all_by=moderating.hide_all_comments_by,
        recent_texts=recent_texts,
    ),
)
