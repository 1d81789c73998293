"""Q&A answers and official team replies.

In a Q&A category the asker or the team accepts one reply as the answer; acceptance can
move or be withdrawn, and the "answer accepted" reputation follows it (recorded for the
new answer, reversed for the old one; none when the asker answered themselves). The team
marks posts as official replies and may pin one under the first post.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from community.accounts.models import User
from community.accounts.services import in_language_of
from community.core.errors import InvalidInput, NotFound, PermissionDenied
from community.extensions import db
from community.forums import policy
from community.forums.models import ForumCategory, Post, Topic
from community.forums.services import common, visibility
from community.moderation.services import audit
from community.notifications.services import notify
from community.reputation import services as reputation

ACCEPTED = "answer_accepted"


def check_acceptor(actor: Any, topic: Topic) -> ForumCategory:
    """The topic's category, once the actor may accept answers in it (the asker or the
    team, in a Q&A category) else the refusal; handlers call it before reading input."""
    category = db.session.get(ForumCategory, topic.category_id)
    assert category is not None
    if not visibility.can_see_topic(actor, topic):
        raise NotFound(_("No such topic."))
    if not category.is_qa:
        raise InvalidInput(_("Only questions in Q&A categories have accepted answers."))
    if not policy.can_accept_answer(actor, topic):
        raise PermissionDenied(_("Only the asker or the team can accept an answer."))
    return category


def _locked_accepted_id(topic: Topic) -> int | None:
    """The accepted post id as stored, with the topic row locked until commit, so two
    people moving acceptance at once are served one after the other."""
    accepted_id = db.session.execute(
        select(Topic.accepted_post_id).where(Topic.id == topic.id).with_for_update()
    ).scalar_one()
    return accepted_id


def _take_back(post_id: int | None) -> None:
    if post_id is None:
        return
    previous = db.session.get(Post, post_id)
    if previous is not None:
        reputation.reverse(previous, ACCEPTED)


def _store_accepted(topic: Topic, post_id: int | None) -> None:
    # SQL, not the attribute: the loaded topic may predate the lock taken above.
    db.session.execute(
        update(Topic).where(Topic.id == topic.id).values(accepted_post_id=post_id),
        execution_options={"synchronize_session": False},
    )
    set_committed_value(topic, "accepted_post_id", post_id)


def accept_answer(actor: User, topic: Topic, post: Post) -> Post:
    """Make ``post`` (a visible reply of ``topic``) its accepted answer: the award moves
    from the previous answer to this one's author (none when the asker answered), who is
    notified. Accepting the current answer again changes nothing."""
    category = check_acceptor(actor, topic)
    if (
        post.topic_id != topic.id
        or post.number <= 1
        or post.is_hidden
        or not visibility.can_see_post(actor, post)
    ):
        raise InvalidInput(_("Choose a reply in this topic as the answer."), field="post_id")
    previous_id = _locked_accepted_id(topic)
    if previous_id == post.id:
        return post
    _take_back(previous_id)
    _store_accepted(topic, post.id)
    answerer = db.session.get(User, post.author_id)
    assert answerer is not None
    if answerer.id != topic.author_id:
        reputation.record(
            answerer,
            ACCEPTED,
            post,
            actor=actor,
            category=common.reputation_category(category),
        )
    if answerer.id != actor.id:
        with in_language_of(answerer):
            text = _("Your answer in “%(title)s” was accepted.", title=topic.title)
        notify(answerer, "forum_accepted", post, text)
    if actor.id != topic.author_id:
        audit(actor, "forum.answer.accept", post, {"topic_id": topic.id, "from": previous_id})
    return post


def withdraw_answer(actor: User, topic: Topic) -> bool:
    """Leave ``topic`` without an accepted answer, reversing the award; False when none
    was accepted."""
    check_acceptor(actor, topic)
    previous_id = _locked_accepted_id(topic)
    if previous_id is None:
        return False
    _take_back(previous_id)
    _store_accepted(topic, None)
    if actor.id != topic.author_id:
        audit(actor, "forum.answer.withdraw", topic, {"post_id": previous_id})
    return True


def set_official(actor: User, post: Post, official: bool, pinned: bool = False) -> Post:
    """Mark ``post`` as an official team reply (or not) and, for a reply, pin it under
    the first post of its topic (unpinned when it stops being official). Team only,
    audited."""
    if not policy.can_mark_official(actor, post):
        raise PermissionDenied(_("Only the team can mark official replies."))
    topic = db.session.get(Topic, post.topic_id)
    assert topic is not None
    if not visibility.can_see_topic(actor, topic):
        raise NotFound(_("No such post."))
    official = bool(official)
    pinned = bool(pinned) and official
    if official and post.is_hidden:
        raise InvalidInput(_("A hidden post cannot be an official reply."))
    if pinned and post.number <= 1:
        raise InvalidInput(_("Only a reply can be pinned under the first post."), field="pinned")
    was = (post.is_official, topic.pinned_official_post_id == post.id)
    post.is_official = official
    if pinned:
        topic.pinned_official_post_id = post.id
    elif topic.pinned_official_post_id == post.id:
        topic.pinned_official_post_id = None
    if was != (official, pinned):
        db.session.flush()
        audit(
            actor,
            "forum.post.official",
            post,
            {"official": official, "pinned": pinned, "topic_id": topic.id},
        )
    return post
