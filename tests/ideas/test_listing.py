"""The ideas list: sorts, filters, keyset pages, "you voted" marks, bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update
from werkzeug.datastructures import MultiDict

from community.core.errors import InvalidInput
from community.extensions import db
from community.ideas.models import Idea
from community.ideas.services import common, listing, statuses, voting
from tests.catalog.factories import make_product
from tests.factories import make_user
from tests.ideas.factories import make_idea


def titles(result) -> list[str]:
    return [idea.title for idea in result.ideas]


def ideas_list(viewer, cursor=None, **args):
    return listing.list_ideas(viewer, listing.parse_filter(MultiDict(args)), cursor)


def age(idea: Idea, hours: int) -> None:
    """Make an idea ``hours`` older (its trending score with it)."""
    created = idea.created_at - dt.timedelta(hours=hours)
    db.session.execute(
        update(Idea)
        .where(Idea.id == idea.id)
        .values(created_at=created, hot=common.hot_score(idea.vote_count, created))
    )


def test_top_new_and_trending_orders(db):
    old_popular, _new_quiet = make_idea(title="Old popular"), make_idea(title="New quiet")
    for _ in range(3):
        voting.vote(make_user(), old_popular)
    age(old_popular, 24 * 30)
    db.session.expire_all()
    anyone = make_user()

    assert titles(ideas_list(anyone, sort="top")) == ["Old popular", "New quiet"]
    assert titles(ideas_list(anyone, sort="new")) == ["New quiet", "Old popular"]
    # A month-old idea needs far more than four votes to trend above a new one.
    assert titles(ideas_list(anyone, sort="trending")) == ["New quiet", "Old popular"]


def test_votes_lift_an_idea_in_trending(db):
    first, _second = make_idea(title="First"), make_idea(title="Second")
    for _ in range(20):
        voting.vote(make_user(), first)

    assert titles(ideas_list(make_user(), sort="trending")) == ["First", "Second"]


def test_filters_by_status_product_and_tag(db):
    phone = make_product(slug="phone")
    battery = make_idea(title="Battery", product=phone, tags=["power"])
    make_idea(title="Elsewhere", tags=["power"])
    make_idea(title="Untagged", product=phone)
    statuses.change_status(make_user(role="team"), battery, "planned", "")
    viewer = make_user()

    assert titles(ideas_list(viewer, product="phone", tag="power")) == ["Battery"]
    assert titles(ideas_list(viewer, status="planned")) == ["Battery"]
    assert set(titles(ideas_list(viewer, tag="power"))) == {"Battery", "Elsewhere"}


def test_recently_shipped_lists_shipped_ideas_newest_shipping_first(db):
    team = make_user(role="team")
    a, b, _open = make_idea(title="A"), make_idea(title="B"), make_idea(title="Open")
    statuses.change_status(team, b, "shipped", "")
    statuses.change_status(team, a, "shipped", "")

    assert titles(ideas_list(make_user(), sort="shipped")) == ["A", "B"]


@pytest.mark.parametrize("sort", listing.SORTS)
def test_keyset_pages_cover_every_idea_once(db, sort, monkeypatch):
    monkeypatch.setattr(listing, "PER_PAGE", 3)
    team = make_user(role="team")
    for n in range(8):
        idea = make_idea(title=f"Idea {n}")
        for _ in range(n % 3):
            voting.vote(make_user(), idea)
        if sort == "shipped":
            statuses.change_status(team, idea, "shipped", "")
    viewer = make_user()

    seen: list[str] = []
    cursor = None
    while True:
        page = ideas_list(viewer, cursor, sort=sort)
        seen += titles(page)
        cursor = page.next_cursor
        if cursor is None:
            break

    assert sorted(seen) == sorted(f"Idea {n}" for n in range(8))


def test_you_voted_marks_only_the_viewers_votes(db):
    liked, _other = make_idea(), make_idea()
    fan = make_user()
    voting.vote(fan, liked)

    assert ideas_list(fan).voted == {liked.id}
    assert ideas_list(make_user()).voted == set()


def test_bad_filters_are_clear_errors(db):
    with pytest.raises(InvalidInput):
        listing.parse_filter(MultiDict({"sort": "random"}))
    with pytest.raises(InvalidInput):
        listing.parse_filter(MultiDict({"status": "finished"}))
    with pytest.raises(InvalidInput):
        ideas_list(make_user(), "garbage:cursor", sort="top")


def test_the_list_takes_the_same_queries_for_few_and_many_ideas(db, count_queries):
    viewer = make_user()

    def queries() -> int:
        db.session.expire_all()
        with count_queries() as statements:
            ideas_list(viewer, sort="trending")
        return len(statements)

    make_idea(tags=["a"])
    few = queries()
    for n in range(12):
        idea = make_idea(tags=["a", f"t{n}"])
        voting.vote(viewer, idea)

    assert queries() == few
