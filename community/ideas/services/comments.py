"""Comments on ideas: Markdown; the team's are official (badged) and one can be pinned
under the description. Commenters follow the idea; the author hears of new comments."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community.accounts.models import User
from community.accounts.services import in_language_of
from community.core.db import utcnow
from community.core.errors import NotFound
from community.extensions import db
from community.ideas import policy
from community.ideas.models import Idea, IdeaComment
from community.ideas.services import common, following
from community.moderation.services import audit, screening
from community.moderation.services.penalties import check_can_write
from community.notifications.services import notify
from community.reputation import sandbox

MAX_SHOWN = 200


def add_comment(author: User, idea: Idea, body: str | None) -> IdeaComment:
    """A comment on a visible idea (official when the team writes it)."""
    check_can_write(author)
    common.require_member(author, _("Please sign in to comment."))
    body = common.check_comment(body)
    rendered = common.render(body)
    sandbox.use_sandbox(author, "post", links=sandbox.count_links(rendered.html))
    comment = IdeaComment(
        idea_id=idea.id,
        author_id=author.id,
        body_source=body,
        body_html=rendered.html,
        is_official=policy.is_team(author),
        created_at=utcnow(),
    )
    db.session.add(comment)
    db.session.flush()
    comment.author = author
    common.move_idea(idea, comment_count=Idea.comment_count + 1)
    following.follow_by_default(author.id, idea.id)
    if idea.author_id != author.id:
        idea_author = db.session.get(User, idea.author_id)
        assert idea_author is not None
        with in_language_of(idea_author):
            text = _(
                "%(name)s commented on your idea “%(title)s”.",
                name=author.name,
                title=idea.title,
            )
        notify(idea_author, "idea", idea, text)
    screening.screen_new_post(common.COMMENT_KIND, comment.id, author)
    return comment


def comments_of(viewer: Any, idea: Idea) -> list[IdeaComment]:
    """The idea's comments the viewer may see, oldest first, with authors (one query)."""
    return list(
        db.session.scalars(
            select(IdeaComment)
            .options(joinedload(IdeaComment.author))
            .where(IdeaComment.idea_id == idea.id, common.comment_clause(viewer))
            .order_by(IdeaComment.id)
            .limit(MAX_SHOWN)
        )
    )


def get_comment(viewer: Any, comment_id: int) -> IdeaComment:
    comment = db.session.get(IdeaComment, comment_id)
    if comment is None or (
        comment.hidden_at is not None and not policy.can_see_hidden(viewer, comment.author_id)
    ):
        raise NotFound(_("No such comment."))
    return comment


def pin_comment(actor: User, idea: Idea, comment_id: int | None) -> None:
    """Pin an official comment under the description (or unpin with None); team only."""
    common.require_team(actor)
    if comment_id is not None:
        comment = get_comment(actor, comment_id)
        if comment.idea_id != idea.id or not comment.is_official or comment.hidden_at:
            raise NotFound(_("No such comment."))
    common.move_idea(idea, pinned_comment_id=comment_id)
    audit(actor, "idea.pin_comment", idea, {"comment": comment_id})
