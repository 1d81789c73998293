"""Fixtures: one app per session, each test inside a transaction that is rolled back."""

from __future__ import annotations

import contextvars
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from community import create_app
from community.core import mail, page_cache
from community.extensions import Session
from community.extensions import db as _db
from config import TestConfig
from tests.factories import PASSWORD, make_user


class IsolatedClient(FlaskClient):
    """A test client whose requests never share the test's app context.

    Flask reuses an app context that is already pushed, so ``g`` (the logged-in user,
    the branding) would leak from the test body and between requests. Running each
    request in an empty ``contextvars.Context`` gives it its own app context, as in
    production.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def _test_config() -> type[TestConfig]:
    """TestConfig; on PostgreSQL each run gets its own schema, so runs never collide."""
    if not TestConfig.SQLALCHEMY_DATABASE_URI.startswith("postgresql"):
        return TestConfig

    class PerRunSchemaConfig(TestConfig):
        SCHEMA = f"test_run_{os.getpid()}"
        SQLALCHEMY_ENGINE_OPTIONS = {
            **TestConfig.SQLALCHEMY_ENGINE_OPTIONS,
            "connect_args": {"options": f"-csearch_path={SCHEMA}"},
        }

    return PerRunSchemaConfig


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    config = _test_config()
    app = create_app(config)
    app.test_client_class = IsolatedClient
    schema = getattr(config, "SCHEMA", None)
    with app.app_context():
        if schema:
            with _db.engine.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
                conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        _db.create_all()
        yield app
        _db.session.remove()
        if schema:
            with _db.engine.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        else:
            _db.drop_all()
        _db.engine.dispose()


@pytest.fixture()
def db(app: Flask):
    """The database, with everything the test does rolled back afterwards."""
    connection = _db.engine.connect()
    connection.info[page_cache.RELEASE_COMMITS] = True
    transaction = connection.begin()
    original = _db.session
    _db.session = _db._make_scoped_session(
        {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": Session}
    )
    mail.outbox.clear()
    page_cache.clear(app)  # the generation rolls back with each test
    try:
        yield _db
    finally:
        _db.session.remove()
        _db.session = original
        transaction.rollback()
        connection.info.pop(page_cache.RELEASE_COMMITS, None)
        connection.close()


@pytest.fixture()
def client(app: Flask, db):
    return app.test_client()


def login(client, user, password: str = PASSWORD) -> None:
    """Log ``client`` in as ``user`` through the real login form."""
    response = client.post("/auth/login", data={"login": user.username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture()
def member(db):
    return make_user(username="member1")


@pytest.fixture()
def team_user(db):
    return make_user(username="teamer", role="team")


@pytest.fixture()
def admin_user(db):
    return make_user(username="admin1", role="admin")


@pytest.fixture()
def member_client(app, db, member):
    client = app.test_client()
    login(client, member)
    return client


@pytest.fixture()
def team_client(app, db, team_user):
    client = app.test_client()
    login(client, team_user)
    return client


@pytest.fixture()
def admin_client(app, db, admin_user):
    client = app.test_client()
    login(client, admin_user)
    return client


@pytest.fixture()
def csrf_enabled(app):
    """Switch CSRF protection on for one test."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture()
def count_queries(app, db):
    """Context manager counting the SQL statements run inside it, with the page cache off:
    the bounds are those of rendering the page (tests/core/test_page_cache.py counts hits)."""

    @contextmanager
    def counter() -> Iterator[list[str]]:
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK TO)", statement, re.I):
                statements.append(statement)

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", record)
        app.config["PAGE_CACHE"] = False
        try:
            yield statements
        finally:
            app.config["PAGE_CACHE"] = True
            event.remove(engine, "before_cursor_execute", record)

    return counter


def csrf_token(client, path: str = "/auth/login") -> str:
    """A valid CSRF token of ``client``'s session, scraped from a page."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no csrf token on " + path
    return match.group(1)


def using_postgres() -> bool:
    return os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")
