"""How ledgers (notifications, audit, reputation) and search link to ideas and comments,
and who sees them. Registered once at import.

An idea is seen by ``common.idea_clause``; a comment when the viewer may see both it
(``common.comment_clause``) and its idea, so nothing hidden leaks through a link.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import select

from community.core import subjects
from community.extensions import db
from community.ideas.models import Idea, IdeaComment
from community.ideas.services import common


def _idea_urls(ids: set[int]) -> dict[int, str]:
    return {i: url_for("ideas.idea", idea_id=i) for i in ids}


def _idea_visible(viewer: Any, ids: set[int]) -> set[int]:
    stmt = select(Idea.id).where(Idea.id.in_(ids), common.idea_clause(viewer))
    return set(db.session.scalars(stmt))


def _idea_labels(ids: set[int]) -> dict[int, str]:
    return dict(db.session.execute(select(Idea.id, Idea.title).where(Idea.id.in_(ids))).all())


def _comment_urls(ids: set[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(IdeaComment.id, IdeaComment.idea_id).where(IdeaComment.id.in_(ids))
    )
    return {i: url_for("ideas.idea", idea_id=idea_id, _anchor=f"c{i}") for i, idea_id in rows}


def _comment_visible(viewer: Any, ids: set[int]) -> set[int]:
    stmt = (
        select(IdeaComment.id)
        .join(Idea, Idea.id == IdeaComment.idea_id)
        .where(IdeaComment.id.in_(ids), common.comment_clause(viewer), common.idea_clause(viewer))
    )
    return set(db.session.scalars(stmt))


def _comment_labels(ids: set[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(IdeaComment.id, Idea.title)
        .join(Idea, Idea.id == IdeaComment.idea_id)
        .where(IdeaComment.id.in_(ids))
    )
    return dict(rows.all())


subjects.register(common.IDEA_KIND, _idea_urls, _idea_visible, _idea_labels)
subjects.register(common.COMMENT_KIND, _comment_urls, _comment_visible, _comment_labels)
