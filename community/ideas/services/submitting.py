"""Submitting and editing ideas, their tags, and the similar ideas shown while typing."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from community.accounts.models import User
from community.catalog.models import Product
from community.core import search
from community.core.db import dialect_insert, parse_id, utcnow
from community.core.errors import InvalidInput, NotFound, PermissionDenied
from community.core.plain_text import slugify
from community.extensions import db
from community.ideas import policy
from community.ideas.models import Challenge, Idea, IdeaTag, IdeaTagLink
from community.ideas.services import common, following, voting
from community.moderation.services import flags, screening
from community.moderation.services.penalties import check_can_write
from community.reputation import sandbox
from community.reputation.services import badges

TAGS_MAX = 5
TAG_MAX = 30
_TAG_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
SIMILAR_LIMIT = 5


def normalise_tags(tags: Iterable[str] | str | None) -> list[str]:
    """Tag names from a list or a comma/space separated string: lower-case, letters,
    digits and hyphens, at most ``TAGS_MAX`` (InvalidInput on "tags")."""
    if tags is None:
        return []
    words = re.split(r"[,\s]+", tags) if isinstance(tags, str) else list(tags)
    names: list[str] = []
    for word in words:
        name = str(word).strip().lower().lstrip("#")
        if not name:
            continue
        if len(name) > TAG_MAX or not _TAG_RE.fullmatch(name):
            raise InvalidInput(
                _("Tags use letters, digits and hyphens, up to 30 characters."), field="tags"
            )
        if name not in names:
            names.append(name)
    if len(names) > TAGS_MAX:
        raise InvalidInput(_("At most %(n)d tags.", n=TAGS_MAX), field="tags")
    return names


def _product(product_id: Any) -> Product:
    found = parse_id(product_id)
    product = db.session.get(Product, found) if found is not None else None
    if product is None:
        raise InvalidInput(_("Choose the product the idea is for."), field="product")
    if not product.is_active:
        raise InvalidInput(_("This product is retired and takes no new ideas."), field="product")
    return product


def _open_challenge(challenge_id: Any, product: Product) -> Challenge | None:
    if not challenge_id:
        return None
    found = parse_id(challenge_id)
    challenge = db.session.get(Challenge, found) if found is not None else None
    now = utcnow()
    if challenge is None or not (challenge.starts_at <= now < challenge.ends_at):
        raise InvalidInput(_("This challenge takes no ideas now."), field="challenge")
    if challenge.product_id is not None and challenge.product_id != product.id:
        raise InvalidInput(_("This challenge is about another product."), field="product")
    return challenge


def create_idea(
    author: User,
    title: str | None,
    body: str | None,
    product_id: Any,
    tags: Iterable[str] | str | None = (),
    challenge_id: Any = None,
) -> Idea:
    """A new open idea for a product (and challenge), with the author's own vote, their
    follow, tags and search entry. Bad input raises InvalidInput on its field and writes
    nothing."""
    check_can_write(author)
    common.require_member(author, _("Please sign in to share an idea."))
    title = common.check_title(title)
    body = common.check_body(body)
    product = _product(product_id)
    challenge = _open_challenge(challenge_id, product)
    tag_names = normalise_tags(tags)
    rendered = common.render(body)
    now = utcnow()
    idea = Idea(
        product_id=product.id,
        challenge_id=challenge.id if challenge is not None else None,
        author_id=author.id,
        title=title,
        slug=slugify(title) or "idea",
        body_source=body,
        body_html=rendered.html,
        status="open",
        created_at=now,
        hot=common.hot_score(0, now),
    )
    sandbox.use_sandbox(author, "topic", links=sandbox.count_links(rendered.html))
    db.session.add(idea)
    db.session.flush()
    idea.product = product
    idea.author = author
    voting.vote_for_own_idea(author, idea)
    following.follow_by_default(author.id, idea.id)
    _set_tags(idea, tag_names)
    if challenge is not None:
        db.session.execute(
            update(Challenge)
            .where(Challenge.id == challenge.id)
            .values(idea_count=Challenge.idea_count + 1)
        )
    common.reindex(idea)
    badges.award_if_missing(author, "first_idea")
    screening.screen_new_post(common.IDEA_KIND, idea.id, author)
    return idea


def edit_idea(
    editor: User,
    idea: Idea,
    title: str | None,
    body: str | None,
    tags: Iterable[str] | str | None = None,
) -> Idea:
    """Change an idea's title, description (and tags); by its author or the team."""
    check_can_write(editor)
    if not policy.can_edit_idea(editor, idea):
        raise PermissionDenied(_("You can only edit your own ideas."))
    title = common.check_title(title)
    body = common.check_body(body)
    tag_names = normalise_tags(tags) if tags is not None else None
    idea.title = title
    idea.slug = slugify(title) or "idea"
    idea.body_source = body
    idea.body_html = common.render(body).html
    db.session.flush()
    if tag_names is not None:
        _set_tags(idea, tag_names)
    common.reindex(idea)
    if editor.id == idea.author_id and idea.hidden_at is not None:
        # Hidden by the members' flags: the author's one edit asks for another review.
        flags.author_edited(common.IDEA_KIND, idea.id, editor)
    return idea


def tags_of(idea_ids: list[int]) -> dict[int, list[str]]:
    """{idea id: [tag names]} for a page of ideas (one query)."""
    found: dict[int, list[str]] = {i: [] for i in idea_ids}
    if not idea_ids:
        return found
    rows = db.session.execute(
        select(IdeaTagLink.idea_id, IdeaTag.name)
        .join(IdeaTag, IdeaTag.id == IdeaTagLink.tag_id)
        .where(IdeaTagLink.idea_id.in_(idea_ids))
        .order_by(IdeaTag.name)
    )
    for idea_id, name in rows:
        found[idea_id].append(name)
    return found


def get_tag(name: str) -> IdeaTag:
    tag = db.session.scalar(select(IdeaTag).where(IdeaTag.name == name))
    if tag is None:
        raise NotFound(_("No such tag."))
    return tag


def _set_tags(idea: Idea, names: list[str]) -> None:
    """Make the idea's tags exactly ``names``; tag counts follow (visible ideas only)."""
    current = dict(
        db.session.execute(
            select(IdeaTag.name, IdeaTag.id)
            .join(IdeaTagLink, IdeaTagLink.tag_id == IdeaTag.id)
            .where(IdeaTagLink.idea_id == idea.id)
        ).all()
    )
    counted = 0 if idea.hidden_at is not None else 1
    removed = [tag_id for name, tag_id in current.items() if name not in names]
    if removed:
        db.session.execute(
            delete(IdeaTagLink).where(
                IdeaTagLink.idea_id == idea.id, IdeaTagLink.tag_id.in_(removed)
            )
        )
        db.session.execute(
            update(IdeaTag)
            .where(IdeaTag.id.in_(removed))
            .values(idea_count=IdeaTag.idea_count - counted)
        )
    for name in names:
        if name in current:
            continue
        db.session.execute(
            dialect_insert(IdeaTag.__table__)
            .values(name=name, idea_count=0)
            .on_conflict_do_nothing()
        )
        tag_id = db.session.scalar(select(IdeaTag.id).where(IdeaTag.name == name))
        db.session.add(IdeaTagLink(idea_id=idea.id, tag_id=tag_id))
        db.session.execute(
            update(IdeaTag)
            .where(IdeaTag.id == tag_id)
            .values(idea_count=IdeaTag.idea_count + counted)
        )
    db.session.flush()
    db.session.expire(idea, ["tags"])


def similar_ideas(viewer: Any, title: str | None, limit: int = SIMILAR_LIMIT) -> list[Idea]:
    """Visible ideas sharing words with ``title``, best first (for "vote for this
    instead" while a member types a new idea)."""
    found = search.search(
        title, search.viewer_scopes(viewer), kinds=[common.IDEA_KIND], any_term=True, per_page=limit
    )
    ids = [hit.subject_id for hit in found.hits]
    if not ids:
        return []
    ideas = {
        idea.id: idea
        for idea in db.session.scalars(
            select(Idea).where(
                Idea.id.in_(ids), common.idea_clause(viewer), Idea.merged_into_id.is_(None)
            )
        )
    }
    return [ideas[i] for i in ids if i in ideas]
