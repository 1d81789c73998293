"""Whole pages kept per process until the next write (community/core/page_cache.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from community.core import page_cache
from community.extensions import db as _db
from community.forums.services import moderating, visibility
from tests.conftest import login
from tests.factories import make_user
from tests.forums.factories import make_category, make_reply, make_topic


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL run inside the block (``count_queries`` switches the cache off)."""
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK TO)", statement, re.I):
            seen.append(statement)

    event.listen(_db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(_db.engine, "before_cursor_execute", record)


def generation() -> int:
    return sum(_db.session.execute(select(page_cache.PageGeneration.n)).scalars())


@pytest.fixture()
def topic(db):
    topic = make_topic(title="Battery drains overnight")
    make_reply(topic, body="Same here since the update.")
    db.session.commit()
    return topic


def reloaded(topic):
    """The topic as the services load it (a commit expired the fixture's object)."""
    return visibility.get_topic(make_user(role="team"), topic.id)


def topic_path(topic) -> str:
    return f"/t/{topic.id}/{topic.slug}"


def test_a_second_visit_is_served_from_memory_with_one_query(client, topic):
    first = client.get(topic_path(topic))
    with statements() as seen:
        second = client.get(topic_path(topic))

    assert first.status_code == second.status_code == 200
    assert second.get_data() == first.get_data()
    assert seen == ["SELECT coalesce(sum(n), 0) FROM page_generations"]


def test_a_committed_reply_shows_at_once(client, db, topic):
    client.get(topic_path(topic))

    make_reply(reloaded(topic), body="Fixed by turning off background sync.")
    db.session.commit()

    assert "turning off background sync" in client.get(topic_path(topic)).get_data(as_text=True)


def test_a_hidden_post_disappears_from_a_kept_page(client, db, topic, team_user):
    reply_id = make_reply(reloaded(topic), body="Buy cheap pills at spam.example").id
    db.session.commit()
    assert "cheap pills" in client.get(topic_path(topic)).get_data(as_text=True)

    moderating.hide_post(team_user, visibility.get_post(team_user, reply_id), "spam")
    db.session.commit()

    assert "cheap pills" not in client.get(topic_path(topic)).get_data(as_text=True)


def test_uncommitted_writes_are_never_served_from_memory(client, db, topic):
    client.get(topic_path(topic))

    make_reply(reloaded(topic), body="Not committed yet, but visible in this transaction.")

    assert "Not committed yet" in client.get(topic_path(topic)).get_data(as_text=True)


def test_a_committed_write_moves_the_generation(db, topic):
    before = generation()

    make_reply(reloaded(topic))
    db.session.commit()

    assert generation() > before


def test_each_visitor_gets_their_own_csrf_token(app, db, topic, csrf_enabled):
    first, second = app.test_client(), app.test_client()
    first.get("/")
    page = second.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    response = second.post("/settings/language", data={"csrf_token": token, "locale": "de"})

    assert response.status_code == 302


def test_the_language_is_part_of_the_key(client, topic):
    client.get("/", headers={"Accept-Language": "en"})

    german = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)

    assert 'lang="de"' in german


def test_members_get_their_own_page(app, db):
    ann, bob = make_user(username="ann"), make_user(username="bob")
    db.session.commit()
    ann_client, bob_client = app.test_client(), app.test_client()
    login(ann_client, ann)
    login(bob_client, bob)

    ann_client.get("/mavens")
    page = bob_client.get("/mavens").get_data(as_text=True)

    header = page.split("</header>")[0]
    assert 'href="/u/bob"' in header and 'href="/u/ann"' not in header


def test_forum_pages_are_rendered_afresh_for_members(member_client, topic):
    member_client.get(topic_path(topic))

    with statements() as seen:
        member_client.get(topic_path(topic))

    assert len(seen) > 3


def test_reading_the_forums_leaves_kept_pages_alone(member_client, db, topic):
    before = generation()

    member_client.get(topic_path(topic))
    member_client.get("/forums/")

    assert generation() == before


def test_a_page_with_flashed_messages_is_not_kept(client):
    client.get("/")
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Saved.")]

    assert "Saved." in client.get("/").get_data(as_text=True)
    assert "Saved." not in client.get("/").get_data(as_text=True)


def test_kept_pages_expire(client, topic, monkeypatch):
    client.get(topic_path(topic))
    monkeypatch.setattr(page_cache, "MAX_AGE", 0.0)

    with statements() as seen:
        client.get(topic_path(topic))

    assert len(seen) > 1


def test_no_page_is_kept_when_switched_off(app, client, topic):
    app.config["PAGE_CACHE"] = False
    try:
        client.get(topic_path(topic))
        with statements() as seen:
            client.get(topic_path(topic))
    finally:
        app.config["PAGE_CACHE"] = True

    assert len(seen) > 1


def test_a_category_page_shows_a_new_topic(client, db):
    category = make_category()
    db.session.commit()
    client.get(f"/forums/{category.slug}/")

    make_topic(category, title="Where is the dark mode")
    db.session.commit()

    assert "Where is the dark mode" in client.get(f"/forums/{category.slug}/").get_data(
        as_text=True
    )


def test_a_commit_on_another_connection_moves_the_generation_read_outside_requests(app):
    # What another process sees: its own connection, a real commit (no test transaction).
    with app.app_context():
        before = page_cache._reader.read(_db.engine)
        with _db.engine.begin() as connection:
            connection.exec_driver_sql("UPDATE page_generations SET n = n WHERE shard = 0")

        assert page_cache._reader.read(_db.engine) == before + 1


def test_a_writing_transaction_commits_with_its_bump_and_the_connection_goes_on(app):
    # PostgreSQL sends the bump and the COMMIT together: the commit holds, the driver's
    # own COMMIT finds nothing to do, and the next transaction on the connection begins.
    with app.app_context():
        before = page_cache._reader.read(_db.engine)
        with _db.engine.connect() as connection:
            for _ in range(2):
                with connection.begin():
                    connection.exec_driver_sql("UPDATE page_generations SET n = n WHERE shard = 0")

            # Read on another connection while this one is still checked out.
            assert page_cache._reader.read(_db.engine) == before + 2


def test_a_session_ended_elsewhere_no_longer_gets_the_members_kept_page(app, db):
    ann = make_user(username="ann")
    db.session.commit()
    browser = app.test_client()
    login(browser, ann)
    assert 'href="/u/ann"' in browser.get("/mavens").get_data(as_text=True)

    other = app.test_client()
    login(other, ann)
    other.post("/auth/logout")  # logging out ends every session of the account

    header = browser.get("/mavens").get_data(as_text=True).split("</header>")[0]
    assert 'href="/u/ann"' not in header
