"""Accepted answers in Q&A categories and official team replies."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.core.errors import InvalidInput, NotFound, PermissionDenied
from community.extensions import db
from community.forums.models import CategoryKind, Post, Topic
from community.forums.services import answers, moderating
from community.moderation.models import AuditEntry
from community.notifications.models import Notification
from community.reputation.models import CategoryReputation, ReputationEvent
from tests.factories import make_user
from tests.forums.factories import make_category, make_reply, make_topic


@pytest.fixture()
def question(db) -> Topic:
    return make_topic(make_category(kind=CategoryKind.QA.value), title="How do I pair it?")


def reputation_of(user) -> int:
    db.session.refresh(user, ["reputation"])
    return user.reputation


def accepted_id(topic: Topic) -> int | None:
    return db.session.scalar(select(Topic.accepted_post_id).where(Topic.id == topic.id))


def notifications(user, kind: str) -> list[int | None]:
    return list(
        db.session.scalars(
            select(Notification.subject_id).where(
                Notification.user_id == user.id, Notification.kind == kind
            )
        )
    )


def audits(action: str) -> int:
    return db.session.scalar(select(func.count()).where(AuditEntry.action == action)) or 0


# ---------------------------------------------------------------- accepting


def test_asker_accepts_an_answer_and_the_topic_is_solved(question):
    answer = make_reply(question)

    answers.accept_answer(question.author, question, answer)

    assert accepted_id(question) == answer.id
    assert question.accepted_post_id == answer.id and question.is_solved


def test_accepted_answer_gives_its_author_reputation_in_the_category(question):
    answer = make_reply(question)

    answers.accept_answer(question.author, question, answer)

    assert reputation_of(answer.author) == 15
    points = db.session.scalar(
        select(CategoryReputation.points).where(
            CategoryReputation.user_id == answer.author_id,
            CategoryReputation.category_type == "forum_category",
            CategoryReputation.category_id == question.category_id,
        )
    )
    assert points == 15


def test_answerer_is_notified_of_the_acceptance(question):
    answer = make_reply(question)

    answers.accept_answer(question.author, question, answer)

    assert notifications(answer.author, "forum_accepted") == [answer.id]


def test_team_accepts_an_answer_for_the_asker_and_it_is_audited(question):
    answer = make_reply(question)
    team = make_user(role="team")

    answers.accept_answer(team, question, answer)

    assert accepted_id(question) == answer.id
    assert reputation_of(answer.author) == 15
    assert audits("forum.answer.accept") == 1


def test_other_members_cannot_accept_an_answer(question):
    answer = make_reply(question)

    with pytest.raises(PermissionDenied):
        answers.accept_answer(make_user(), question, answer)
    with pytest.raises(PermissionDenied):
        answers.accept_answer(answer.author, question, answer)
    assert accepted_id(question) is None


def test_discussion_topics_have_no_accepted_answer(db):
    topic = make_topic()
    reply = make_reply(topic)

    with pytest.raises(InvalidInput):
        answers.accept_answer(topic.author, topic, reply)


def test_the_question_itself_cannot_be_its_answer(question):
    first_post = db.session.scalar(
        select(Post).where(Post.topic_id == question.id, Post.number == 1)
    )

    with pytest.raises(InvalidInput) as refused:
        answers.accept_answer(question.author, question, first_post)

    assert refused.value.field == "post_id"


def test_a_reply_from_another_topic_cannot_be_the_answer(question):
    elsewhere = make_reply(make_topic(question.category))

    with pytest.raises(InvalidInput):
        answers.accept_answer(question.author, question, elsewhere)


def test_a_hidden_reply_cannot_be_the_answer(question):
    answer = make_reply(question)
    team = make_user(role="team")
    moderating.hide_post(team, answer, "spam")

    with pytest.raises(InvalidInput):
        answers.accept_answer(team, question, answer)


def test_accepting_in_a_focus_group_one_cannot_see_answers_not_found(db):
    team = make_user(role="team")
    group = make_category(actor=team, is_private=True, kind=CategoryKind.QA.value)
    topic = make_topic(group, author=team)
    reply = make_reply(topic, team)

    with pytest.raises(NotFound):
        answers.accept_answer(make_user(), topic, reply)


def test_accepting_the_same_answer_twice_changes_nothing(question):
    answer = make_reply(question)
    answers.accept_answer(question.author, question, answer)

    answers.accept_answer(question.author, question, answer)

    assert reputation_of(answer.author) == 15
    assert notifications(answer.author, "forum_accepted") == [answer.id]
    events = db.session.scalar(
        select(func.count()).where(ReputationEvent.reason == "answer_accepted")
    )
    assert events == 1


def test_moving_acceptance_moves_the_reputation(question):
    first, second = make_reply(question), make_reply(question)
    answers.accept_answer(question.author, question, first)

    answers.accept_answer(question.author, question, second)

    assert accepted_id(question) == second.id
    assert reputation_of(first.author) == 0
    assert reputation_of(second.author) == 15


def test_moving_acceptance_back_awards_the_first_answer_again(question):
    first, second = make_reply(question), make_reply(question)
    answers.accept_answer(question.author, question, first)
    answers.accept_answer(question.author, question, second)

    answers.accept_answer(question.author, question, first)

    assert reputation_of(first.author) == 15
    assert reputation_of(second.author) == 0


def test_withdrawing_the_answer_reverses_the_reputation(question):
    answer = make_reply(question)
    answers.accept_answer(question.author, question, answer)

    withdrawn = answers.withdraw_answer(question.author, question)

    assert withdrawn is True
    assert accepted_id(question) is None
    assert reputation_of(answer.author) == 0


def test_withdrawing_when_nothing_is_accepted_changes_nothing(question):
    assert answers.withdraw_answer(question.author, question) is False


def test_only_the_asker_or_team_withdraws(question):
    answer = make_reply(question)
    answers.accept_answer(question.author, question, answer)

    with pytest.raises(PermissionDenied):
        answers.withdraw_answer(answer.author, question)
    assert accepted_id(question) == answer.id


def test_asker_answering_themselves_earns_nothing_and_is_not_notified(question):
    own = make_reply(question, question.author)

    answers.accept_answer(question.author, question, own)

    assert accepted_id(question) == own.id
    assert reputation_of(question.author) == 0
    assert notifications(question.author, "forum_accepted") == []


def test_acceptance_in_a_product_category_counts_for_the_product(db):
    from community.catalog.models import Product

    product = Product(name="Gadget", slug="gadget")
    db.session.add(product)
    db.session.flush()
    category = make_category(kind=CategoryKind.QA.value, product_id=product.id)
    question = make_topic(category)
    answer = make_reply(question)

    answers.accept_answer(question.author, question, answer)

    points = db.session.scalar(
        select(CategoryReputation.points).where(
            CategoryReputation.user_id == answer.author_id,
            CategoryReputation.category_type == "product",
            CategoryReputation.category_id == product.id,
        )
    )
    assert points == 15


# ---------------------------------------------------------------- official replies


def test_team_marks_an_official_reply_and_it_is_audited(db):
    topic = make_topic()
    team = make_user(role="team")
    reply = make_reply(topic, team)

    answers.set_official(team, reply, True)

    assert reply.is_official
    assert topic.pinned_official_post_id is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "forum.post.official"))
    assert entry.subject_id == reply.id and entry.details["official"] is True


def test_team_pins_an_official_reply_under_the_first_post(db):
    topic = make_topic()
    team = make_user(role="team")
    reply = make_reply(topic, team)

    answers.set_official(team, reply, True, pinned=True)

    assert topic.pinned_official_post_id == reply.id


def test_pinning_another_official_reply_replaces_the_pinned_one(db):
    topic = make_topic()
    team = make_user(role="team")
    first, second = make_reply(topic, team), make_reply(topic, team)
    answers.set_official(team, first, True, pinned=True)

    answers.set_official(team, second, True, pinned=True)

    assert topic.pinned_official_post_id == second.id
    assert first.is_official and second.is_official


def test_an_official_reply_that_stops_being_official_is_unpinned(db):
    topic = make_topic()
    team = make_user(role="team")
    reply = make_reply(topic, team)
    answers.set_official(team, reply, True, pinned=True)

    answers.set_official(team, reply, False)

    assert not reply.is_official
    assert topic.pinned_official_post_id is None
    assert audits("forum.post.official") == 2


def test_unpinning_keeps_the_reply_official(db):
    topic = make_topic()
    team = make_user(role="team")
    reply = make_reply(topic, team)
    answers.set_official(team, reply, True, pinned=True)

    answers.set_official(team, reply, True, pinned=False)

    assert reply.is_official and topic.pinned_official_post_id is None


def test_marking_official_twice_writes_one_audit_entry(db):
    topic = make_topic()
    team = make_user(role="team")
    reply = make_reply(topic, team)

    answers.set_official(team, reply, True)
    answers.set_official(team, reply, True)

    assert audits("forum.post.official") == 1


def test_members_cannot_mark_official_replies(db):
    topic = make_topic()
    reply = make_reply(topic)

    with pytest.raises(PermissionDenied):
        answers.set_official(reply.author, reply, True)
    assert not reply.is_official


def test_the_first_post_cannot_be_pinned_under_itself(db):
    topic = make_topic()
    team = make_user(role="team")
    first_post = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))

    with pytest.raises(InvalidInput):
        answers.set_official(team, first_post, True, pinned=True)
