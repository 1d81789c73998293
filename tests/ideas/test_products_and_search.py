"""Ideas elsewhere on the site: the product list and page, and site search."""

from __future__ import annotations

from community.ideas.services import moderating
from tests.catalog.factories import make_product
from tests.factories import make_user
from tests.ideas.factories import make_idea


def test_the_product_list_counts_visible_ideas(client, db):
    phone, watch = make_product(name="Phone"), make_product(name="Watch")
    make_idea(product=phone)
    hidden = make_idea(product=phone)
    moderating.hide_idea(make_user(role="team"), hidden, "Spam")
    db.session.commit()

    page = client.get("/products/").get_data(as_text=True)

    assert "1 idea" in page and "0 ideas" in page
    assert watch.name in page


def test_the_product_page_shows_its_most_wanted_ideas(client, db):
    phone = make_product(name="Phone")
    idea = make_idea(product=phone, title="Longer battery life")
    db.session.commit()

    page = client.get(f"/products/{phone.slug}").get_data(as_text=True)

    assert "Longer battery life" in page
    assert f"/ideas/{idea.id}" in page
    assert f"/ideas/?product={phone.slug}" in page


def test_site_search_finds_ideas_and_names_them(client, db):
    idea = make_idea(title="Offline maps for hiking")
    db.session.commit()

    page = client.get("/search?q=hiking").get_data(as_text=True)

    assert "Offline maps for hiking" in page or "<mark>hiking</mark>" in page
    assert f"/ideas/{idea.id}" in page
    assert "Idea" in page
