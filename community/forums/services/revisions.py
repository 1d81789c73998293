"""Edits keep revisions: the first edit saves the original, every edit a new version;
anyone who sees a post sees its history with diffs; the team reverts (audited)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from community.accounts.models import User
from community.core import content
from community.core.db import utcnow
from community.core.errors import Conflict, NotFound, PermissionDenied
from community.extensions import db
from community.forums import policy
from community.forums.models import (
    Post,
    PostRevision,
    Topic,
)
from community.forums.services import common, topics, visibility, watching
from community.forums.services.common import (
    category_of,
)
from community.moderation.services import audit, flags
from community.moderation.services.penalties import check_can_write
from community.reputation import sandbox


def _check_edit_links(editor: Any, html: str) -> None:
    """An edit may not smuggle in more links than the new-member sandbox allows."""
    if not sandbox.is_sandboxed(editor):
        return
    rules = sandbox.sandbox_rules()
    links = sandbox.count_links(html)
    if links > rules.links:
        raise PermissionDenied(
            ngettext(
                "New members may put at most %(num)d link in a post; this one has %(count)d.",
                "New members may put at most %(num)d links in a post; this one has %(count)d.",
                rules.links,
                count=links,
            )
        )


# ---------------------------------------------------------------- edits and revisions


def _write_revision(
    post: Post,
    number: int,
    editor_id: int | None,
    body: str,
    title: str | None,
    reverted_from: int | None = None,
    created_at: dt.datetime | None = None,
) -> None:
    db.session.add(
        PostRevision(
            post_id=post.id,
            number=number,
            editor_id=editor_id,
            body_source=body,
            title=title,
            reverted_from=reverted_from,
            created_at=created_at or utcnow(),
        )
    )


def _change_post(
    editor: User,
    post: Post,
    topic: Topic,
    body: str,
    title: str | None,
    reverted_from: int | None = None,
) -> None:
    """Store a new version of ``post`` (and of its topic's title) as the next revision."""
    mentioned_before = watching.mentioned_user_ids(post)
    rendered = common.render_body(body)
    _check_edit_links(editor, rendered.html)
    first_edit = post.revision_count == 0
    new_number = post.revision_count + (2 if first_edit else 1)
    try:
        with db.session.begin_nested():
            if first_edit:
                _write_revision(
                    post,
                    1,
                    post.author_id,
                    post.body_source,
                    topic.title if post.is_first else None,
                    created_at=post.created_at,
                )
            _write_revision(
                post,
                new_number,
                editor.id,
                body,
                (title or topic.title) if post.is_first else None,
                reverted_from=reverted_from,
            )
            db.session.flush()
    except IntegrityError:
        raise Conflict(
            _("Someone else changed this post at the same time. Please reload and try again.")
        ) from None
    now = utcnow()
    post.body_source = body
    post.body_html = rendered.html
    post.edited_at = now
    post.revision_count = new_number
    if post.is_first and title is not None and title != topic.title:
        topic.title = title
        topic.slug = topics.slugify(title)
    db.session.flush()
    common.reindex_post(post, topic, category_of(topic))
    watching.after_edit(post, mentioned_before)


def edit_post(editor: User, post: Post, body: str, title: str | None = None) -> Post:
    """Change a post (its author or the team); every change is kept as a revision, the
    first one keeping the original. ``title`` changes the topic of a first post."""
    check_can_write(editor)
    topic = post.topic
    if not visibility.can_see_post(editor, post):
        raise NotFound(_("No such post."))
    if not policy.can_edit_post(editor, post):
        raise PermissionDenied(_("You can only edit your own posts."))
    body = common.check_body(body)
    title = common.check_title(title) if post.is_first and title is not None else None
    if body == post.body_source and (title is None or title == topic.title):
        return post
    _change_post(editor, post, topic, body, title)
    if editor.id == post.author_id and (post.is_hidden or topic.is_hidden):
        # Hidden by the members' flags: the author's one edit asks for another review
        # (a second one is refused, undoing the edit). A first post is its topic.
        flags.author_edited(common.POST_KIND, post.id, editor)
        if post.is_first:
            flags.author_edited(common.TOPIC_KIND, topic.id, editor)
    return post


def _revisions(post: Post) -> list[PostRevision]:
    return list(
        db.session.scalars(
            select(PostRevision)
            .options(joinedload(PostRevision.editor))
            .where(PostRevision.post_id == post.id)
            .order_by(PostRevision.number)
        )
    )


def revert_post(actor: User, post: Post, revision_number: int) -> Post:
    """Restore an earlier revision of a post as its newest one (team; audited)."""
    if not policy.can_revert_post(actor, post):
        raise PermissionDenied(_("Only the team can revert posts."))
    revision = db.session.scalar(
        select(PostRevision).where(
            PostRevision.post_id == post.id, PostRevision.number == revision_number
        )
    )
    if revision is None:
        raise NotFound(_("No such revision."))
    topic = post.topic
    title = revision.title if post.is_first else None
    if revision.body_source == post.body_source and (title is None or title == topic.title):
        raise Conflict(_("The post already reads like this revision."))
    _change_post(actor, post, topic, revision.body_source, title, reverted_from=revision.number)
    audit(
        actor,
        "forum.post.revert",
        post,
        {"revision": revision.number, "new_revision": post.revision_count},
    )
    return post


@dataclass(frozen=True)
class RevisionView:
    """One version of a post with what changed since the version before it."""

    revision: PostRevision
    number: int
    editor: User | None
    created_at: dt.datetime
    title: str | None
    reverted_from: int | None
    # The body against the previous revision: escaped text with <ins> and <del>.
    diff_html: str
    # The title against the previous revision (first posts whose title changed), else None.
    title_diff_html: str | None


def list_revisions(viewer: Any, post: Post) -> list[RevisionView]:
    """The post's revisions, newest first, each with a diff against the one before
    (empty for a post never edited); anyone who may see the post may see them."""
    if not visibility.can_see_post(viewer, post):
        raise NotFound(_("No such post."))
    if post.revision_count == 0:
        return []
    views: list[RevisionView] = []
    previous: PostRevision | None = None
    for revision in _revisions(post):
        old_body = previous.body_source if previous else ""
        title_diff = None
        if (
            revision.title is not None
            and previous is not None
            and previous.title is not None
            and revision.title != previous.title
        ):
            title_diff = content.diff_html(previous.title, revision.title)
        views.append(
            RevisionView(
                revision=revision,
                number=revision.number,
                editor=revision.editor,
                created_at=revision.created_at,
                title=revision.title,
                reverted_from=revision.reverted_from,
                # The first version shows its whole text, unmarked.
                diff_html=content.diff_html(
                    old_body if previous else revision.body_source, revision.body_source
                ),
                title_diff_html=title_diff,
            )
        )
        previous = revision
    views.reverse()
    return views
