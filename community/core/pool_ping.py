"""Pinging pooled connections only after they sat idle.

SQLAlchemy's ``pool_pre_ping`` tests every connection it hands out with a round trip to
the database: on a busy server that is one round trip more for every request. A
connection returned to the pool moments ago is alive but for a database restart in
those moments, so it is pinged only when it has been idle for ``DB_PING_AFTER_IDLE``
seconds (0 pings always). A connection found dead is replaced before the request
uses it; after a restart SQLAlchemy also drops the pool's other connections at the
first error one of them raises.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

from community.extensions import db

_IDLE_SINCE = "idle_since"


def init_app(app: Flask) -> None:
    """Ping the app's connections on checkout once idle for ``DB_PING_AFTER_IDLE``."""
    idle_seconds = float(app.config["DB_PING_AFTER_IDLE"])
    with app.app_context():
        for engine in db.engines.values():
            install(engine, idle_seconds)


def install(engine: Engine, idle_seconds: float) -> None:
    """Ping ``engine``'s connections on checkout once idle ``idle_seconds``."""
    dialect = engine.dialect

    def note_idle(dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    def ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is not None and time.monotonic() - idle_since < idle_seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:  # the driver's own error: the connection is gone
            raise exc.DisconnectionError(str(error)) from error

    # On the engine, not its pool: the listeners stay when the engine replaces its pool.
    event.listen(engine, "connect", note_idle)
    event.listen(engine, "checkin", note_idle)
    event.listen(engine, "checkout", ping_if_idle)
