"""The boards and a profile cost the same number of queries for 10 or 10,000 events."""

import datetime as dt

from sqlalchemy import insert

from community.core.db import utcnow
from community.reputation.models import ReputationEvent
from community.reputation.services.rebuild import rebuild
from tests.conftest import login
from tests.factories import make_user


def _bulk_events(receivers, givers, n: int) -> None:
    now = utcnow()
    rows = [
        {
            "user_id": receivers[i % len(receivers)].id,
            "reason": "post_kudos",
            "requested": 5,
            "points": 5,
            "actor_id": givers[i % len(givers)].id,
            "category_type": "product" if i % 2 else "",
            "category_id": 1 if i % 2 else 0,
            "day": (now - dt.timedelta(days=i % 400)).date(),
            "created_at": now,
        }
        for i in range(n)
    ]
    from community.extensions import db

    db.session.execute(insert(ReputationEvent), rows)
    rebuild()  # the totals and daily roll-ups the pages read
    db.session.commit()


PAGES = [
    "/mavens?period=week",
    "/mavens?period=month",
    "/mavens?period=year",
    "/mavens?period=all",
    "/mavens?period=month&category=product:1",
    "/u/star",
    "/u/star/reputation",
]


def _counts(client, count_queries) -> dict[str, int]:
    counts = {}
    for path in PAGES:
        client.get(path)
        with count_queries() as statements:
            assert client.get(path).status_code == 200, path
        counts[path] = len(statements)
    return counts


def test_boards_and_profile_queries_do_not_grow_from_10_to_10000_events(app, db, count_queries):
    star = make_user(username="star")
    # Odd events carry the category, so "star" is on every board in both datasets.
    members = [make_user(), star, *[make_user() for _ in range(29)]]
    client = app.test_client()
    login(client, star)

    _bulk_events(members, members[::-1], 10)
    few = _counts(client, count_queries)
    _bulk_events(members, members[::-1], 10_000)
    many = _counts(client, count_queries)

    # A board adds one query (the viewer's own place) when the viewer has points in that
    # period but is off the list; beyond that nothing depends on the data's size.
    for path in PAGES:
        assert many[path] <= few[path] + 1, (path, few[path], many[path])
        assert many[path] <= 10, (path, many[path])
