"""Whole pages kept per process for as long as nothing in the database changed.

Every transaction that writes bumps a generation counter as the last statement of its
commit (the table ``page_generations``: one row per process modulo 8, so concurrent
writers rarely wait on one row; the generation is their sum). A page marked
``@cached_page`` is kept under a key made of the generation read at the start of the
request, the viewer (anonymous, or the signed session's member id and session version),
what the language is chosen from and the full URL, so a hit is exactly what the view
would render from the data as it is now, whatever other processes wrote. Entries also
expire after ``MAX_AGE`` seconds, for what changes with the clock alone (the week's
board after Monday, a suspension running out).

Reading the generation before the page's own queries is what keeps it safe: a page is
never stored under a generation newer than the data it shows.

Not cached: other methods than GET/HEAD, pages with flashed messages, requests that wrote
(a forum page records the reader's visit) or that changed the session, non-200 answers,
and requests on a connection still holding uncommitted writes (tests). The CSRF token in
a stored page is replaced by the requester's own on every hit.
"""

from __future__ import annotations

import functools
import os
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, request, session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import BigInteger, Integer, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.pool import QueuePool

from community.core import query_count
from community.extensions import db

SHARDS = 8
# Seconds a page is served from memory at most, even when nothing was written.
MAX_AGE = 60.0
# Stored bytes per process; when full the cache starts over.
MAX_BYTES = 64 * 1024 * 1024

_WROTE = "mitmach_page_cache_wrote"
# Set on a connection whose writes keep no page count (migrations/env.py: the generation
# table may not exist yet).
OFF = "mitmach_page_cache_off"
# Set on a connection whose savepoint releases stand for commits (the tests' outer one).
RELEASE_COMMITS = "mitmach_page_cache_release_commits"
# A statement that writes, and the table it writes ("UPDATE SET" is ON CONFLICT's).
_WRITE = (
    r"(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE(?!\s+SET\b)|DELETE\s+FROM)"
    r"\s+\"?(\w+)"
)
_DML = re.compile(r"\s*" + _WRITE, re.I)
_DML_PART = re.compile(r"(?:^|[(\s])" + _WRITE, re.I)
# Tables whose rows only their own member sees, on pages never kept for members.
_PRIVATE_TABLES: set[str] = set()
_CSRF_SLOT = "__mitmach_csrf_token__"
_BUMP = {
    "qmark": "UPDATE page_generations SET n = n + 1 WHERE shard = ?",
    "format": "UPDATE page_generations SET n = n + 1 WHERE shard = %s",
}
_ADD_SHARD = {
    "qmark": "INSERT INTO page_generations (shard, n) VALUES (?, 0) ON CONFLICT DO NOTHING",
    "format": "INSERT INTO page_generations (shard, n) VALUES (%s, 0) ON CONFLICT DO NOTHING",
}
# PostgreSQL: the bump and the COMMIT in one round trip (a simple query of two
# statements; the shard is our own integer). The driver's COMMIT that follows finds the
# transaction ended and sends nothing. A shard row that was deleted comes back.
_BUMP_AND_COMMIT = (
    "INSERT INTO page_generations (shard, n) VALUES ({shard:d}, 1) "
    "ON CONFLICT (shard) DO UPDATE SET n = page_generations.n + 1; COMMIT"
)
_GENERATION = "SELECT coalesce(sum(n), 0) FROM page_generations"
_KEY = "_page_cache_key"


class PageGeneration(db.Model):
    """One shard of the write counter; the generation is the sum over all shards."""

    __tablename__ = "page_generations"

    shard: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class _Store:
    """One app's pages: {key: (stored at, body, headers)} for a single generation."""

    def __init__(self) -> None:
        self.generation = -1
        self.pages: dict[tuple[Any, ...], tuple[float, str, list[tuple[str, str]]]] = {}
        self.size = 0

    def clear(self) -> None:
        self.pages.clear()
        self.size = 0

    def at_generation(self, generation: int) -> None:
        # Pages of an older generation can never be served again.
        if generation != self.generation:
            self.clear()
            self.generation = generation

    def put(self, key: tuple[Any, ...], body: str, headers: list[tuple[str, str]]) -> None:
        if self.size + len(body) > MAX_BYTES:
            self.clear()
        self.pages[key] = (time.monotonic(), body, headers)
        self.size += len(body)


def init_app(app: Flask) -> None:
    """Keep pages for this app (``PAGE_CACHE`` off: never). Call it before the other
    extensions add their request hooks: a kept page is served before any of them runs."""
    app.extensions["page_cache"] = _Store()
    app.before_request(_serve_kept_page)
    if not event.contains(Engine, "before_cursor_execute", _note_write):
        event.listen(Engine, "before_cursor_execute", _note_write)
        event.listen(Engine, "commit", _bump_before_commit)
        event.listen(Engine, "release_savepoint", _bump_on_release)
        event.listen(Engine, "rollback", _forget_writes)


def clear(app: Flask) -> None:
    """Forget every kept page (tests roll the generation back with their transaction)."""
    app.extensions["page_cache"].clear()


def cached_page(view: Callable[..., Any] | None = None, *, members: bool = True) -> Any:
    """Serve ``view``'s page from memory while the database is unchanged; with
    ``members=False`` only to anonymous visitors (pages whose forms carry a one-time key,
    or whose reading writes the member's read state).

    Only for pages that depend on nothing but the data, the viewer, the language and the
    URL (no cookie, header or random choice of their own). Decorators outside it (a
    login check) run only when the page is rendered: a page is kept only for a viewer
    it was rendered for, so a hit never skips a check that viewer failed."""
    if view is None:
        return functools.partial(cached_page, members=members)

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = g.pop(_KEY, None)
        if key is None:
            return view(*args, **kwargs)
        before = dict(session)
        response = current_app.make_response(view(*args, **kwargs))
        if _storable(response, before):
            _store(current_app.extensions["page_cache"], key, response)
        return response

    wrapper.page_cache_members = members  # type: ignore[attr-defined]
    return wrapper


def _serve_kept_page() -> Response | None:
    view = current_app.view_functions.get(request.endpoint or "")
    members = getattr(view, "page_cache_members", None)
    if members is None:
        return None
    key = _key(members)
    if key is None:
        return None
    hit = current_app.extensions["page_cache"].pages.get(key)
    if hit is not None and time.monotonic() - hit[0] < MAX_AGE:
        return _serve(hit[1], hit[2])
    g.setdefault(_KEY, key)
    return None


def _key(members: bool) -> tuple[Any, ...] | None:
    if not current_app.config.get("PAGE_CACHE", True) or request.method not in ("GET", "HEAD"):
        return None
    if "_flashes" in session or "Authorization" in request.headers:
        return None
    viewer = _viewer(members)
    if viewer is None:
        return None
    generation = _generation()
    if generation is None:
        return None
    current_app.extensions["page_cache"].at_generation(generation)
    # What the language is chosen from (the member's own setting is data of the
    # generation); pages link with paths only, so the host is not part of the key.
    languages = current_app.config["LANGUAGES"]
    language = (session.get("locale"), request.accept_languages.best_match(languages))
    return (generation, viewer, language, request.full_path)


def _viewer(members: bool) -> str | None:
    """Who the page is for, without loading the member: "" for an anonymous visitor, else
    the signed session's ``"<id>:<session version>"``. A page is kept under it only after
    Flask-Login accepted that session when rendering it, and whatever ends the session
    (logout elsewhere, suspension, erasure) is a write: a new generation. None: not kept
    (a member on an anonymous-only page; a remember-me cookie, which logs in right now)."""
    user_id = session.get("_user_id")
    if user_id is None:
        if request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")):
            return None
        return ""
    return str(user_id) if members else None


def _generation() -> int | None:
    """The sum of the shards; None while the session's connection holds writes not yet
    committed (the generation lags them) or when the database cannot be read."""
    bind = db.session.session_factory.kw.get("bind")
    if isinstance(bind, Connection):  # a session bound to one connection (the tests)
        if bind.info.get(_WROTE):
            return None
        return int(bind.exec_driver_sql(_GENERATION).scalar_one())
    return _reader.read(db.engine)


class _Reader(threading.local):
    """Each thread's own autocommit connection, outside the pool: reading the generation
    is one round trip (no checkout, ping, BEGIN or ROLLBACK)."""

    pid: int | None = None
    connection: Any = None

    def read(self, engine: Engine) -> int | None:
        if not isinstance(engine.pool, QueuePool):
            # One shared connection (SQLite in memory): read through it like any query.
            with engine.connect() as connection:
                return int(connection.exec_driver_sql(_GENERATION).scalar_one())
        if self.pid != os.getpid() or self.connection is None:
            # After a fork the parent's connection is not ours to use.
            fairy = engine.raw_connection()
            fairy.detach()
            self.connection, self.pid = fairy.dbapi_connection, os.getpid()
            if engine.dialect.name != "sqlite":  # pysqlite here is in autocommit already
                self.connection.autocommit = True
        try:
            cursor = self.connection.cursor()
            cursor.execute(_GENERATION)
            (generation,) = cursor.fetchone()
            cursor.close()
        except engine.dialect.loaded_dbapi.Error:
            self.connection = None  # reconnect next time; this page is not kept
            return None
        query_count.note_statement()
        return int(generation)


_reader = _Reader()


def _storable(response: Response, session_before: dict[str, Any]) -> bool:
    if response.status_code != 200 or response.mimetype != "text/html":
        return False
    if response.direct_passthrough or response.is_streamed or "Set-Cookie" in response.headers:
        return False
    if g.get(_WROTE):
        return False
    # The CSRF token (replaced on every hit) and Flask-Login's freshness flag aside.
    ignored = {current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), "_fresh"}
    after = {k: v for k, v in session.items() if k not in ignored}
    return after == {k: v for k, v in session_before.items() if k not in ignored}


def _store(store: _Store, key: tuple[Any, ...], response: Response) -> None:
    body = response.get_data(as_text=True)
    token = g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if token:
        body = body.replace(token, _CSRF_SLOT)
    headers = [(k, v) for k, v in response.headers.items() if k != "Content-Length"]
    store.put(key, body, headers)


def _serve(body: str, headers: list[tuple[str, str]]) -> Response:
    if _CSRF_SLOT in body:
        body = body.replace(_CSRF_SLOT, generate_csrf())
    return Response(body, status=200, headers=headers)


# The write counter. Writes are noticed per DBAPI connection (``Connection.info``), and
# the bump goes through the raw cursor, so it happens in the same commit as the writes
# whichever way they were made (session, Core, CLI) and fires no events of its own.


def ignore_writes_to(*tables: str) -> None:
    """Writes to ``tables`` leave kept pages alone: their rows are shown only to their own
    member, on pages marked ``members=False`` (the forums' read state)."""
    _PRIVATE_TABLES.update(tables)


@functools.lru_cache(maxsize=2048)
def _written_tables(statement: str) -> tuple[str, ...]:
    """The tables a statement writes: its own, or (``WITH`` ...) every data-modifying
    part's, as ``core.db.write_together`` sends them on PostgreSQL."""
    if statement.lstrip()[:4].upper() == "WITH":
        return tuple(name.lower() for name in _DML_PART.findall(statement))
    written = _DML.match(statement)
    return (written.group(1).lower(),) if written else ()


def _note_write(conn, cursor, statement, parameters, context, executemany) -> None:
    if any(name not in _PRIVATE_TABLES for name in _written_tables(statement)):
        conn.info[_WROTE] = True
        if has_request_context():
            g.setdefault(_WROTE, True)


def _bump_before_commit(conn) -> None:
    if conn.info.pop(_WROTE, False):
        _bump(conn, committing=True)


def _bump_on_release(conn, name, context) -> None:
    # Only where releasing a savepoint stands for a commit (the test suite's connection,
    # marked by tests/conftest.py): elsewhere a bump inside a transaction would hold a
    # shard row until its end, and two shards taken in different orders deadlock.
    if conn.info.get(RELEASE_COMMITS) and conn.info.pop(_WROTE, False):
        _bump(conn)


def _forget_writes(conn) -> None:
    conn.info.pop(_WROTE, None)


def _bump(conn, committing: bool = False) -> None:
    """Move this process's shard; ``committing`` (the transaction's own commit, not a
    savepoint standing for one) lets PostgreSQL commit in the same round trip."""
    if conn.info.get(OFF):
        return
    # One row per process: a transaction bumps once, as its last statement, so it never
    # holds one shard while waiting for another.
    shard = os.getpid() % SHARDS
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        if committing and conn.dialect.name == "postgresql":
            cursor.execute(_BUMP_AND_COMMIT.format(shard=shard), prepare=False)
            return
        style = "qmark" if conn.dialect.paramstyle == "qmark" else "format"
        cursor.execute(_BUMP[style], (shard,))
        if cursor.rowcount == 0:  # the shard rows were deleted: never serve stale pages
            cursor.execute(_ADD_SHARD[style], (shard,))
            cursor.execute(_BUMP[style], (shard,))
    finally:
        cursor.close()


@event.listens_for(PageGeneration.__table__, "after_create")
def _create_shards(table, connection, **kwargs) -> None:
    connection.execute(table.insert(), [{"shard": s, "n": 0} for s in range(SHARDS)])
