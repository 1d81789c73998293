"""SQLite's transactions (community/core/sqlite.py): a request that writes takes the write
lock as it begins, waiting its turn while another connection writes, and gives up with
"database is locked" when that lasts longer than SQLite's busy timeout.

These tests use their own SQLite file, so they run the same under either test database.
"""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import create_engine, text

from community.core import page_cache
from community.core import sqlite as sqlite_setup


@pytest.fixture()
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'locks.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)"))
    yield engine
    engine.dispose()


def busy_timeout(dbapi_connection) -> int:
    return dbapi_connection.execute("PRAGMA busy_timeout").fetchone()[0]


def holding_the_write_lock(engine):
    """A raw connection inside a write transaction (it holds SQLite's write lock)."""
    holder = engine.raw_connection()
    holder.driver_connection.execute("BEGIN IMMEDIATE")
    return holder


def test_a_writing_request_takes_the_write_lock_when_it_begins(app, engine):
    with app.test_request_context("/", method="POST"), engine.connect() as connection:
        connection.info[page_cache.OFF] = True  # no generation table here
        connection.execute(text("SELECT 1"))
        other = engine.raw_connection()
        try:
            other.driver_connection.execute("PRAGMA busy_timeout=0")
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.driver_connection.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
        connection.execute(text("INSERT INTO note (body) VALUES ('mine')"))
        connection.commit()
        assert busy_timeout(connection.connection.driver_connection) == sqlite_setup.BUSY_TIMEOUT_MS


def test_a_reading_request_begins_without_the_write_lock(app, engine):
    with app.test_request_context("/", method="GET"), engine.connect() as connection:
        connection.execute(text("SELECT count(*) FROM note"))
        other = engine.raw_connection()
        try:
            other.driver_connection.execute("BEGIN IMMEDIATE")  # free: nobody writes
            other.driver_connection.execute("ROLLBACK")
        finally:
            other.close()
        connection.rollback()


def test_a_waiting_writer_goes_in_once_the_lock_is_released(engine):
    holder = holding_the_write_lock(engine)
    released = threading.Event()
    seen: dict[str, object] = {}

    def wait_then_write() -> None:
        waiter = engine.raw_connection()  # SQLite connections stay in their thread
        try:
            sqlite_setup.begin_writing(waiter.driver_connection, wait_seconds=30)
            seen["released first"] = released.is_set()
            waiter.driver_connection.execute("INSERT INTO note (body) VALUES ('second')")
            waiter.driver_connection.execute("COMMIT")
            seen["busy timeout"] = busy_timeout(waiter.driver_connection)
        except BaseException as exc:  # noqa: BLE001 - reported below
            seen["error"] = exc
        finally:
            waiter.close()

    thread = threading.Thread(target=wait_then_write)
    thread.start()
    thread.join(0.2)
    assert thread.is_alive(), "the waiter must wait while the lock is held"
    holder.driver_connection.execute("INSERT INTO note (body) VALUES ('first')")
    released.set()
    holder.driver_connection.execute("COMMIT")
    thread.join(30)
    assert not thread.is_alive()
    assert "error" not in seen, seen.get("error")
    assert seen["released first"] is True
    assert seen["busy timeout"] == sqlite_setup.BUSY_TIMEOUT_MS
    bodies = holder.driver_connection.execute("SELECT body FROM note ORDER BY id").fetchall()
    assert [body for (body,) in bodies] == ["first", "second"]
    holder.close()


def test_a_writer_gives_up_after_the_wait_with_database_locked(engine):
    holder = holding_the_write_lock(engine)
    waiter = engine.raw_connection()
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            sqlite_setup.begin_writing(waiter.driver_connection, wait_seconds=0.05)
        assert not waiter.driver_connection.in_transaction
        assert busy_timeout(waiter.driver_connection) == sqlite_setup.BUSY_TIMEOUT_MS
    finally:
        holder.driver_connection.execute("ROLLBACK")
        holder.close()
        waiter.close()
