"""Pooled connections are pinged before use only after sitting idle (core/pool_ping.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, exc, text

from community.core import pool_ping


@pytest.fixture
def url(app, tmp_path) -> str:
    configured = app.config["SQLALCHEMY_DATABASE_URI"]
    if configured.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'ping.db'}"  # a file: a pool of real connections
    return configured


def _engine(app, url: str, idle_seconds: float):
    options = {"pool_size": 1, "max_overflow": 0}
    if not url.startswith("sqlite"):
        options |= app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    engine = create_engine(url, **options)
    pool_ping.install(engine, idle_seconds)
    return engine


def _break_pooled_connection(engine):
    """Use the pool's one connection, return it, then let it die under the pool."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        raw = conn.connection.dbapi_connection
    raw.close()
    return raw


def test_an_idle_connection_is_pinged_and_a_dead_one_replaced(app, url):
    engine = _engine(app, url, idle_seconds=0)
    dead = _break_pooled_connection(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
        assert conn.connection.dbapi_connection is not dead
    engine.dispose()


def test_a_connection_used_moments_ago_is_handed_out_without_a_ping(app, url):
    engine = _engine(app, url, idle_seconds=3600)
    _break_pooled_connection(engine)
    # No ping found it dead: the request's own first statement meets the failure.
    with pytest.raises(exc.DBAPIError), engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    engine.dispose()
