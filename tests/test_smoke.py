def test_home_page_shows_the_community_name(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Mitmach" in response.get_data(as_text=True)


def test_member_can_log_in_and_see_their_profile(member_client, member):
    response = member_client.get(f"/u/{member.username}")
    assert response.status_code == 200
    assert "Edit profile" in response.get_data(as_text=True)
