"""Stored counters and statements sent together (community/core/db.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, bindparam, select, update

from community.accounts.models import User
from community.core import page_cache
from community.core.db import (
    BigId,
    add_to_counter,
    counter_move,
    prepared,
    run_together,
    together,
    write_together,
)
from community.extensions import db as _db
from community.reputation.models import CategoryReputation, DailyReputation
from tests.conftest import using_postgres
from tests.factories import make_user

DAY = dt.date(2026, 12, 4)


def daily(user_id: int) -> int | None:
    return _db.session.scalar(
        select(DailyReputation.points).where(
            DailyReputation.user_id == user_id, DailyReputation.day == DAY
        )
    )


def daily_move(user_id: int, delta: int):
    return counter_move(
        DailyReputation, "points", delta, user_id=user_id, day=DAY, category_type="", category_id=0
    )


def test_a_counter_row_is_made_at_the_delta_then_moved(db):
    user = make_user()

    add_to_counter(
        DailyReputation, "points", 5, user_id=user.id, day=DAY, category_type="", category_id=0
    )
    add_to_counter(
        DailyReputation, "points", -2, user_id=user.id, day=DAY, category_type="", category_id=0
    )

    assert daily(user.id) == 3


def test_statements_sent_together_all_happen_and_the_last_answers(db, count_queries):
    ann, bob = make_user(username="ann"), make_user(username="bob")
    db.session.flush()

    with count_queries() as statements:
        result = write_together(
            daily_move(ann.id, 4),
            counter_move(
                CategoryReputation,
                "points",
                4,
                user_id=ann.id,
                category_type="forum_category",
                category_id=7,
            ),
            None,  # skipped
            update(User)
            .where(User.id == bob.id)
            .values(reputation=User.reputation + 9)
            .returning(User.reputation),
        )
        answer = result.scalar_one()

    assert answer == 9
    assert daily(ann.id) == 4
    category = select(CategoryReputation.points).where(CategoryReputation.user_id == ann.id)
    assert _db.session.scalar(category) == 4
    # One round trip on PostgreSQL; SQLite runs them one after another.
    assert len(statements) == (1 if using_postgres() else 3)


def test_a_prepared_write_is_built_once_and_runs_with_each_calls_values(db, count_queries):
    built = []

    @prepared
    def raise_reputation(with_daily: bool):
        built.append(with_daily)
        users = User.__table__
        user_id = bindparam("p_user", type_=BigId)
        points = bindparam("p_points", type_=Integer())
        daily_points = counter_move(
            DailyReputation,
            "points",
            points,
            user_id=user_id,
            day=DAY,
            category_type="",
            category_id=0,
        )
        return together(
            daily_points if with_daily else None,
            update(users)
            .where(users.c.id == user_id)
            .values(reputation=users.c.reputation + points)
            .returning(users.c.reputation),
        )

    ann = make_user()
    with count_queries() as statements:
        first = run_together(raise_reputation(True), {"p_user": ann.id, "p_points": 3})
        assert first.scalar_one() == 3
        second = run_together(raise_reputation(True), {"p_user": ann.id, "p_points": 4})
        assert second.scalar_one() == 7
    run_together(raise_reputation(False), {"p_user": ann.id, "p_points": 1})

    assert built == [True, False]  # once per shape (and database)
    assert raise_reputation(True) is raise_reputation(True)
    assert daily(ann.id) == 7
    assert len(statements) == (2 if using_postgres() else 4)


def test_nothing_to_send_sends_nothing(db, count_queries):
    with count_queries() as statements:
        assert write_together(None) is None

    assert statements == []


def test_the_page_cache_sees_every_table_a_combined_statement_writes():
    combined = (
        "WITH write_0 AS (UPDATE user_account SET reputation=1), "
        "write_1 AS (INSERT INTO daily_reputation (points) VALUES (1) "
        "ON CONFLICT (user_id) DO UPDATE SET points = 2) "
        'UPDATE "forum_topic" SET reaction_count=1 RETURNING id'
    )

    assert page_cache._written_tables(combined) == (
        "user_account",
        "daily_reputation",
        "forum_topic",
    )
    assert page_cache._written_tables("WITH x AS (SELECT 1) SELECT * FROM x") == ()
    assert page_cache._written_tables("DELETE FROM forum_reaction WHERE 1") == ("forum_reaction",)
