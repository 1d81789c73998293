from sqlalchemy import select

from community.moderation.models import AuditEntry


def test_default_branding_is_mitmach_with_a_calm_colour(client):
    page = client.get("/").get_data(as_text=True)
    assert "<title>Mitmach</title>" in page
    assert client.get("/brand.css").get_data(as_text=True).strip() == (
        ":root { --primary: #2f6f73; }"
    )


def test_admin_brands_the_site_and_it_is_audited(admin_client, client, db):
    response = admin_client.post(
        "/admin/settings",
        data={"name": "Acme Club", "tagline": "Build it with us", "primary_color": "#AA3300"},
    )
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Acme Club" in page and "Build it with us" in page
    assert "#aa3300" in client.get("/brand.css").get_data(as_text=True)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "site.branding"))
    assert entry.details["after"]["name"] == "Acme Club"


def test_bad_colour_is_refused_on_the_field_and_keeps_the_name(admin_client, client, db):
    response = admin_client.post(
        "/admin/settings",
        data={"name": "Acme Club", "tagline": "", "primary_color": "red;}body{"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'value="Acme Club"' in page
    assert "Mitmach" in client.get("/").get_data(as_text=True)


def test_branded_name_is_escaped(admin_client, client, db):
    admin_client.post(
        "/admin/settings",
        data={"name": "<b>Acme</b>", "tagline": "", "primary_color": "#112233"},
    )
    page = client.get("/").get_data(as_text=True)
    assert "<b>Acme</b>" not in page and "&lt;b&gt;Acme&lt;/b&gt;" in page


def test_member_gets_403_on_admin_pages(member_client):
    for path in ("/admin/", "/admin/settings", "/admin/users", "/admin/audit"):
        assert member_client.get(path).status_code == 403, path


def test_sections_not_built_yet_lead_to_a_coming_soon_page(client):
    page = client.get("/").get_data(as_text=True)
    assert "/soon/parliament" in page
    assert client.get("/soon/parliament").status_code == 200
    assert 'href="/forums/"' in page  # built sections link to themselves
    assert client.get("/soon/nothing").status_code == 404


def test_a_colour_too_light_for_white_text_is_refused(admin_client, db):
    response = admin_client.post(
        "/admin/settings", data={"name": "Acme", "tagline": "", "primary_color": "#ffcc00"}
    )
    assert response.status_code == 400
    assert "darker colour" in response.get_data(as_text=True)
