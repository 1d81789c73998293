"""Guarantees under real concurrent clients (PostgreSQL: separate connections, commits).

These tests commit for real, so they clean up after themselves instead of relying on the
rolled-back ``db`` fixture.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import delete, func, select

from community.accounts import services as accounts
from community.accounts.models import User
from community.core.errors import DomainError
from community.extensions import db
from community.notifications.models import Notification
from community.notifications.services import notify
from community.reputation import services as reputation
from community.reputation.models import (
    BadgeAward,
    BadgeCount,
    CategoryReputation,
    DailyReputation,
    PeriodLadder,
    PeriodReputation,
    ReputationDay,
    ReputationEvent,
)
from community.reputation.rules import DAILY_CAP
from tests.conftest import using_postgres

pytestmark = pytest.mark.skipif(
    not using_postgres(), reason="needs PostgreSQL's concurrent connections; runs in CI"
)

CLIENTS = 8


def run_concurrently(
    app, work: Callable[[int], None], clients: int = CLIENTS
) -> list[BaseException | None]:
    """Run ``work(n)`` in ``clients`` threads, each with its own app context and connection,
    released together by a barrier; each commits its own transaction."""
    barrier = threading.Barrier(clients)
    outcomes: list[BaseException | None] = [None] * clients

    def client(n: int) -> None:
        with app.test_request_context("/"):
            barrier.wait()
            try:
                work(n)
                db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - the outcome is what we test
                db.session.rollback()
                outcomes[n] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture()
def cleanup(app):
    names: list[str] = []
    yield names
    with app.app_context():
        ids = select(User.id).where(User.username_key.in_(names)).scalar_subquery()
        db.session.execute(delete(Notification).where(Notification.user_id.in_(ids)))
        for model in (
            BadgeAward,
            ReputationEvent,
            CategoryReputation,
            DailyReputation,
            PeriodReputation,
            ReputationDay,
        ):
            db.session.execute(delete(model).where(model.user_id.in_(ids)))
        # Holder counts and board ladders are committed only by these tests: start the
        # next one from zero.
        db.session.execute(delete(BadgeCount))
        db.session.execute(delete(PeriodLadder))
        db.session.execute(delete(User).where(User.username_key.in_(names)))
        db.session.commit()
        db.session.remove()


def test_simultaneous_registrations_of_one_name_create_exactly_one_account(app, cleanup):
    cleanup.append("racer")

    outcomes = run_concurrently(
        app,
        lambda n: accounts.create_user("Racer", f"racer{n}@example.com", "long enough pw"),
    )

    with app.app_context():
        count = db.session.scalar(select(func.count()).where(User.username_key == "racer"))
        db.session.remove()
    assert count == 1
    refused = [o for o in outcomes if o is not None]
    assert len(refused) == CLIENTS - 1
    assert all(isinstance(o, DomainError) and o.field == "username" for o in refused)


def test_simultaneous_notifications_keep_the_unread_count_exact(app, cleanup):
    cleanup.append("busy")
    with app.app_context():
        accounts.create_user("busy", "busy@example.com", "long enough pw")
        db.session.commit()
        db.session.remove()

    def work(n: int) -> None:
        user = db.session.scalar(select(User).where(User.username_key == "busy"))
        notify(user, "test", None, f"hello {n}")

    outcomes = run_concurrently(app, work)

    assert outcomes == [None] * CLIENTS
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username_key == "busy"))
        assert user.unread_notifications == CLIENTS
        db.session.remove()


def test_fifty_concurrent_awards_end_with_the_exact_total_and_the_cap_respected(app, cleanup):
    cleanup.extend(["star", "fan"])
    with app.app_context():
        accounts.create_user("star", "star@example.com", "long enough pw")
        accounts.create_user("fan", "fan@example.com", "long enough pw")
        db.session.commit()
        db.session.remove()

    def work(n: int) -> None:
        star = db.session.scalar(select(User).where(User.username_key == "star"))
        fan = db.session.scalar(select(User).where(User.username_key == "fan"))
        # 25 capped votes (250 asked, 200 allowed) and 25 exempt accepted answers.
        reason = "idea_upvoted" if n % 2 else "answer_accepted"
        reputation.record(star, reason, fan, fan, category=("product", 1))

    outcomes = run_concurrently(app, work, clients=50)

    assert outcomes == [None] * 50
    with app.app_context():
        star = db.session.scalar(select(User).where(User.username_key == "star"))
        expected = DAILY_CAP + 25 * 15
        assert star.reputation == expected
        ledger = db.session.scalar(
            select(func.sum(ReputationEvent.points)).where(ReputationEvent.user_id == star.id)
        )
        assert ledger == expected
        category = db.session.scalar(
            select(CategoryReputation.points).where(CategoryReputation.user_id == star.id)
        )
        assert category == expected
        db.session.remove()
