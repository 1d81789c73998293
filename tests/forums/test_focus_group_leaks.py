"""What points into a focus group from elsewhere (notifications, reputation history, the
maven boards, the API, search) reveals nothing to someone outside it — including a member
who was removed — and every address it would lead to answers 404."""

from __future__ import annotations

import pytest

from community.forums.services import categories, reactions
from community.forums.services.common import reputation_category
from community.reputation.services.ledger import category_of
from tests.conftest import login
from tests.factories import make_user
from tests.forums.factories import make_category, make_reply, make_topic

SECRET = "Prototype seven feedback"


@pytest.fixture()
def group(app, db):
    with app.test_request_context("/"):  # mentions link to profiles
        return _make_group(db)


def _make_group(db):
    team = make_user(role="team")
    category = make_category(name="Secret beta", slug="secret-beta", is_private=True, actor=team)
    insider = make_user(username="insider")
    leaver = make_user(username="leaver")
    for member in (insider, leaver):
        categories.invite_member(team, category, member.username)
    topic = make_topic(category, author=insider, title=SECRET, body="Only for the group.")
    # The leaver is mentioned, and earns kudos, while still inside.
    reply = make_reply(topic, author=leaver, body="Tried it. @insider have a look.")
    mention = make_reply(topic, author=insider, body=f"Thanks @leaver, noted. {SECRET}")
    reactions.react(insider, reply, "like")
    db.session.commit()
    return {
        "team": team,
        "category": category,
        "insider": insider,
        "leaver": leaver,
        "topic": topic,
        "reply": reply,
        "mention": mention,
    }


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


def _remove_leaver(db, group) -> None:
    categories.remove_member(group["team"], group["category"], group["leaver"])
    db.session.commit()


def test_notifications_about_a_focus_group_disappear_for_a_removed_member(app, db, group):
    client = _client(app, group["leaver"])
    assert f"/p/{group['mention'].id}" in client.get("/notifications").get_data(as_text=True)

    _remove_leaver(db, group)

    page = client.get("/notifications").get_data(as_text=True)
    api = client.get("/api/v1/notifications").get_data(as_text=True)
    for text in (page, api):
        assert f"/p/{group['mention'].id}" not in text
        assert f"/t/{group['topic'].id}" not in text
        assert SECRET not in text
    assert client.get(f"/p/{group['mention'].id}").status_code == 404


def test_reputation_history_does_not_link_into_a_focus_group_after_removal(app, db, group):
    client = _client(app, group["leaver"])
    before = client.get("/u/leaver/reputation").get_data(as_text=True)
    assert f"/p/{group['reply'].id}" in before  # the kudos event links to the post

    _remove_leaver(db, group)

    after = client.get("/u/leaver/reputation").get_data(as_text=True)
    assert f"/p/{group['reply'].id}" not in after
    assert SECRET not in after
    assert client.get(f"/p/{group['reply'].id}").status_code == 404


def test_maven_board_of_a_focus_group_is_404_outside_it(app, db, group):
    kind, category_id = category_of(reputation_category(group["category"]))
    path = f"/mavens?category={kind}:{category_id}"
    assert _client(app, group["insider"]).get(path).status_code == 200
    assert _client(app, make_user()).get(path).status_code == 404
    assert app.test_client().get(path).status_code == 404
    api = f"/api/v1/mavens?category={kind}:{category_id}"
    assert app.test_client().get(api).status_code == 404
    # Nor is the category offered on the public board.
    assert "Secret beta" not in app.test_client().get("/mavens").get_data(as_text=True)


def test_api_answers_404_for_everything_in_a_focus_group(app, db, group):
    outsider = _client(app, make_user())
    topic, reply = group["topic"], group["reply"]
    assert outsider.get(f"/api/v1/topics/{topic.id}").status_code == 404
    assert outsider.get("/api/v1/categories/secret-beta/topics").status_code == 404
    assert "secret-beta" not in outsider.get("/api/v1/categories").get_data(as_text=True)
    assert outsider.post(f"/api/v1/posts/{reply.id}/reactions/like").status_code == 404
    assert SECRET not in outsider.get("/api/v1/search?q=prototype").get_data(as_text=True)
    insider = _client(app, group["insider"])
    assert insider.get(f"/api/v1/topics/{topic.id}").status_code == 200


def test_profile_and_forum_lists_of_outsiders_do_not_count_focus_group_content(app, db, group):
    outsider = _client(app, make_user())
    forums_page = outsider.get("/forums/").get_data(as_text=True)
    assert "Secret beta" not in forums_page
    assert SECRET not in forums_page
    assert SECRET not in outsider.get("/u/insider").get_data(as_text=True)
    assert SECRET not in outsider.get("/search?q=prototype").get_data(as_text=True)


def test_a_public_topic_next_door_is_still_found(app, db, group):
    public = make_category(name="Open", slug="open")
    make_topic(public, title="Prototype ideas welcome", body="Open to all.")
    with app.test_request_context("/"):
        make_reply(group["topic"], author=group["insider"], body="More secret prototype notes.")
    db.session.commit()
    page = app.test_client().get("/search?q=prototype").get_data(as_text=True)
    assert "Prototype ideas welcome" in page or "<mark>Prototype</mark> ideas welcome" in page
    assert "secret" not in page.lower().replace("secret-beta", "")
