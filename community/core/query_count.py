"""Opt-in ``X-Query-Count`` response header: the SQL statements one request ran.

For the benchmark (bench/run.py), which reads it to report queries per request. Off
unless ``QUERY_COUNT_HEADER`` is set (env ``MITMACH_QUERY_COUNT_HEADER=1``); the setting
is read per request, so a test may switch it on for one request.

Statements are counted as ``count_queries`` in tests/conftest.py counts them: every
cursor execution but SAVEPOINT, RELEASE and ROLLBACK TO (so on SQLite the ``BEGIN``
counts), from the first before_request hook to the last after_request hook.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

HEADER = "X-Query-Count"
_SKIPPED = ("SAVEPOINT", "RELEASE", "ROLLBACK TO")


def init_app(app: Flask) -> None:
    """Add the header to every response while the app's QUERY_COUNT_HEADER is on.

    Call it before the extensions register their own hooks: after_request hooks run in
    reverse order, so this one runs last and sees their statements too.
    """
    if not event.contains(Engine, "before_cursor_execute", _count):
        event.listen(Engine, "before_cursor_execute", _count)
    app.after_request(_add_header)


def _count(conn, cursor, statement, parameters, context, executemany) -> None:
    if not statement.lstrip()[:11].upper().startswith(_SKIPPED):
        note_statement()


def note_statement() -> None:
    """Count one statement of this request (also those run on a raw DBAPI cursor, like
    the page cache's generation read)."""
    if has_request_context() and current_app.config.get("QUERY_COUNT_HEADER"):
        g._query_count = g.get("_query_count", 0) + 1


def _add_header(response: Response) -> Response:
    if current_app.config.get("QUERY_COUNT_HEADER"):
        response.headers[HEADER] = str(g.pop("_query_count", 0))
    return response
