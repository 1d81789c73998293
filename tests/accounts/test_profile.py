"""Public profiles at /u/<username> and the page that edits them."""

from __future__ import annotations

from tests.accounts.helpers import field_error
from tests.conftest import login
from tests.factories import make_user


def save_profile(client, display_name="", bio=""):
    return client.post("/settings/profile", data={"display_name": display_name, "bio": bio})


def test_profile_shows_display_name_member_since_and_role(client, db):
    user = make_user(username="carla", display_name="Carla Coffee")

    html = client.get("/u/carla").get_data(as_text=True)

    assert "Carla Coffee" in html
    assert "@carla" in html
    assert "Member since" in html
    assert f'datetime="{user.created_at.isoformat()}"' in html
    assert "<dd>Member</dd>" in html


def test_profile_shows_the_team_role(client, db):
    make_user(username="teamie", role="team")

    assert "Product team" in client.get("/u/teamie").get_data(as_text=True)


def test_profile_is_found_whatever_the_case_of_the_username(client, db):
    make_user(username="carla")

    assert client.get("/u/CARLA").status_code == 200


def test_unknown_username_is_404(client, db):
    assert client.get("/u/nobody-here").status_code == 404


def test_saved_profile_shows_the_rendered_bio(member_client, member):
    response = save_profile(member_client, "Mia Member", "I like **strong** coffee.")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/u/{member.username}"
    html = member_client.get(f"/u/{member.username}").get_data(as_text=True)
    assert "Mia Member" in html
    assert "<strong>strong</strong>" in html


def test_script_in_a_bio_never_reaches_the_page(client, member_client, member):
    save_profile(member_client, "", 'Hi <script>alert("x")</script> [x](javascript:alert(1))')

    html = client.get(f"/u/{member.username}").get_data(as_text=True)

    assert "<script" not in html.lower()
    assert 'href="javascript' not in html


def test_display_name_is_escaped_on_the_profile(client, member_client, member):
    save_profile(member_client, "<b>Bold</b>", "")

    html = client.get(f"/u/{member.username}").get_data(as_text=True)

    assert "&lt;b&gt;Bold&lt;/b&gt;" in html
    assert "<b>Bold</b>" not in html


def test_too_long_display_name_is_refused_and_keeps_the_typed_bio(member_client, db, member):
    response = save_profile(member_client, "x" * 65, "My typed bio that must not get lost")

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(html, "display_name")
    assert "My typed bio that must not get lost" in html
    db.session.refresh(member)
    assert member.display_name == ""
    assert member.bio_source == ""


def test_edit_page_shows_the_current_profile(member_client, db, member):
    save_profile(member_client, "Mia Member", "Old bio")

    html = member_client.get("/settings/profile").get_data(as_text=True)

    assert 'value="Mia Member"' in html
    assert "Old bio" in html


def test_mention_in_a_bio_links_to_an_existing_members_profile(client, member_client, member):
    make_user(username="Bob_B")

    save_profile(member_client, "", "Thanks @bob_b and @ghost_user!")

    html = client.get(f"/u/{member.username}").get_data(as_text=True)
    assert 'href="/u/Bob_B"' in html
    assert "/u/ghost_user" not in html
    assert "@ghost_user" in html


def test_email_is_shown_to_the_owner(member_client, member):
    assert member.email in member_client.get(f"/u/{member.username}").get_data(as_text=True)


def test_email_is_shown_to_admins(admin_client, member):
    assert member.email in admin_client.get(f"/u/{member.username}").get_data(as_text=True)


def test_email_is_hidden_from_other_members_and_visitors(app, client, member):
    other = app.test_client()
    login(other, make_user(username="nosy"))

    assert member.email not in other.get(f"/u/{member.username}").get_data(as_text=True)
    assert member.email not in client.get(f"/u/{member.username}").get_data(as_text=True)


def test_edit_button_is_shown_only_on_your_own_profile(member_client, member):
    make_user(username="someone")

    assert "Edit profile" in member_client.get(f"/u/{member.username}").get_data(as_text=True)
    assert "Edit profile" not in member_client.get("/u/someone").get_data(as_text=True)


def test_profile_editing_needs_a_login(client, db):
    response = save_profile(client, "Anon", "")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
