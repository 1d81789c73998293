"""Errors: one handler turns domain errors and HTTP errors into pages or JSON, and
anything unexpected into a plain 500 that rolls the transaction back."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from community import create_app
from community.accounts.models import User
from community.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from community.extensions import db as _db
from tests.conftest import IsolatedClient, _test_config
from tests.factories import make_user

DOMAIN_ERRORS: dict[str, type[DomainError]] = {
    "invalid": InvalidInput,
    "forbidden": PermissionDenied,
    "missing": NotFound,
    "conflict": Conflict,
}
EXPECTED_STATUS = {"invalid": 400, "forbidden": 403, "missing": 404, "conflict": 409}
MESSAGE = "Refused <b>because</b> of a rule"
SECRET = "internal-detail-3f9a"
LEFTOVER = "leftover-row"


@pytest.fixture(scope="module")
def boom_app() -> Flask:
    """A separate app with routes that fail on purpose (the shared app is already serving)."""
    app = create_app(_test_config())
    app.test_client_class = IsolatedClient
    rows_seen_after: list[int] = []
    app.extensions["rows_seen_after"] = rows_seen_after

    def fail_with(kind: str):
        make_user(username=LEFTOVER)  # flushed: must not survive the error
        if kind == "crash":
            raise RuntimeError(SECRET)
        raise DOMAIN_ERRORS[kind](MESSAGE)

    app.add_url_rule("/boom/<kind>", "boom", fail_with)
    app.add_url_rule("/api/v1/boom/<kind>", "api_boom", fail_with)

    @app.after_request
    def count_leftovers(response):
        # Runs in the failed request's own session, before teardown could hide a missing
        # rollback: the flushed row must already be gone here.
        stmt = select(func.count()).select_from(User).where(User.username == LEFTOVER)
        rows_seen_after.append(_db.session.scalar(stmt))
        return response

    return app


@pytest.fixture()
def boom(boom_app, db):
    boom_app.extensions["rows_seen_after"].clear()
    return boom_app


def rows_seen_after(app: Flask) -> list[int]:
    return app.extensions["rows_seen_after"]


@pytest.mark.parametrize("kind", sorted(DOMAIN_ERRORS))
def test_domain_error_gives_an_html_page_with_its_status(boom, kind):
    response = boom.test_client().get(f"/boom/{kind}")

    assert response.status_code == EXPECTED_STATUS[kind]
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Refused &lt;b&gt;because&lt;/b&gt; of a rule" in page
    assert "<b>because</b>" not in page
    assert rows_seen_after(boom) == [0]


@pytest.mark.parametrize("kind", sorted(DOMAIN_ERRORS))
def test_domain_error_under_api_gives_json_with_its_status(boom, kind):
    response = boom.test_client().get(f"/api/v1/boom/{kind}")

    assert response.status_code == EXPECTED_STATUS[kind]
    assert response.get_json() == {"error": {"code": DOMAIN_ERRORS[kind].code, "message": MESSAGE}}
    assert rows_seen_after(boom) == [0]


def test_domain_error_status_codes_are_the_documented_ones():
    assert {kind: cls.status for kind, cls in DOMAIN_ERRORS.items()} == EXPECTED_STATUS


def test_unexpected_error_gives_a_plain_500_page_and_rolls_back(boom, monkeypatch):
    monkeypatch.setitem(boom.config, "RENDER_500_IN_TESTS", True)

    response = boom.test_client().get("/boom/crash")

    assert response.status_code == 500
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert SECRET not in page
    assert "Traceback" not in page
    assert "RuntimeError" not in page
    assert rows_seen_after(boom) == [0]


def test_unexpected_error_under_api_gives_json_500(boom, monkeypatch):
    monkeypatch.setitem(boom.config, "RENDER_500_IN_TESTS", True)

    response = boom.test_client().get("/api/v1/boom/crash")

    assert response.status_code == 500
    body = response.get_json()
    assert body["error"]["code"] == "server_error"
    assert SECRET not in response.get_data(as_text=True)
    assert rows_seen_after(boom) == [0]


def test_unexpected_error_is_raised_in_tests_unless_asked_to_render(boom):
    # So ordinary tests see the real traceback instead of a 500 page.
    with pytest.raises(RuntimeError, match=SECRET):
        boom.test_client().get("/boom/crash")


def test_unknown_page_is_an_html_404(client):
    response = client.get("/no/such/page")

    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/no/such/thing")

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_wrong_method_is_a_405_naming_the_allowed_ones(client):
    response = client.get("/auth/logout")

    assert response.status_code == 405
    assert response.mimetype == "text/html"
    assert "POST" in response.headers["Allow"]


def test_wrong_method_under_api_is_a_json_405(client):
    response = client.delete("/api/v1/me")

    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_client_asking_for_json_gets_json_errors_outside_the_api(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "path", ["/api/v1/topics/18446744073709551616", "/ideas/9223372036854775808"]
)
def test_an_id_too_big_for_the_database_is_not_found(client, db, path):
    # Not a database error (PostgreSQL refuses numbers beyond BIGINT).
    assert client.get(path).status_code == 404
