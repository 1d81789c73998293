"""Categories: who may make and change them, their checks, the list on /forums/."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.accounts.models import AnonymousUser
from community.catalog import services as catalog
from community.core import search
from community.core.errors import Conflict, InvalidInput, PermissionDenied
from community.extensions import db
from community.forums.models import CategoryKind
from community.forums.services import categories, topics
from community.moderation.models import AuditEntry
from tests.factories import make_user
from tests.forums.factories import make_category, make_topic

FIELDS = {
    "name": "Help",
    "slug": "help",
    "description": "Ask anything.",
    "kind": CategoryKind.QA.value,
    "is_private": False,
    "product_id": None,
    "position": 1,
}


def _actions(subject_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.subject_type == "forum_category", AuditEntry.subject_id == subject_id)
            .order_by(AuditEntry.id)
        )
    )


def test_members_cannot_create_categories(db, member):
    with pytest.raises(PermissionDenied):
        categories.create_category(member, **FIELDS)


def test_team_creates_a_category_and_the_audit_log_says_so(db, team_user):
    category = categories.create_category(team_user, **FIELDS)
    assert (category.name, category.slug, category.is_qa) == ("Help", "help", True)
    assert _actions(category.id) == ["forum.category.create"]


def test_a_taken_slug_is_a_conflict_on_the_slug_field(db, team_user):
    categories.create_category(team_user, **FIELDS)
    with pytest.raises(Conflict) as error:
        categories.create_category(team_user, **{**FIELDS, "name": "Other"})
    assert error.value.field == "slug"


@pytest.mark.parametrize("slug", ["", "two words", "ÄÖÜ", "a/b", "x" * 65, "manage"])
def test_a_bad_slug_is_refused_on_the_slug_field(db, team_user, slug):
    with pytest.raises(InvalidInput) as error:
        categories.create_category(team_user, **{**FIELDS, "slug": slug})
    assert error.value.field == "slug"


def test_a_slug_is_lower_cased_and_trimmed(db, team_user):
    category = categories.create_category(team_user, **{**FIELDS, "slug": "  Help-Desk "})
    assert category.slug == "help-desk"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "n" * 65),
        ("description", "d" * 1001),
        ("kind", "blog"),
        ("position", 10_000_000),
        ("product_id", 987654),
    ],
)
def test_a_bad_field_is_refused_on_that_field(db, team_user, field, value):
    with pytest.raises(InvalidInput) as error:
        categories.create_category(team_user, **{**FIELDS, field: value})
    assert error.value.field == field


def test_a_category_can_be_linked_to_a_product(db, team_user):
    product = catalog.create_product(team_user, "Router X", "router-x")
    category = categories.create_category(team_user, **{**FIELDS, "product_id": product.id})
    db.session.flush()
    assert category.product_id == product.id
    rows = categories.list_categories(make_user())
    assert rows[0].category.product.name == "Router X"


def test_team_updates_a_category_and_the_change_is_audited(db, team_user):
    category = make_category(name="Old", slug="old")
    categories.update_category(team_user, category, name="New", slug="new", position=7)
    assert (category.name, category.slug, category.position) == ("New", "new", 7)
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "forum.category.update")
    ).one()
    assert entry.details["name"] == ["Old", "New"]
    assert entry.details["slug"] == ["old", "new"]


def test_members_cannot_update_categories(db, member):
    category = make_category()
    with pytest.raises(PermissionDenied):
        categories.update_category(member, category, name="Mine now")


def test_renaming_to_a_taken_slug_is_a_conflict_and_changes_nothing(db, team_user):
    make_category(slug="taken")
    category = make_category(slug="free", name="Free")
    with pytest.raises(Conflict) as error:
        categories.update_category(team_user, category, slug="taken", name="Renamed")
    assert error.value.field == "slug"
    db.session.refresh(category)
    assert (category.slug, category.name) == ("free", "Free")


def test_an_update_without_changes_writes_no_audit_entry(db, team_user):
    category = make_category(name="Same", slug="same")
    categories.update_category(team_user, category, name="Same", slug="same")
    assert _actions(category.id) == ["forum.category.create"]


def test_categories_are_listed_by_position_then_name(db, member):
    make_category(name="Zebra", position=1)
    make_category(name="Apple", position=2)
    make_category(name="Mango", position=1)
    names = [row.category.name for row in categories.list_categories(member)]
    assert names == ["Mango", "Zebra", "Apple"]


def test_the_list_shows_each_categorys_latest_topic(db, member):
    category = make_category()
    make_topic(category, title="Older question")
    newest = make_topic(category, title="Newest question")
    [row] = categories.list_categories(member)
    assert row.last_topic is not None and row.last_topic.id == newest.id
    assert row.last_topic.last_poster.id == newest.author_id


def test_the_latest_topic_is_left_out_when_the_viewer_may_not_see_it(db, member, team_user):
    category = make_category()
    topic = make_topic(category, title="Soon hidden")
    # Stored last activity pointing at a topic the viewer may not see (say, one hidden
    # by a moderator while another request recorded it as the latest).
    category.last_topic_id = topic.id
    topic.hidden_at = topic.created_at
    db.session.flush()
    [row] = categories.list_categories(member)
    assert row.last_topic is None
    [row] = categories.list_categories(team_user)
    assert row.last_topic is not None and row.last_topic.id == topic.id


def test_anonymous_visitors_see_public_categories(db):
    make_category(name="Public")
    make_category(name="Secret", is_private=True)
    names = [row.category.name for row in categories.list_categories(AnonymousUser())]
    assert names == ["Public"]


def _make_categories_with_topics(n: int) -> None:
    for _ in range(n):
        make_topic(make_category())


@pytest.mark.parametrize("viewer_role", ["anonymous", "member", "team"])
def test_listing_takes_the_same_queries_for_3_and_30_categories(db, count_queries, viewer_role):
    viewer = AnonymousUser() if viewer_role == "anonymous" else make_user(role=viewer_role)
    _make_categories_with_topics(3)
    with count_queries() as few:
        rows = categories.list_categories(viewer)
        [(r.category.product, r.last_topic.title, r.last_topic.last_poster) for r in rows]
    _make_categories_with_topics(27)
    with count_queries() as many:
        rows = categories.list_categories(viewer)
        [(r.category.product, r.last_topic.title, r.last_topic.last_poster) for r in rows]
    assert len(rows) >= 30
    assert len(few) == len(many) <= 2


def test_making_a_category_private_takes_its_content_out_of_public_search(db, team_user):
    category = make_category()
    topic = make_topic(category, title="Firmware upgrade fails", body="The router reboots.")
    reply = topics.reply(make_user(), topic, "Same here, firmware 2.1 reboots too.")
    db.session.flush()
    outsider = make_user()

    def found(viewer) -> set[tuple[str, int]]:
        results = search.search("firmware", search.viewer_scopes(viewer))
        return {(hit.kind, hit.subject_id) for hit in results.hits}

    assert found(outsider) == {("forum_topic", topic.id), ("forum_post", reply.id)}
    categories.update_category(team_user, category, is_private=True)
    assert found(outsider) == set()
    assert found(team_user) == {("forum_topic", topic.id), ("forum_post", reply.id)}
    categories.update_category(team_user, category, is_private=False)
    assert found(outsider) == {("forum_topic", topic.id), ("forum_post", reply.id)}


def test_the_product_page_lists_the_forums_about_it_that_the_viewer_may_see(db, client, team_user):
    from community.forums import product_section  # noqa: F401  (registers the section)

    product = catalog.create_product(team_user, "Router X", "router-x")
    make_category(name="Router X help", slug="router-x-help", product_id=product.id)
    make_category(
        name="Router X beta", slug="router-x-beta", product_id=product.id, is_private=True
    )
    make_category(name="Unrelated", slug="unrelated")
    db.session.flush()

    html = client.get("/products/router-x").get_data(as_text=True)
    assert 'href="/forums/router-x-help/"' in html
    assert "Router X beta" not in html and "Unrelated" not in html

    rows = categories.categories_for_product(team_user, product.id)
    assert [c.slug for c in rows] == ["router-x-help", "router-x-beta"]
