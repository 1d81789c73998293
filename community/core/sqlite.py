"""SQLite, the embedded default: each connection's settings and how a transaction begins.

SQLite lets one writer in at a time. A writer that finds the write lock taken waits in
SQLite's busy handler, which sleeps 1, 2, 5, 10 ... then 100 ms between tries, so under a
steady stream of writes from two workers a write could wait over a second (p99 of API
replies 1.6 s). A request that writes therefore asks for the lock itself, every
``WRITER_POLL_SECONDS``, for as long as SQLite's own ``busy_timeout`` would have waited
(p99 of the same replies: 0.25 s). Throughput stays what one writer at a time allows.
"""

from __future__ import annotations

import sqlite3
import time

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from community.core import query_count

BUSY_TIMEOUT_MS = 5000
WRITER_POLL_SECONDS = 0.0005

# Requests that may write take SQLite's write lock when their transaction begins: a
# deferred transaction that read first cannot upgrade while another writer holds the
# lock ("database is locked" at once, busy_timeout does not apply), while an immediate
# one waits its turn.
WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(Engine, "connect")
def _configure(dbapi_connection, connection_record) -> None:
    if not _is_sqlite(dbapi_connection):
        return
    # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin(connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    if has_request_context() and request.method in WRITING_METHODS:
        begin_writing(connection.connection.dbapi_connection)
    else:
        connection.exec_driver_sql("BEGIN")


def begin_writing(dbapi_connection, wait_seconds: float = BUSY_TIMEOUT_MS / 1000) -> None:
    """``BEGIN IMMEDIATE``: take the write lock, trying again every
    ``WRITER_POLL_SECONDS`` while another connection holds it, for at most
    ``wait_seconds``; then "database is locked" as before."""
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
                query_count.note_statement()
                return
            except sqlite3.OperationalError as exc:
                if not _busy(exc) or time.monotonic() >= deadline:
                    raise
            time.sleep(WRITER_POLL_SECONDS)
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _busy(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorcode", sqlite3.SQLITE_BUSY) & 0xFF == sqlite3.SQLITE_BUSY
