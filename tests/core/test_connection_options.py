"""The options every database connection runs with (config.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import text


def test_postgresql_connections_run_without_jit(db):
    """PostgreSQL's JIT compiled a page's aggregate for longer than the query ran."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("jit is a PostgreSQL server setting; SQLite has no such option")
    assert db.session.scalar(text("SHOW jit")) == "off"
