import pytest
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import func, select

from community.catalog import sections
from community.catalog import services as catalog
from community.catalog.models import Product
from community.core import subjects
from community.core.errors import PermissionDenied
from community.moderation.models import AuditEntry
from tests.catalog.factories import make_product
from tests.conftest import csrf_token
from tests.factories import make_user

FORM = {
    "name": "Mobile App",
    "slug": "mobile-app",
    "category": "Apps",
    "description": "Our app, now **fast**.",
}


def audit_entries(db, action):
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def product_count(db):
    return db.session.scalar(select(func.count()).select_from(Product))


# ---------------------------------------------------------------- who may change products


def test_members_get_403_on_creating_editing_retiring_and_restoring(member_client, db):
    product = make_product(name="Kept", slug="kept")
    retired = make_product(slug="gone", retired=True)
    db.session.commit()
    requests = [
        ("GET", "/products/new", {}),
        ("POST", "/products/new", FORM),
        ("GET", "/products/kept/edit", {}),
        ("POST", "/products/kept/edit", FORM),
        ("POST", "/products/kept/retire", {}),
        ("POST", "/products/gone/restore", {}),
    ]
    for method, path, data in requests:
        response = member_client.open(path, method=method, data=data)
        assert response.status_code == 403, (method, path)
    db.session.expire_all()
    assert product_count(db) == 2
    assert (product.name, product.slug, product.is_active) == ("Kept", "kept", True)
    assert not retired.is_active
    assert audit_entries(db, "catalog.product.update") == []


def test_visitors_are_sent_to_log_in_before_adding_a_product(client):
    response = client.get("/products/new")
    assert response.status_code == 302
    assert response.location.startswith("/auth/login")


def test_the_service_refuses_members_too(db, member):
    with pytest.raises(PermissionDenied):
        catalog.create_product(member, "Mobile App", "mobile-app")


# ---------------------------------------------------------------- creating


def test_team_adds_a_product_and_it_is_audited(team_client, client, db, team_user):
    response = team_client.post("/products/new", data=FORM)
    assert response.status_code == 302
    assert response.location == "/products/mobile-app"
    page = client.get("/products/mobile-app").get_data(as_text=True)
    assert "Mobile App" in page and "<strong>fast</strong>" in page
    product = catalog.get_product("mobile-app")
    assert (product.category, product.description_source) == ("Apps", FORM["description"])
    [entry] = audit_entries(db, "catalog.product.create")
    assert (entry.actor_id, entry.subject_type, entry.subject_id) == (
        team_user.id,
        "product",
        product.id,
    )


def test_a_bad_slug_is_refused_on_its_field_and_keeps_what_was_typed(team_client, db):
    response = team_client.post("/products/new", data=dict(FORM, slug="Mobile App!"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "lowercase letters, digits and - only" in page
    assert 'value="Mobile App!"' in page and "Our app, now **fast**." in page
    assert product_count(db) == 0


def test_the_slug_new_is_reserved_for_the_form(team_client, db):
    response = team_client.post("/products/new", data=dict(FORM, slug="new"))
    assert response.status_code == 400
    assert "This address is reserved." in response.get_data(as_text=True)


def test_a_slug_another_product_has_is_a_conflict_and_keeps_the_text(team_client, db):
    make_product(slug="mobile-app", name="The first app")
    db.session.commit()
    response = team_client.post("/products/new", data=dict(FORM, name="The second app"))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Another product already has this address." in page
    assert 'value="The second app"' in page and 'value="mobile-app"' in page
    assert product_count(db) == 1


def test_an_empty_name_is_refused_and_keeps_the_other_fields(team_client, db):
    response = team_client.post("/products/new", data=dict(FORM, name="   "))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This field is required." in page
    assert 'value="mobile-app"' in page and 'value="Apps"' in page
    assert product_count(db) == 0


def test_a_description_over_ten_thousand_characters_is_refused(team_client, db):
    response = team_client.post("/products/new", data=dict(FORM, description="x" * 10_001))
    assert response.status_code == 400
    assert product_count(db) == 0


# ---------------------------------------------------------------- editing


def test_team_edits_a_product_and_the_audit_says_what_changed(team_client, client, db):
    product = make_product(name="Old name", slug="old", description="Before.")
    db.session.commit()
    response = team_client.post(
        "/products/old/edit",
        data={"name": "New name", "slug": "new-name", "category": "", "description": "After."},
    )
    assert response.status_code == 302
    assert response.location == "/products/new-name"
    assert client.get("/products/old").status_code == 404
    page = client.get("/products/new-name").get_data(as_text=True)
    assert "New name" in page and "After." in page and "Before." not in page
    [entry] = audit_entries(db, "catalog.product.update")
    assert entry.subject_id == product.id
    assert entry.details == {
        "name": {"from": "Old name", "to": "New name"},
        "slug": {"from": "old", "to": "new-name"},
        "description_changed": True,
    }


def test_the_edit_form_starts_with_the_product_as_it_is(team_client, db):
    make_product(name="Desk Lamp", slug="lamp", category="Hardware", description="Bright.")
    db.session.commit()
    page = team_client.get("/products/lamp/edit").get_data(as_text=True)
    assert 'value="Desk Lamp"' in page and 'value="Hardware"' in page and "Bright." in page


def test_editing_to_a_taken_slug_is_a_conflict_and_changes_nothing(team_client, db):
    make_product(slug="taken")
    product = make_product(name="Mine", slug="mine")
    db.session.commit()
    response = team_client.post(
        "/products/mine/edit",
        data={"name": "Renamed", "slug": "taken", "category": "", "description": ""},
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Another product already has this address." in page
    assert 'value="Renamed"' in page
    # The form still posts to the product's real address.
    assert 'action="/products/mine/edit"' in page
    db.session.expire_all()
    assert (product.name, product.slug) == ("Mine", "mine")
    assert audit_entries(db, "catalog.product.update") == []


def test_a_bad_slug_on_edit_keeps_the_text(team_client, db):
    make_product(slug="mine")
    db.session.commit()
    response = team_client.post(
        "/products/mine/edit",
        data={"name": "Renamed", "slug": "no spaces", "category": "", "description": "Kept."},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'value="no spaces"' in page and "Kept." in page


# ---------------------------------------------------------------- retiring


def test_team_retires_and_restores_a_product_and_both_are_audited(team_client, client, db):
    product = make_product(name="Old Gadget", slug="gadget")
    db.session.commit()

    response = team_client.post("/products/gadget/retire")
    assert response.status_code == 302
    page = client.get("/products/gadget").get_data(as_text=True)
    assert "This product is retired since" in page
    listing = client.get("/products/").get_data(as_text=True)
    assert listing.index("Retired products") < listing.index("Old Gadget")

    response = team_client.post("/products/gadget/restore")
    assert response.status_code == 302
    db.session.expire_all()
    assert product.is_active
    assert "Retired products" not in client.get("/products/").get_data(as_text=True)
    assert [e.subject_id for e in audit_entries(db, "catalog.product.retire")] == [product.id]
    assert [e.subject_id for e in audit_entries(db, "catalog.product.restore")] == [product.id]


def test_retiring_a_retired_product_is_a_conflict(team_client, db):
    make_product(slug="gone", retired=True)
    db.session.commit()
    response = team_client.post("/products/gone/retire")
    assert response.status_code == 409
    assert "This product is retired already." in response.get_data(as_text=True)
    assert len(audit_entries(db, "catalog.product.retire")) == 1


def test_retiring_without_the_sessions_csrf_token_is_refused(team_client, db, csrf_enabled):
    product = make_product(slug="kept")
    db.session.commit()
    assert team_client.post("/products/kept/retire").status_code == 400
    db.session.expire_all()
    assert product.is_active
    token = csrf_token(team_client, "/products/kept")
    response = team_client.post("/products/kept/retire", data={"csrf_token": token})
    assert response.status_code == 302


# ---------------------------------------------------------------- the public pages


def test_the_list_shows_active_products_by_category_then_name_and_retired_apart(client, db):
    make_product(name="Zeta Speaker", category="Hardware")
    make_product(name="alpha app", category="Apps")
    make_product(name="Beta App", category="Apps")
    make_product(name="Loose Thing")
    make_product(name="Ancient Tool", category="Apps", retired=True)
    db.session.commit()
    page = client.get("/products/").get_data(as_text=True)
    order = [
        "alpha app",
        "Beta App",
        "Hardware",
        "Zeta Speaker",
        "Other products",
        "Loose Thing",
        "Retired products",
        "Ancient Tool",
    ]
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions)
    assert "What it does." in page


def test_the_list_without_products_says_so(client, db):
    page = client.get("/products/").get_data(as_text=True)
    assert "No products yet." in page
    assert "New product" not in page


def test_the_team_sees_the_button_to_add_a_product(team_client, db):
    assert "/products/new" in team_client.get("/products/").get_data(as_text=True)


def test_the_product_page_is_public_and_shows_only_safe_html(client, db):
    make_product(
        name="<b>Bold</b> name",
        slug="bold",
        description="Hi <script>alert(1)</script> [x](javascript:alert(1))",
    )
    db.session.commit()
    response = client.get("/products/bold")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "&lt;b&gt;Bold&lt;/b&gt; name" in page and "<b>Bold</b>" not in page
    assert "<script>alert" not in page and 'href="javascript' not in page
    assert "Retire product" not in page and "Edit product" not in page


def test_an_unknown_product_is_404(client, db):
    assert client.get("/products/nothing-here").status_code == 404


def test_a_registered_section_appears_on_the_product_page(app, client, db, monkeypatch):
    monkeypatch.setattr(sections, "_SECTIONS", {})
    monkeypatch.setattr(
        app.jinja_env,
        "loader",
        ChoiceLoader(
            [
                DictLoader({"test/_section.html": "<p>Section for {{ section.name }}</p>"}),
                app.jinja_env.loader,
            ]
        ),
    )
    sections.register("test", "test/_section.html", lambda product, viewer: {"name": product.name})
    make_product(name="Lamp", slug="lamp")
    db.session.commit()
    assert "<p>Section for Lamp</p>" in client.get("/products/lamp").get_data(as_text=True)


def test_sections_load_in_order(db, monkeypatch):
    monkeypatch.setattr(sections, "_SECTIONS", {})
    sections.register("late", "b.html", lambda p, v: {"n": 2}, order=20)
    sections.register("early", "a.html", lambda p, v: {"n": 1}, order=10)
    assert sections.load_all(None, None) == [("a.html", {"n": 1}), ("b.html", {"n": 2})]


def test_the_list_costs_the_same_queries_for_3_and_30_products(client, db, count_queries):
    actor = make_user(role="team")
    for n in range(3):
        make_product(category="Apps" if n % 2 else "", retired=n == 2, actor=actor)
    db.session.commit()
    client.get("/products/")
    with count_queries() as few:
        assert client.get("/products/").status_code == 200
    for n in range(27):
        make_product(category=f"C{n % 4}", retired=n % 5 == 0, actor=actor)
    db.session.commit()
    with count_queries() as many:
        assert client.get("/products/").status_code == 200
    assert len(many) == len(few)


# ---------------------------------------------------------------- ledgers name products


def test_ledgers_link_and_name_products(app, db):
    product = make_product(name="Desk Lamp", slug="lamp")
    with app.test_request_context():
        resolved = subjects.resolve(None, [("product", product.id)], with_labels=True)
    assert resolved.url("product", product.id) == "/products/lamp"
    assert resolved.label("product", product.id) == "Desk Lamp"
