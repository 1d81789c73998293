"""Reactions: one per member per post, counts kept exact, kudos given and taken back."""

from __future__ import annotations

import datetime as dt

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from community.core.db import utcnow
from community.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from community.extensions import db
from community.forums.models import Post, PostReactionCount, Reaction, ReactionType, Topic
from community.forums.services import moderating, reaction_types, reactions
from community.moderation import services as moderation
from community.moderation.models import AuditEntry
from community.reputation.models import CategoryReputation, ReputationEvent
from tests.conftest import using_postgres
from tests.factories import make_user
from tests.forums.factories import make_category, make_reply, make_topic


def counts(post: Post) -> dict[str, int]:
    rows = db.session.execute(
        select(PostReactionCount.name, PostReactionCount.count).where(
            PostReactionCount.post_id == post.id, PostReactionCount.count != 0
        )
    )
    return {name: count for name, count in rows}


def stored(post: Post) -> tuple[int, int]:
    """(post.reaction_count, topic.reaction_count) as stored in the database."""
    row = db.session.execute(
        select(Post.reaction_count, Topic.reaction_count)
        .join(Topic, Topic.id == Post.topic_id)
        .where(Post.id == post.id)
    ).one()
    return row[0], row[1]


def reputation_of(user) -> int:
    db.session.refresh(user, ["reputation"])
    return user.reputation


# ---------------------------------------------------------------- reacting


def test_default_reactions_are_offered_in_order(db):
    names = [t.name for t in reaction_types.reaction_types()]

    assert names == ["like", "thanks", "insightful", "confused"]


def test_like_counts_on_the_post_and_topic_and_gives_the_author_kudos(db):
    post = make_reply(make_topic())
    fan = make_user()

    reaction = reactions.react(fan, post, "like")

    assert (reaction.post_id, reaction.user_id, reaction.name) == (post.id, fan.id, "like")
    assert counts(post) == {"like": 1}
    assert stored(post) == (1, 1)
    assert post.reaction_count == 1
    assert reputation_of(post.author) == 5


def test_reactions_of_many_members_add_up(db):
    post = make_reply(make_topic())

    for name in ("like", "like", "thanks", "confused"):
        reactions.react(make_user(), post, name)

    assert counts(post) == {"like": 2, "thanks": 1, "confused": 1}
    assert stored(post) == (4, 4)
    assert reputation_of(post.author) == 15


def test_reacting_to_ones_own_post_is_refused(db):
    post = make_reply(make_topic())

    with pytest.raises(PermissionDenied) as refused:
        reactions.react(post.author, post, "like")

    assert "own post" in refused.value.message
    assert stored(post) == (0, 0)


def test_visitors_cannot_react(db):
    post = make_reply(make_topic())

    with pytest.raises(PermissionDenied):
        reactions.react(AnonymousUserMixin(), post, "like")


def test_unknown_reaction_is_refused_on_the_name_field(db):
    post = make_reply(make_topic())

    with pytest.raises(InvalidInput) as refused:
        reactions.react(make_user(), post, "love")

    assert refused.value.field == "name"


def test_inactive_reaction_is_refused(db):
    admin = make_user(role="admin")
    reaction_types.update_reaction_type(admin, "confused", "Confused", "😕", False, False, 4)
    post = make_reply(make_topic())

    with pytest.raises(InvalidInput):
        reactions.react(make_user(), post, "confused")
    assert [t.name for t in reaction_types.reaction_types()] == ["like", "thanks", "insightful"]


def test_reacting_to_a_hidden_post_answers_not_found(db):
    post = make_reply(make_topic())
    team = make_user(role="team")
    moderating.hide_post(team, post, "spam")

    with pytest.raises(NotFound):
        reactions.react(make_user(), post, "like")
    with pytest.raises(NotFound):
        reactions.react(team, post, "like")


def test_reacting_in_a_focus_group_one_cannot_see_answers_not_found(db):
    team = make_user(role="team")
    group = make_category(actor=team, is_private=True)
    post = make_reply(make_topic(group, author=team), team)

    with pytest.raises(NotFound):
        reactions.react(make_user(), post, "like")
    assert stored(post) == (0, 0)


def test_a_second_reaction_replaces_the_first_and_counts_move(db):
    post = make_reply(make_topic())
    fan = make_user()
    reactions.react(fan, post, "like")

    reactions.react(fan, post, "thanks")

    assert counts(post) == {"thanks": 1}
    assert stored(post) == (1, 1)
    assert db.session.scalar(select(func.count()).select_from(Reaction)) == 1
    assert reputation_of(post.author) == 5  # kudos kept, not given twice


def test_changing_to_a_reaction_that_is_not_positive_takes_the_kudos_back(db):
    post = make_reply(make_topic())
    fan = make_user()
    reactions.react(fan, post, "like")

    reactions.react(fan, post, "confused")

    assert counts(post) == {"confused": 1}
    assert reputation_of(post.author) == 0


def test_changing_from_confused_to_like_gives_kudos(db):
    post = make_reply(make_topic())
    fan = make_user()
    reactions.react(fan, post, "confused")
    assert reputation_of(post.author) == 0

    reactions.react(fan, post, "like")

    assert reputation_of(post.author) == 5
    assert counts(post) == {"like": 1}


def test_the_same_reaction_twice_changes_nothing(db):
    post = make_reply(make_topic())
    fan = make_user()
    reactions.react(fan, post, "like")

    reactions.react(fan, post, "like")

    assert stored(post) == (1, 1)
    assert reputation_of(post.author) == 5
    assert reactions.my_reaction(fan, post) == "like"


def test_removing_a_reaction_reverses_the_counts_and_the_kudos(db):
    post = make_reply(make_topic())
    fan = make_user()
    reactions.react(fan, post, "like")

    removed = reactions.unreact(fan, post)

    assert removed is True
    assert counts(post) == {}
    assert stored(post) == (0, 0)
    assert reputation_of(post.author) == 0
    assert reactions.my_reaction(fan, post) is None


def test_removing_a_reaction_one_does_not_have_changes_nothing(db):
    post = make_reply(make_topic())
    reactions.react(make_user(), post, "like")

    assert reactions.unreact(make_user(), post) is False
    assert stored(post) == (1, 1)
    assert reputation_of(post.author) == 5


def test_removing_only_takes_back_ones_own_kudos(db):
    post = make_reply(make_topic())
    fan, other = make_user(), make_user()
    reactions.react(fan, post, "like")
    reactions.react(other, post, "thanks")

    reactions.unreact(fan, post)

    assert reputation_of(post.author) == 5
    assert counts(post) == {"thanks": 1}


def test_react_remove_react_again_leaves_one_kudos(db):
    post = make_reply(make_topic())
    fan = make_user()

    reactions.react(fan, post, "like")
    reactions.unreact(fan, post)
    reactions.react(fan, post, "insightful")

    assert reputation_of(post.author) == 5
    standing = db.session.scalar(
        select(func.sum(ReputationEvent.points)).where(ReputationEvent.user_id == post.author_id)
    )
    assert standing == 5


def test_team_removes_its_reaction_from_a_post_hidden_since_and_the_topic_count_holds(db):
    topic = make_topic()
    post = make_reply(topic)
    team, fan = make_user(role="team"), make_user()
    reactions.react(team, post, "like")
    reactions.react(fan, post, "like")
    moderating.hide_post(team, post, "off topic")
    assert stored(post) == (2, 0)

    reactions.unreact(team, post)

    assert stored(post) == (1, 0)
    assert counts(post) == {"like": 1}
    moderating.restore_post(team, post)
    assert stored(post) == (1, 1)


def test_member_cannot_remove_a_reaction_from_a_hidden_post_they_cannot_see(db):
    post = make_reply(make_topic())
    fan = make_user()
    reactions.react(fan, post, "like")
    moderating.hide_post(make_user(role="team"), post, "spam")

    with pytest.raises(NotFound):
        reactions.unreact(fan, post)


def test_reactions_on_a_post_hidden_since_leave_with_a_sock_puppet(db):
    topic = make_topic()
    post = make_reply(topic)
    puppet = make_user()
    reactions.react(puppet, post, "like")
    team = make_user(role="team")
    moderating.hide_post(team, post, "spam")

    moderation.suspend(make_user(role="admin"), puppet, 30, "Sock puppet", sock_puppet=True)

    assert stored(post) == (0, 0)
    assert reputation_of(post.author) == 0


def test_kudos_count_in_the_product_of_the_category(db):
    from community.catalog.models import Product

    product = Product(name="Widget", slug="widget")
    db.session.add(product)
    db.session.flush()
    post = make_reply(make_topic(make_category(product_id=product.id)))

    reactions.react(make_user(), post, "like")

    points = db.session.scalar(
        select(CategoryReputation.points).where(
            CategoryReputation.user_id == post.author_id,
            CategoryReputation.category_type == "product",
            CategoryReputation.category_id == product.id,
        )
    )
    assert points == 5


def test_kudos_count_in_the_forum_category_without_a_product(db):
    category = make_category()
    post = make_reply(make_topic(category))

    reactions.react(make_user(), post, "thanks")

    points = db.session.scalar(
        select(CategoryReputation.points).where(
            CategoryReputation.user_id == post.author_id,
            CategoryReputation.category_type == "forum_category",
            CategoryReputation.category_id == category.id,
        )
    )
    assert points == 5


# ---------------------------------------------------------------- sock puppets


def test_a_sock_puppets_reactions_are_removed_with_their_counts_and_kudos(db):
    first, second = make_reply(make_topic()), make_reply(make_topic())
    puppet, honest = make_user(), make_user()
    reactions.react(puppet, first, "like")
    reactions.react(puppet, second, "confused")
    reactions.react(honest, first, "thanks")

    moderation.erase_sock_puppet(make_user(role="admin"), puppet, "Sock puppet")

    assert counts(first) == {"thanks": 1}
    assert counts(second) == {}
    assert stored(first) == (1, 1)
    assert stored(second) == (0, 0)
    assert reputation_of(first.author) == 5
    assert db.session.scalar(select(func.count()).where(Reaction.user_id == puppet.id)) == 0


# ---------------------------------------------------------------- admin


def test_admin_adds_a_reaction_type_after_the_others(db):
    admin = make_user(role="admin")

    created = reaction_types.create_reaction_type(admin, "party", "Party", "🎉", True)

    assert [t.name for t in reaction_types.reaction_types()][-1] == "party"
    assert created.is_active and created.is_positive
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "forum.reaction_type.create")
    )
    assert entry.actor_id == admin.id and entry.details["name"] == "party"


def test_new_reaction_type_can_be_used_at_once(db):
    admin = make_user(role="admin")
    reaction_types.create_reaction_type(admin, "meh", "Meh", "😐", False)
    post = make_reply(make_topic())

    reactions.react(make_user(), post, "meh")

    assert counts(post) == {"meh": 1}
    assert reputation_of(post.author) == 0


@pytest.mark.parametrize("name", ["", "Party", "with space", "x" * 31, "emoji🎉"])
def test_reaction_type_name_must_be_lower_case_letters_digits_or_underscore(db, name):
    admin = make_user(role="admin")

    with pytest.raises(InvalidInput) as refused:
        reaction_types.create_reaction_type(admin, name, "Label", "🎉", True)

    assert refused.value.field == "name"


def test_reaction_type_needs_a_label_and_an_emoji(db):
    admin = make_user(role="admin")

    with pytest.raises(InvalidInput) as no_label:
        reaction_types.create_reaction_type(admin, "fine", "  ", "🎉", True)
    with pytest.raises(InvalidInput) as no_emoji:
        reaction_types.create_reaction_type(admin, "fine", "Fine", "", True)

    assert (no_label.value.field, no_emoji.value.field) == ("label", "emoji")


def test_existing_reaction_type_name_is_a_conflict(db):
    admin = make_user(role="admin")

    with pytest.raises(Conflict) as refused:
        reaction_types.create_reaction_type(admin, "like", "Like again", "👍", True)

    assert refused.value.field == "name"


@pytest.mark.parametrize("role", ["member", "team"])
def test_only_admins_manage_reaction_types(db, role):
    actor = make_user(role=role)

    with pytest.raises(PermissionDenied):
        reaction_types.create_reaction_type(actor, "party", "Party", "🎉", True)
    with pytest.raises(PermissionDenied):
        reaction_types.update_reaction_type(actor, "like", "Like", "👍", True, False, 1)


def test_admin_updates_a_reaction_type_and_it_is_audited(db):
    admin = make_user(role="admin")

    changed = reaction_types.update_reaction_type(admin, "thanks", "Danke", "🙌", True, True, 9)

    assert (changed.label, changed.emoji, changed.position) == ("Danke", "🙌", 9)
    assert [t.name for t in reaction_types.reaction_types()][-1] == "thanks"
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "forum.reaction_type.update")
    )
    assert entry.details["label"] == ["Thanks", "Danke"]


def test_updating_an_unknown_reaction_type_answers_not_found(db):
    with pytest.raises(NotFound):
        reaction_types.update_reaction_type(
            make_user(role="admin"), "nope", "N", "x", True, True, 1
        )


def test_deactivated_reactions_stay_counted_on_posts(db):
    admin = make_user(role="admin")
    post = make_reply(make_topic())
    reactions.react(make_user(), post, "insightful")

    reaction_types.update_reaction_type(admin, "insightful", "Insightful", "💡", True, False, 3)

    assert counts(post) == {"insightful": 1}
    assert db.session.get(ReactionType, "insightful").is_active is False


def test_a_reaction_costs_a_few_statements_whatever_the_data(db, count_queries):
    # A member of over 100 days: the tenure badge is a candidate too, the longest case.
    veteran = make_user(created_at=utcnow() - dt.timedelta(days=400))
    post = make_reply(make_topic(), author=veteran)
    fan = make_user()
    reactions.react(make_user(), post, "like")  # the author holds "first kudos" already
    db.session.flush()

    with count_queries() as statements:
        reactions.react(fan, post, "like")

    # The reaction type, the insert and the counts; the daily cap, the ledger and its
    # totals (the period roll-ups included) and the badge rules: on PostgreSQL each group
    # is one round trip.
    assert len(statements) == (2 if using_postgres() else 12), statements
    # psycopg parses a statement longer than 4 kB anew on every call.
    assert max(len(statement.encode()) for statement in statements) <= 4096
