"""Notifications through the API: listing and marking read with a token."""

from __future__ import annotations

from community.notifications.services import notify
from tests.accounts.helpers import bearer, new_token
from tests.factories import make_user


def test_api_lists_my_notifications_newest_first_with_the_unread_count(client, member):
    notify(member, "test", None, "older")
    notify(member, "test", None, "newer")
    notify(make_user(username="other"), "test", None, "not mine")

    response = client.get("/api/v1/notifications", headers=bearer(new_token(member)))

    data = response.get_json()
    assert response.status_code == 200
    assert [item["text"] for item in data["items"]] == ["newer", "older"]
    assert data["unread"] == 2
    assert all(item["read"] is False for item in data["items"])


def test_api_pages_through_notifications_with_next_before(client, member):
    for n in range(35):
        notify(member, "test", None, f"note {n}")
    headers = bearer(new_token(member))

    first = client.get("/api/v1/notifications", headers=headers).get_json()
    second = client.get(
        f"/api/v1/notifications?before={first['next_before']}", headers=headers
    ).get_json()

    texts = [i["text"] for i in first["items"]] + [i["text"] for i in second["items"]]
    assert len(first["items"]) == 30
    assert second["next_before"] is None
    assert texts == [f"note {n}" for n in range(34, -1, -1)]


def test_api_marks_one_notification_read(client, member):
    note = notify(member, "test", None, "one")
    notify(member, "test", None, "two")
    headers = bearer(new_token(member))

    response = client.post(f"/api/v1/notifications/{note.id}/read", headers=headers)

    assert response.status_code == 200
    assert response.get_json() == {"unread": 1}
    items = client.get("/api/v1/notifications", headers=headers).get_json()["items"]
    assert {i["text"]: i["read"] for i in items} == {"one": True, "two": False}


def test_api_marks_all_read(client, member):
    for n in range(3):
        notify(member, "test", None, f"note {n}")
    headers = bearer(new_token(member))

    response = client.post("/api/v1/notifications/read-all", headers=headers)

    assert response.get_json() == {"marked": 3, "unread": 0}
    assert client.get("/api/v1/me", headers=headers).get_json()["unread_notifications"] == 0


def test_api_refuses_to_mark_another_members_notification(client, db, member):
    theirs = notify(make_user(username="other"), "test", None, "theirs")

    response = client.post(
        f"/api/v1/notifications/{theirs.id}/read", headers=bearer(new_token(member))
    )

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    db.session.refresh(theirs)
    assert theirs.read_at is None


def test_api_notifications_need_authentication(client, db):
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.post("/api/v1/notifications/read-all").status_code == 401
