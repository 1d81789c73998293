"""The benchmark's opt-in X-Query-Count header (community/core/query_count.py)."""

from __future__ import annotations

import pytest


@pytest.fixture()
def query_count_header(app):
    """Switch QUERY_COUNT_HEADER on for one test."""
    app.config["QUERY_COUNT_HEADER"] = True
    try:
        yield
    finally:
        app.config["QUERY_COUNT_HEADER"] = False


def test_no_query_count_header_unless_switched_on(client):
    response = client.get("/forums/")

    assert response.status_code == 200
    assert "X-Query-Count" not in response.headers


def test_query_count_header_counts_the_statements_of_the_request(
    member_client, member, count_queries, query_count_header
):
    with count_queries() as statements:
        response = member_client.get(f"/u/{member.username}")

    assert response.status_code == 200
    assert int(response.headers["X-Query-Count"]) == len(statements) > 0


def test_query_count_starts_afresh_with_each_request(client, query_count_header):
    # A page the page cache does not keep (its second visit would take one query).
    first = client.get("/privileges")
    second = client.get("/privileges")

    assert first.headers["X-Query-Count"] == second.headers["X-Query-Count"]
