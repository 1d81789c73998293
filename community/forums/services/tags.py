"""Topic tags: normalised names, stored topic counts, who may change them."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from community.accounts.models import User
from community.core.db import insert_ignore
from community.core.errors import InvalidInput, PermissionDenied
from community.extensions import db
from community.forums import policy
from community.forums.models import (
    Tag,
    Topic,
    TopicTag,
)
from community.forums.services import common
from community.forums.services.common import (
    check_visible_topic,
)
from community.reputation import privileges

TAG_RE = re.compile(r"[a-z0-9-]{1,30}")
_TAG_SPLIT_RE = re.compile(r"[\s,]+")


# ---------------------------------------------------------------- tags


def normalise_tags(names: Iterable[str] | str | None) -> list[str]:
    """Tag names lower-cased and de-duplicated (a string is split at commas and spaces);
    InvalidInput on "tags" for a bad name or more than ``TAGS_MAX``."""
    if names is None:
        return []
    if isinstance(names, str):
        names = _TAG_SPLIT_RE.split(names)
    result: list[str] = []
    for raw in names:
        name = (raw or "").strip().lstrip("#").lower()
        if not name:
            continue
        if not TAG_RE.fullmatch(name):
            raise InvalidInput(
                _("Tags use lower-case letters, digits and hyphens, at most 30 characters."),
                field="tags",
            )
        if name not in result:
            result.append(name)
    if len(result) > common.TAGS_MAX:
        raise InvalidInput(_("At most %(n)d tags.", n=common.TAGS_MAX), field="tags")
    return result


def _tag_ids(names: list[str]) -> dict[str, int]:
    """Ids of the named tags, creating the missing ones."""
    if not names:
        return {}
    for name in names:
        insert_ignore(Tag, name=name, topic_count=0)
    rows = db.session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(names)))
    return {name: tag_id for name, tag_id in rows}


def move_tag_counts(tag_ids: Iterable[int], delta: int) -> None:
    ids = list(tag_ids)
    if ids:
        db.session.execute(
            update(Tag).where(Tag.id.in_(ids)).values(topic_count=Tag.topic_count + delta),
            execution_options={"synchronize_session": False},
        )


def topic_tag_ids(topic_id: int) -> list[int]:
    return list(db.session.scalars(select(TopicTag.tag_id).where(TopicTag.topic_id == topic_id)))


def apply_tags(topic: Topic, names: list[str]) -> bool:
    """Make ``names`` the topic's tags; visible topics move the tags' counts."""
    wanted = _tag_ids(names)
    current = set(topic_tag_ids(topic.id))
    added = set(wanted.values()) - current
    removed = current - set(wanted.values())
    if not added and not removed:
        return False
    if removed:
        db.session.execute(
            delete(TopicTag).where(TopicTag.topic_id == topic.id, TopicTag.tag_id.in_(removed))
        )
    for tag_id in sorted(added):
        insert_ignore(TopicTag, topic_id=topic.id, tag_id=tag_id)
    if not topic.is_hidden:
        move_tag_counts(added, +1)
        move_tag_counts(removed, -1)
    if "tags" in topic.__dict__:
        db.session.expire(topic, ["tags"])
    return True


def set_tags(actor: User, topic: Topic, names: Iterable[str] | str | None) -> list[str]:
    """Replace the topic's tags (its author, the team or holders of "edit_tags");
    returns the tag names now on the topic."""
    check_visible_topic(actor, topic)
    if not policy.is_signed_in(actor):
        raise PermissionDenied(_("Please sign in to edit tags."))
    if actor.id != topic.author_id and not privileges.has_privilege(actor, "edit_tags"):
        privileges.require(actor, "edit_tags")
    clean = normalise_tags(names)
    apply_tags(topic, clean)
    db.session.flush()
    return sorted(clean)
