"""Forum categories and their focus groups: listing what a viewer may see, and the
team's changes to them (every one audited)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from community.accounts import services as accounts
from community.accounts.models import User
from community.accounts.services import in_language_of
from community.catalog.models import Product
from community.core import search
from community.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from community.extensions import db
from community.forums import policy
from community.forums.models import (
    CategoryKind,
    FocusGroupMember,
    ForumCategory,
    Post,
    Topic,
)
from community.forums.services import visibility
from community.forums.services.common import POST_KIND, TOPIC_KIND
from community.moderation.services import audit
from community.notifications.services import notify

SLUG_RE = re.compile(r"[a-z0-9-]{1,64}")
NAME_MAX = 64
DESCRIPTION_MAX = 1000
POSITION_LIMIT = 1_000_000
# Paths under /forums/ that are not categories.
RESERVED_SLUGS = frozenset({"manage", "similar"})


@dataclass(frozen=True)
class CategoryRow:
    """A category as /forums/ lists it, with its latest topic if the viewer may see it."""

    category: ForumCategory
    last_topic: Topic | None


# ---------------------------------------------------------------- reading


def list_categories(viewer: Any) -> list[CategoryRow]:
    """The categories the viewer may see, by position then name, each with its product
    and latest visible topic (and that topic's last poster); two queries whatever the
    number of categories."""
    categories = list(
        db.session.scalars(
            select(ForumCategory)
            .options(joinedload(ForumCategory.product))
            .where(visibility.category_clause(viewer))
            .order_by(ForumCategory.position, ForumCategory.name, ForumCategory.id)
        )
    )
    last_ids = {c.last_topic_id for c in categories if c.last_topic_id is not None}
    last_topics: dict[int, Topic] = {}
    if last_ids:
        last_topics = {
            t.id: t
            for t in db.session.scalars(
                select(Topic)
                .options(joinedload(Topic.last_poster))
                .where(Topic.id.in_(last_ids), visibility.topic_clause(viewer))
            )
        }
    return [
        CategoryRow(
            category=c,
            last_topic=last_topics.get(c.last_topic_id) if c.last_topic_id else None,
        )
        for c in categories
    ]


def categories_for_product(viewer: Any, product_id: int) -> list[ForumCategory]:
    """The categories linked to a product that the viewer may see, in list order."""
    return list(
        db.session.scalars(
            select(ForumCategory)
            .where(ForumCategory.product_id == product_id, visibility.category_clause(viewer))
            .order_by(ForumCategory.position, ForumCategory.name, ForumCategory.id)
        )
    )


# ---------------------------------------------------------------- checks


def _require_team(actor: Any) -> None:
    if not policy.can_manage_categories(actor):
        raise PermissionDenied(_("Only the team can manage forum categories."))


def check_slug(slug: str | None) -> str:
    """A category slug: 1-64 of a-z, 0-9 and "-", not one of the forum's own paths."""
    slug = (slug or "").strip().lower()
    if not SLUG_RE.fullmatch(slug):
        raise InvalidInput(_("Use 1 to 64 lower-case letters, digits and hyphens."), field="slug")
    if slug in RESERVED_SLUGS:
        raise InvalidInput(_("This address is reserved."), field="slug")
    return slug


def _check_name(name: str | None) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Please write something."), field="name")
    if len(name) > NAME_MAX:
        raise InvalidInput(_("At most %(n)d characters.", n=NAME_MAX), field="name")
    return name


def _check_description(description: str | None) -> str:
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput(_("At most %(n)d characters.", n=DESCRIPTION_MAX), field="description")
    return description


def _check_kind(kind: str | None) -> str:
    values = {k.value for k in CategoryKind}
    if kind not in values:
        raise InvalidInput(_("Choose one of the offered kinds."), field="kind")
    return str(kind)


def _check_product(product_id: int | None) -> int | None:
    if product_id is None:
        return None
    if db.session.get(Product, product_id) is None:
        raise InvalidInput(_("No such product."), field="product_id")
    return product_id


def _check_position(position: int | None) -> int:
    if position is None:
        return 0
    if not isinstance(position, int) or abs(position) > POSITION_LIMIT:
        raise InvalidInput(
            _(
                "Enter a whole number between %(low)d and %(high)d.",
                low=-POSITION_LIMIT,
                high=POSITION_LIMIT,
            ),
            field="position",
        )
    return position


def _slug_taken() -> Conflict:
    return Conflict(_("Another category has this address."), field="slug")


# ---------------------------------------------------------------- managing


def create_category(
    actor: Any,
    name: str,
    slug: str,
    description: str = "",
    kind: str = CategoryKind.DISCUSSION.value,
    is_private: bool = False,
    product_id: int | None = None,
    position: int = 0,
) -> ForumCategory:
    """A new category made by the team (audited); InvalidInput on a bad field, Conflict
    when the slug is taken."""
    _require_team(actor)
    category = ForumCategory(
        name=_check_name(name),
        slug=check_slug(slug),
        description=_check_description(description),
        kind=_check_kind(kind),
        is_private=bool(is_private),
        product_id=_check_product(product_id),
        position=_check_position(position),
    )
    try:
        with db.session.begin_nested():
            db.session.add(category)
    except IntegrityError as exc:
        raise _slug_taken() from exc
    audit(
        actor,
        "forum.category.create",
        category,
        {"slug": category.slug, "kind": category.kind, "is_private": category.is_private},
    )
    return category


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = _Unchanged()


def update_category(
    actor: Any,
    category: ForumCategory,
    *,
    name: Any = UNCHANGED,
    slug: Any = UNCHANGED,
    description: Any = UNCHANGED,
    kind: Any = UNCHANGED,
    is_private: Any = UNCHANGED,
    product_id: Any = UNCHANGED,
    position: Any = UNCHANGED,
) -> ForumCategory:
    """Change the given fields (the team; audited with what changed). Making a category
    private or public moves the search entries of its topics and posts with it."""
    _require_team(actor)
    wanted: dict[str, Any] = {}
    if name is not UNCHANGED:
        wanted["name"] = _check_name(name)
    if slug is not UNCHANGED:
        wanted["slug"] = check_slug(slug)
    if description is not UNCHANGED:
        wanted["description"] = _check_description(description)
    if kind is not UNCHANGED:
        wanted["kind"] = _check_kind(kind)
    if is_private is not UNCHANGED:
        wanted["is_private"] = bool(is_private)
    if product_id is not UNCHANGED:
        wanted["product_id"] = _check_product(product_id)
    if position is not UNCHANGED:
        wanted["position"] = _check_position(position)
    changes = {
        field: [getattr(category, field), value]
        for field, value in wanted.items()
        if getattr(category, field) != value
    }
    if not changes:
        return category
    try:
        with db.session.begin_nested():
            for field, (_old, new) in changes.items():
                setattr(category, field, new)
            db.session.flush()
    except IntegrityError as exc:
        raise _slug_taken() from exc
    if "is_private" in changes:
        _rescope(category)
    audit(actor, "forum.category.update", category, changes)
    return category


def _rescope(category: ForumCategory) -> None:
    """Move the category's search entries to its (new) audience."""
    scope = visibility.scope_of(category)
    topic_ids = select(Topic.id).where(Topic.category_id == category.id)
    search.set_scope(TOPIC_KIND, topic_ids, scope)
    post_ids = select(Post.id).where(
        Post.topic_id.in_(select(Topic.id).where(Topic.category_id == category.id))
    )
    search.set_scope(POST_KIND, post_ids, scope)


# ---------------------------------------------------------------- focus groups


def _require_focus_group_manager(actor: Any) -> None:
    if not policy.is_moderator(actor):
        raise PermissionDenied(_("Only the team can manage focus groups."))


def list_members(actor: Any, category: ForumCategory) -> list[FocusGroupMember]:
    """The invited members of a focus group with their accounts, by username (team only)."""
    _require_focus_group_manager(actor)
    return list(
        db.session.scalars(
            select(FocusGroupMember)
            .join(User, FocusGroupMember.user_id == User.id)
            .options(joinedload(FocusGroupMember.user))
            .where(FocusGroupMember.category_id == category.id)
            .order_by(User.username_key)
        )
    )


def invite_member(actor: Any, category: ForumCategory, username: str) -> FocusGroupMember:
    """Add a member to a private category (the team; audited); they are notified. An
    unknown name is InvalidInput, an existing member Conflict."""
    _require_focus_group_manager(actor)
    if not category.is_private:
        raise InvalidInput(_("Only a private category has members to invite."), field="username")
    try:
        user = accounts.get_by_username((username or "").strip())
    except NotFound as exc:
        raise InvalidInput(_("No such member."), field="username") from exc
    member = FocusGroupMember(category_id=category.id, user_id=user.id, invited_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(member)
    except IntegrityError as exc:
        raise Conflict(
            _("%(name)s is already a member of this focus group.", name=user.username),
            field="username",
        ) from exc
    audit(
        actor,
        "forum.focus_group.invite",
        category,
        {"user_id": user.id, "username": user.username},
    )
    with in_language_of(user):
        text = _("You were invited to the focus group %(name)s.", name=category.name)
    notify(user, "focus_group_invite", category, text)
    return member


def remove_member(actor: Any, category: ForumCategory, user: User) -> bool:
    """Take a member out of a focus group (the team; audited); False if they were not in it."""
    _require_focus_group_manager(actor)
    result = db.session.execute(
        delete(FocusGroupMember).where(
            FocusGroupMember.category_id == category.id, FocusGroupMember.user_id == user.id
        )
    )
    if not result.rowcount:
        return False
    audit(
        actor,
        "forum.focus_group.remove",
        category,
        {"user_id": user.id, "username": user.username},
    )
    return True
