"""In-app notifications: the stored unread count, the page, and marking read."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from community.notifications.models import Notification
from community.notifications.services import notify
from tests.conftest import login
from tests.factories import make_user


def nav_count(client) -> int:
    """The unread number the navigation shows (0 when it shows none)."""
    html = client.get("/").get_data(as_text=True)
    match = re.search(r'<span class="badge-count"[^>]*>\s*(\d+)', html)
    return int(match.group(1)) if match else 0


def true_unread(db, user) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )


def stored_unread(db, user) -> int:
    db.session.refresh(user)
    return user.unread_notifications


def test_notify_raises_the_unread_count_in_the_navigation(member_client, db, member):
    assert nav_count(member_client) == 0

    notify(member, "test", None, "Hello")
    notify(member, "test", None, "Hello again")

    assert nav_count(member_client) == 2
    assert stored_unread(db, member) == 2


def test_notifications_page_lists_my_notifications(member_client, member):
    notify(member, "test", None, "Your idea got a vote")

    html = member_client.get("/notifications").get_data(as_text=True)

    assert "Your idea got a vote" in html
    assert "Mark as read" in html


def test_notification_about_a_member_links_to_their_profile(member_client, member):
    other = make_user(username="follower")
    notify(member, "follow", other, "follower follows you")

    assert 'href="/u/follower"' in member_client.get("/notifications").get_data(as_text=True)


def test_notifications_page_needs_a_login(client, db):
    assert client.get("/notifications").status_code == 302


def test_notifications_of_others_are_not_listed(member_client, member):
    notify(make_user(username="other"), "test", None, "Private to other")

    assert "Private to other" not in member_client.get("/notifications").get_data(as_text=True)


def test_marking_one_read_lowers_the_count_by_exactly_one(member_client, db, member):
    first = notify(member, "test", None, "one")
    notify(member, "test", None, "two")

    response = member_client.post(f"/notifications/{first.id}/read")

    assert response.status_code == 302
    assert nav_count(member_client) == 1
    assert stored_unread(db, member) == true_unread(db, member) == 1


def test_marking_the_same_notification_read_twice_counts_once(member_client, db, member):
    first = notify(member, "test", None, "one")
    notify(member, "test", None, "two")

    member_client.post(f"/notifications/{first.id}/read")
    member_client.post(f"/notifications/{first.id}/read")

    assert stored_unread(db, member) == true_unread(db, member) == 1


def test_mark_all_read_brings_the_count_to_zero(member_client, db, member):
    for n in range(3):
        notify(member, "test", None, f"note {n}")

    response = member_client.post("/notifications/read-all")

    assert response.status_code == 302
    assert nav_count(member_client) == 0
    assert stored_unread(db, member) == true_unread(db, member) == 0


def test_count_stays_exact_after_mixing_single_and_all_read_and_new(member_client, db, member):
    first = notify(member, "test", None, "one")
    notify(member, "test", None, "two")
    member_client.post(f"/notifications/{first.id}/read")
    member_client.post("/notifications/read-all")
    notify(member, "test", None, "three")

    assert nav_count(member_client) == 1
    assert stored_unread(db, member) == true_unread(db, member) == 1


def test_another_member_cannot_mark_my_notification_read(app, db, member):
    mine = notify(member, "test", None, "mine")
    intruder = app.test_client()
    login(intruder, make_user(username="intruder"))

    response = intruder.post(f"/notifications/{mine.id}/read")

    assert response.status_code == 404
    db.session.refresh(mine)
    assert mine.read_at is None
    assert stored_unread(db, member) == 1


def test_mark_all_read_leaves_other_members_notifications_alone(member_client, db, member):
    other = make_user(username="other")
    notify(other, "test", None, "theirs")
    notify(member, "test", None, "mine")

    member_client.post("/notifications/read-all")

    assert stored_unread(db, other) == true_unread(db, other) == 1


def test_open_marks_read_and_goes_to_the_subject(member_client, db, member):
    note = notify(member, "follow", make_user(username="follower"), "follower follows you")

    response = member_client.post(f"/notifications/{note.id}/read", data={"open": "1"})

    assert response.headers["Location"] == "/u/follower"
    assert stored_unread(db, member) == 0


def test_mark_read_never_redirects_off_the_site(member_client, member):
    note = notify(member, "test", None, "one")

    response = member_client.post(
        f"/notifications/{note.id}/read", data={"next": "https://evil.test/"}
    )

    assert response.headers["Location"] == "/notifications"


def test_erased_member_gets_no_notifications(db, member):
    from community.accounts import services as accounts
    from tests.factories import PASSWORD

    accounts.erase_account(member, PASSWORD)

    assert notify(member, "test", None, "too late") is None
    assert true_unread(db, member) == 0


def test_long_text_is_shortened_to_fit(member_client, member):
    note = notify(member, "test", None, "x" * 500)

    assert len(note.text) == 200
    assert note.text.endswith("…")


def test_navigation_count_costs_no_query_per_notification(member_client, db, member, count_queries):
    notify(member, "test", None, "only one")
    member_client.get("/")
    with count_queries() as with_one:
        assert nav_count(member_client) == 1

    for n in range(29):
        notify(member, "test", None, f"more {n}")
    member_client.get("/")
    with count_queries() as with_thirty:
        assert nav_count(member_client) == 30

    assert len(with_thirty) == len(with_one)


def test_notifications_page_query_count_does_not_grow_with_rows(
    member_client, member, count_queries
):
    notify(member, "follow", make_user(username="fan0"), "fan0 follows you")
    member_client.get("/notifications")
    with count_queries() as few:
        member_client.get("/notifications")

    for n in range(1, 20):
        notify(member, "follow", make_user(username=f"fan{n}"), f"fan{n} follows you")
    with count_queries() as many:
        member_client.get("/notifications")

    assert len(many) <= len(few)
