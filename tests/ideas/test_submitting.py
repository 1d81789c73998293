"""Submitting ideas: checks that keep nothing half-written, tags, similar ideas."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.core.errors import InvalidInput
from community.extensions import db
from community.ideas.models import Idea, IdeaTag
from community.ideas.services import submitting
from community.reputation.services import badges
from tests.catalog.factories import make_product
from tests.factories import make_user
from tests.ideas.factories import make_idea


def idea_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Idea))


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [("", "Body", "title"), ("x" * 151, "Body", "title"), ("Fine title", "  ", "body")],
)
def test_bad_input_names_its_field_and_writes_nothing(db, title, body, field):
    product = make_product()
    author = make_user(reputation=100)

    with pytest.raises(InvalidInput) as error:
        submitting.create_idea(author, title, body, product.id)

    assert error.value.field == field
    assert idea_count() == 0


def test_a_title_of_150_characters_is_fine(db):
    assert len(make_idea(title="x" * 150).title) == 150


def test_the_product_must_exist_and_be_active(db):
    author = make_user(reputation=100)
    retired = make_product(retired=True)

    for product_id in (None, "abc", 999_999, retired.id):
        with pytest.raises(InvalidInput) as error:
            submitting.create_idea(author, "Title", "Body", product_id)
        assert error.value.field == "product"
    assert idea_count() == 0


def test_tags_are_normalised_and_counted(db):
    idea = make_idea(tags="Battery, #power  battery")

    assert submitting.tags_of([idea.id]) == {idea.id: ["battery", "power"]}
    counts = dict(db.session.execute(select(IdeaTag.name, IdeaTag.idea_count)).all())
    assert counts == {"battery": 1, "power": 1}


def test_bad_tags_are_refused(db):
    with pytest.raises(InvalidInput):
        submitting.normalise_tags(["no spaces please!"])
    with pytest.raises(InvalidInput):
        submitting.normalise_tags([f"t{n}" for n in range(6)])


def test_editing_retags_and_moves_counts(db):
    idea = make_idea(tags=["old"])

    submitting.edit_idea(idea.author, idea, "New title", "New body", tags=["new"])

    counts = dict(db.session.execute(select(IdeaTag.name, IdeaTag.idea_count)).all())
    assert counts == {"old": 0, "new": 1}
    assert idea.title == "New title" and idea.slug == "new-title"


def test_a_first_idea_earns_the_badge(db):
    idea = make_idea()

    assert "first_idea" in badges.held_keys(idea.author)


def test_similar_ideas_are_found_by_title_words(db):
    battery = make_idea(title="Longer battery life")
    make_idea(title="Dark mode for the app")

    found = submitting.similar_ideas(make_user(), "battery drains fast")

    assert [idea.id for idea in found] == [battery.id]
