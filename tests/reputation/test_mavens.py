"""Market mavens: leaderboards, "top x%", the maven score, monthly designations, perks."""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest
from sqlalchemy import func, insert, select, update

from community.accounts import services as accounts
from community.accounts.models import AnonymousUser, User
from community.core import subjects
from community.core.db import dialect_insert, utcnow, write_together
from community.core.errors import InvalidInput, NotFound
from community.extensions import db as _db
from community.notifications.models import Notification
from community.reputation import services as reputation
from community.reputation.models import (
    ALL_CATEGORIES,
    ALL_TIME,
    CategoryReputation,
    DailyReputation,
    MavenDesignation,
    MavenScore,
    PeriodLadder,
    PeriodReputation,
    ReputationEvent,
    period_key,
    period_moves,
    period_starts,
)
from community.reputation.services import ledger as ledger_service
from community.reputation.services import mavens
from community.reputation.services.mavens import boards
from community.reputation.services.rebuild import rebuild
from tests.conftest import login
from tests.factories import PASSWORD, make_user

PRODUCT_1 = ("product", 1)
PRODUCT_2 = ("product", 2)


class Thing:
    """A stand-in subject: features' models are ledger subjects by table name and id."""

    __tablename__ = "thing"

    def __init__(self, thing_id: int) -> None:
        self.id = thing_id


def rollup(user, day: dt.date, points: int, category=("", 0)) -> None:
    """A day's roll-up, with the period roll-ups the ledger moves with it."""
    _db.session.execute(
        insert(DailyReputation).values(
            user_id=user.id,
            day=day,
            category_type=category[0],
            category_id=category[1],
            points=points,
        )
    )
    in_category = None if category == ALL_CATEGORIES else category
    write_together(*period_moves(user.id, points, period_starts(day), in_category))


def set_reputation(user, points: int, category=None) -> None:
    """Set a member's all-time total (overall or in a category), where the ledger keeps it."""
    if category is None:
        _db.session.execute(update(User).where(User.id == user.id).values(reputation=points))
    else:
        _db.session.execute(
            insert(CategoryReputation).values(
                user_id=user.id, category_type=category[0], category_id=category[1], points=points
            )
        )
    category_type, category_id = category or ALL_CATEGORIES
    key = {
        "period": "all",
        "starts_on": ALL_TIME,
        "category_type": category_type,
        "category_id": category_id,
        "user_id": user.id,
    }
    _db.session.execute(
        dialect_insert(PeriodReputation.__table__)
        .values(**key, points=points)
        .on_conflict_do_update(index_elements=list(key), set_={"points": points})
    )
    _db.session.expire(user)


def names(board) -> list[str]:
    return [entry.user.username for entry in board.entries]


# ---------------------------------------------------------------- leaderboards


def test_weeks_start_on_monday_and_months_and_years_on_their_first_day():
    wednesday = dt.date(2026, 7, 1)
    assert mavens.period_start("week", wednesday) == dt.date(2026, 6, 29)
    assert mavens.period_start("month", wednesday) == dt.date(2026, 7, 1)
    assert mavens.period_start("year", wednesday) == dt.date(2026, 1, 1)
    assert mavens.period_start("all", wednesday) is None


def test_each_board_adds_up_only_its_own_periods_rollups(db):
    today = dt.date(2026, 6, 17)  # a Wednesday
    this_week = make_user(username="thisweek")
    this_month = make_user(username="thismonth")
    this_year = make_user(username="thisyear")
    last_year = make_user(username="lastyear")
    rollup(this_week, dt.date(2026, 6, 15), 4)  # Monday
    rollup(this_week, dt.date(2026, 6, 17), 5, PRODUCT_1)
    rollup(this_month, dt.date(2026, 6, 14), 30)  # the Sunday before
    rollup(this_year, dt.date(2026, 5, 31), 40)
    rollup(last_year, dt.date(2025, 12, 31), 50)
    for user, total in ((this_week, 9), (this_month, 30), (this_year, 40), (last_year, 50)):
        set_reputation(user, total)

    def board(period):
        return mavens.board(period, None, AnonymousUser(), today=today)

    assert [(e.user.username, e.points) for e in board("week").entries] == [("thisweek", 9)]
    assert names(board("month")) == ["thismonth", "thisweek"]
    assert names(board("year")) == ["thisyear", "thismonth", "thisweek"]
    assert names(board("all")) == ["lastyear", "thisyear", "thismonth", "thisweek"]


def test_the_page_shows_this_weeks_points_and_older_ones_only_all_time(client, db):
    fresh, old = make_user(username="fresh"), make_user(username="old")
    rollup(fresh, utcnow().date(), 12)
    rollup(old, utcnow().date() - dt.timedelta(days=400), 99)
    set_reputation(fresh, 12)
    set_reputation(old, 99)
    db.session.commit()

    week = client.get("/mavens?period=week").get_data(as_text=True)
    all_time = client.get("/mavens?period=all").get_data(as_text=True)

    assert 'href="/u/fresh"' in week and 'href="/u/old"' not in week
    assert all_time.index('href="/u/old"') < all_time.index('href="/u/fresh"')


def test_team_and_erased_accounts_are_not_ranked(db):
    member = make_user(username="plain")
    team = make_user(username="staff", role="team")
    gone = make_user(username="gone")
    for user in (member, team, gone):
        rollup(user, utcnow().date(), 10)
        set_reputation(user, 10)
    accounts.anonymise(gone)
    db.session.flush()

    for period in mavens.PERIODS:
        assert names(mavens.board(period, None, AnonymousUser())) == ["plain"], period


def test_ties_share_a_place(db):
    a, b, c = make_user(username="a1x"), make_user(username="b1x"), make_user(username="c1x")
    for user, points in ((a, 20), (b, 20), (c, 5)):
        set_reputation(user, points)
    board = mavens.board("all", None, AnonymousUser())
    assert [e.rank for e in board.entries] == [1, 1, 3]


def test_a_category_board_counts_only_that_category(client, db):
    one, two = make_user(username="prodone"), make_user(username="prodtwo")
    today = utcnow().date()
    rollup(one, today, 30, PRODUCT_1)
    rollup(two, today, 50, PRODUCT_2)
    rollup(two, today, 5, PRODUCT_1)
    set_reputation(one, 30, PRODUCT_1)
    set_reputation(two, 50, PRODUCT_2)
    set_reputation(two, 5, PRODUCT_1)
    db.session.commit()

    for period in mavens.PERIODS:
        board = mavens.board(period, PRODUCT_1, AnonymousUser())
        assert [(e.user.username, e.points) for e in board.entries] == [
            ("prodone", 30),
            ("prodtwo", 5),
        ]
    page = client.get("/mavens?period=month&category=product:2").get_data(as_text=True)
    assert "Mavens of product #2" in page
    assert 'href="/u/prodtwo"' in page and 'href="/u/prodone"' not in page


def test_categories_are_named_by_their_feature_and_hidden_ones_are_404(client, db):
    subjects.register(
        "test_shelf",
        urls=lambda ids: {},
        visible=lambda viewer, ids: {i for i in ids if i != 2},
        labels=lambda ids: {i: f"Shelf {i}" for i in ids},
    )
    try:
        user = make_user(username="shelver")
        rollup(user, utcnow().date(), 8, ("test_shelf", 1))
        set_reputation(user, 8, ("test_shelf", 1))
        set_reputation(user, 3, ("test_shelf", 2))
        db.session.commit()

        page = client.get("/mavens?category=test_shelf:1").get_data(as_text=True)
        assert "Mavens of Shelf 1" in page
        assert '<option value="test_shelf:2"' not in page
        assert client.get("/mavens?category=test_shelf:2").status_code == 404
        with pytest.raises(NotFound):
            mavens.board("all", ("test_shelf", 2), AnonymousUser())
    finally:
        subjects._KINDS.pop("test_shelf", None)


def test_bad_period_or_category_is_refused(client, db):
    with pytest.raises(InvalidInput):
        mavens.parse_period("decade")
    with pytest.raises(InvalidInput):
        mavens.parse_category("product")
    assert client.get("/mavens?period=decade").status_code == 400
    assert client.get("/mavens?category=product:x").status_code == 400


def test_viewer_sees_their_own_place_when_not_in_the_list(db):
    users = [make_user() for _ in range(5)]
    for points, user in enumerate(users, start=1):
        rollup(user, utcnow().date(), points * 10)
    last = users[0]  # 10 points: fifth

    board = mavens.board("week", None, last, limit=3)

    assert len(board.entries) == 3
    assert (board.viewer_entry.rank, board.viewer_entry.points) == (5, 10)
    assert mavens.board("week", None, users[-1], limit=3).viewer_entry is None  # listed


def test_member_outside_the_top_50_sees_their_place_on_the_page(app, db):
    viewer = make_user(username="bottom")
    rollup(viewer, utcnow().date(), 1)
    for n in range(mavens.BOARD_SIZE):
        rollup(make_user(), utcnow().date(), 100 + n)
    db.session.commit()
    client = app.test_client()
    login(client, viewer)

    page = client.get("/mavens?period=week").get_data(as_text=True)

    assert 'class="user-chip" href="/u/bottom"' not in page
    assert f"Your place: {mavens.BOARD_SIZE + 1} with 1 points." in page


def test_mavens_page_query_count_is_the_same_for_10_and_1000_rollups(
    app, db, member, count_queries
):
    urls = [
        "/mavens",
        "/mavens?period=year",
        "/mavens?period=all",
        "/mavens?period=month&category=product:1",
        "/mavens?period=all&category=product:1",
    ]
    users = [make_user() for _ in range(60)]
    today = utcnow().date()

    def add_rows(start: int, stop: int) -> None:
        for i in range(start, stop):
            user, category = users[i % len(users)], ("product", i // len(users) + 1)
            rollup(user, today, i + 1, category)
            set_reputation(user, i + 1, category)
            _db.session.execute(
                update(User).where(User.id == user.id).values(reputation=User.reputation + i)
            )
        _db.session.commit()

    client = app.test_client()
    login(client, member)
    add_rows(0, 10)
    for url in urls:
        assert client.get(url).status_code == 200
    with count_queries() as few:
        for url in urls:
            client.get(url)
    add_rows(10, 1000)
    assert _db.session.scalar(select(func.count()).select_from(DailyReputation)) == 1000
    with count_queries() as many:
        for url in urls:
            assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_top_percent_is_the_members_place_among_members_with_points(db, count_queries):
    members = [make_user() for _ in range(10)]
    for n, user in enumerate(members, start=1):
        set_reputation(user, n * 10)
    team = make_user(role="team")
    set_reputation(team, 10_000)
    nobody = make_user()
    db.session.refresh(members[-1])  # a loaded member, as on a profile page

    with count_queries() as queries:
        best = mavens.top_percent(members[-1])
    assert len(queries) == 1
    assert best == 10  # first of 10 (the team's 10,000 points do not count)
    assert mavens.top_percent(members[4]) == 60  # 50 points: sixth of 10
    assert mavens.top_percent(members[0]) == 100
    assert mavens.top_percent(team) is None
    assert mavens.top_percent(nobody) is None


# ---------------------------------------------------------------- boards against a recount


def _on_day(monkeypatch, day: dt.date) -> None:
    """The ledger's clock on ``day`` (noon UTC)."""
    moment = dt.datetime.combine(day, dt.time(12), dt.UTC)
    monkeypatch.setattr(ledger_service, "utcnow", lambda: moment)


def _award(user, points: int, category=None):
    """An award of exactly ``points`` (an accepted answer: never capped)."""
    return reputation.record(user, "answer_accepted", None, None, category=category, points=points)


def _recount(period: str, category, today: dt.date) -> list[tuple[int, int, int]]:
    """(member id, points, place) of a board, recounted from the ledger's events: the
    ranked members with points in the period (and category), best first, ties by id."""
    key = period_key(period, today)
    ranked = set(
        _db.session.scalars(select(User.id).where(User.role == "member", User.erased_at.is_(None)))
    )
    totals: dict[int, int] = {}
    for event in _db.session.scalars(select(ReputationEvent)):
        if period_key(period, event.day) != key:
            continue
        if category is not None and (event.category_type, event.category_id) != category:
            continue
        totals[event.user_id] = totals.get(event.user_id, 0) + event.points
    rows = sorted((-points, user) for user, points in totals.items() if points > 0)
    rows = [(user, -points) for points, user in rows if user in ranked]
    return [(user, points, 1 + sum(p > points for _u, p in rows)) for user, points in rows]


def _top_percent_recounted(user) -> int | None:
    rows = _recount("all", None, dt.date(2026, 1, 1))
    mine = [points for user_id, points, _place in rows if user_id == user.id]
    if not mine:
        return None
    above = sum(points > mine[0] for _u, points, _p in rows)
    return max(1, math.ceil(100 * (above + 1) / len(rows)))


def _assert_everything_is_the_recount(users, days) -> None:
    for today in days:
        for period in mavens.PERIODS:
            for category in (None, PRODUCT_1, PRODUCT_2):
                expected = _recount(period, category, today)
                board = mavens.board(period, category, AnonymousUser(), limit=100, today=today)
                where = (today, period, category)
                assert [(e.user.id, e.points, e.rank) for e in board.entries] == expected, where
                places = {user_id: (place, points) for user_id, points, place in expected}
                for user in users:
                    entry = boards._place_of(user, period, category, today)
                    got = (entry.rank, entry.points) if entry else None
                    assert got == places.get(user.id), (*where, user.username)
    for user in users:
        assert mavens.top_percent(user) == _top_percent_recounted(user), user.username


def test_boards_places_and_top_percent_are_the_ledgers_recount_across_periods(db, monkeypatch):
    """Awards and reversals over a week that spans two years and a Sunday/Monday that
    starts a new week and month; checked unsettled, partly settled, settled and rebuilt."""
    users = [make_user(username=f"ranked{n}") for n in range(8)]
    staff, gone, promoted = make_user(role="team"), make_user(), users[7]
    everyone = [*users, staff, gone]
    new_year_eve, new_year = dt.date(2025, 12, 31), dt.date(2026, 1, 1)  # Wed, Thu
    sunday, monday, wednesday = dt.date(2026, 5, 31), dt.date(2026, 6, 1), dt.date(2026, 6, 3)
    categories = [None, PRODUCT_1, PRODUCT_2]

    _on_day(monkeypatch, new_year_eve)
    for n, user in enumerate(everyone):
        _award(user, 5 + 5 * (n % 4), categories[n % 3])  # ties across members
    _on_day(monkeypatch, new_year)
    early = [_award(user, 10, PRODUCT_1) for user in users[:4]]
    assert mavens.settle_places() > 0
    _assert_everything_is_the_recount(everyone, [new_year_eve, new_year])

    _on_day(monkeypatch, sunday)
    late = [_award(user, 7 * (n % 3) + 3, categories[n % 3]) for n, user in enumerate(everyone)]
    _on_day(monkeypatch, monday)
    reputation.reverse_event(late[1])  # counts on Monday: the new week and month
    reputation.reverse_event(early[0])
    _award(users[5], 40, PRODUCT_2)
    _on_day(monkeypatch, wednesday)
    _award(users[6], 3)
    _award(users[2], -50, PRODUCT_1)  # below zero: off the boards
    accounts.anonymise(gone)
    accounts.set_role(promoted, "team")
    _db.session.flush()
    days = [new_year_eve, new_year, sunday, monday, wednesday]

    _assert_everything_is_the_recount(everyone, days)  # part settled, part moved since
    assert mavens.settle_places() > 0
    _assert_everything_is_the_recount(everyone, days)
    assert rebuild().total_fixed == 0
    _assert_everything_is_the_recount(everyone, days)


def test_a_place_far_down_a_settled_board_is_counted_on_its_ladder(db, count_queries):
    users = [make_user() for _ in range(12)]
    for n, user in enumerate(users):
        _award(user, 10 * (n // 2 + 1))  # pairs tie
    mavens.settle_places()
    _award(users[0], 25)  # moved since: 35 points, after settling
    last = users[1]  # 10 points: below everyone else

    with count_queries() as queries:
        entry = boards._place_of(last, "week", None, utcnow().date())

    assert len(queries) == 1
    assert (entry.rank, entry.points) == (12, 10)
    assert boards._place_of(users[0], "all", None, utcnow().date()).rank == 7  # 35: after 40s
    assert mavens.top_percent(last) == 100
    assert mavens.top_percent(users[-1]) == 9  # 60 points, tied first of 12: ceil(100/12)


def _ladders_recounted() -> set[tuple]:
    """Every rung as the rows' counted points make it: (board..., points, members)."""
    counted: dict[tuple, list[int]] = {}
    for row in _db.session.scalars(select(PeriodReputation)):
        board = (row.period, row.starts_on, row.category_type, row.category_id)
        if row.counted_points > 0:
            counted.setdefault(board, []).append(row.counted_points)
    return {
        (*board, points, sum(p >= points for p in values))
        for board, values in counted.items()
        for points in set(values)
    }


def test_settling_moves_each_ladder_to_what_a_recount_makes_of_it(db):
    """Random awards and penalties, settled every few events: the ladders moved rung by
    rung are exactly the ladders recounted, and every place stays the recount's."""
    rng = random.Random(11)
    users = [make_user() for _ in range(8)]
    today = utcnow().date()
    for step in range(240):
        _award(
            rng.choice(users),
            rng.choice([-30, -5, 1, 2, 3, 5, 8, 13, 40]),
            rng.choice([None, PRODUCT_1, PRODUCT_2]),
        )
        if step % 7 == 6:
            mavens.settle_places()
            stored = {
                (r.period, r.starts_on, r.category_type, r.category_id, r.points, r.members)
                for r in _db.session.scalars(select(PeriodLadder))
            }
            assert stored == _ladders_recounted(), step
    _assert_everything_is_the_recount(users, [today])


def test_settling_changes_no_place_and_leaves_nothing_moved(db):
    users = [make_user() for _ in range(6)]
    for n, user in enumerate(users):
        _award(user, n + 1, PRODUCT_1)
    today = utcnow().date()
    before = [boards._place_of(u, "month", PRODUCT_1, today) for u in users]

    assert mavens.settle_places() == 6 * 8  # 4 periods, overall and in the category
    assert mavens.settle_places() == 0
    assert [boards._place_of(u, "month", PRODUCT_1, today) for u in users] == before
    moved = select(func.count()).where(PeriodReputation.points != PeriodReputation.counted_points)
    assert _db.session.scalar(moved) == 0


# ---------------------------------------------------------------- the maven score


def test_maven_score_formula_on_a_hand_computed_example():
    # 100 × 0.5 × log2(1 + 3) × (0.5 + 0.5 × 0.5) × (1 + 0.1 × (2 − 1)) = 82.5
    assert mavens.maven_score(0.5, 3, 2, 0.5) == pytest.approx(82.5)
    assert mavens.maven_score(1.0, 0, 1, 1.0) == 0.0  # nobody helped
    # Volume is not the point: helping one member a hundred times adds nothing.
    assert mavens.maven_score(1.0, 1, 1, 1.0) == pytest.approx(100.0)


def test_maven_scores_are_computed_from_the_ledger_and_stored(db):
    maven, a, b, c = make_user(), make_user(), make_user(), make_user()
    s1, s2, s3, s4, s5 = (Thing(n) for n in range(1, 6))
    reputation.record(maven, "idea_upvoted", s1, a, category=PRODUCT_1)
    reputation.record(maven, "idea_upvoted", s1, b, category=PRODUCT_1)
    reputation.record(maven, "post_kudos", s2, a, category=PRODUCT_2)
    reputation.reverse(s2, "post_kudos")  # reversed: helped nobody after all
    reputation.record(maven, "review_unhelpful", s3, b, category=PRODUCT_1)
    old = reputation.record(maven, "answer_accepted", s4, c, category=PRODUCT_2)
    reputation.record(maven, "survey_completed", s5, None)
    db.session.execute(
        update(ReputationEvent)
        .where(ReputationEvent.id == old.id)
        .values(day=utcnow().date() - dt.timedelta(days=mavens.RECENT_DAYS + 10))
    )

    assert mavens.compute_scores([maven.id]) == 1

    stored = {
        (s.category_type, s.category_id): s
        for s in db.session.scalars(select(MavenScore).where(MavenScore.user_id == maven.id))
    }
    assert set(stored) == {("", 0), PRODUCT_1, PRODUCT_2}
    overall = stored[("", 0)]
    # 5 subjects, 2 helped (s1, s4); helpers a, b, c; 2 of 3 outcomes recent; 2 categories.
    assert (overall.helpfulness, overall.reach, overall.breadth) == (0.4, 3, 2)
    assert overall.recency == pytest.approx(2 / 3, abs=1e-4)
    assert overall.score == pytest.approx(100 * 0.4 * 2 * (0.5 + 0.5 * 2 / 3) * 1.1, abs=1e-3)
    # Product 1: s1 helped, s3 did not; a and b, all recent.
    one = stored[PRODUCT_1]
    assert (one.helpfulness, one.reach, one.breadth, one.recency) == (0.5, 2, 1, 1.0)
    assert one.score == pytest.approx(100 * 0.5 * math.log2(3), abs=1e-3)
    # Product 2: s4 helped (s2's kudos were reversed); only c, long ago: half weight.
    two = stored[PRODUCT_2]
    assert (two.helpfulness, two.reach, two.recency) == (0.5, 1, 0.0)
    assert two.score == pytest.approx(25.0)


# ---------------------------------------------------------------- designations and perks


def helped_by(user, helpers: int, category=PRODUCT_1, start: int = 0) -> None:
    """``helpers`` different members each upvote one of the user's ideas."""
    for n in range(helpers):
        voter = make_user()
        reputation.record(user, "idea_upvoted", Thing(user.id * 1000 + start + n), voter, category)


def designations(user=None) -> list[tuple]:
    stmt = select(
        MavenDesignation.user_id,
        MavenDesignation.category_type,
        MavenDesignation.category_id,
        MavenDesignation.month,
        MavenDesignation.revoked_at.is_(None),
    ).order_by(MavenDesignation.id)
    if user is not None:
        stmt = stmt.where(MavenDesignation.user_id == user.id)
    return [tuple(row) for row in _db.session.execute(stmt)]


def maven_notes(user) -> list[str]:
    return list(
        _db.session.scalars(
            select(Notification.text)
            .where(Notification.user_id == user.id, Notification.kind == "maven")
            .order_by(Notification.id)
        )
    )


def test_designate_mavens_names_the_top_members_per_category_and_is_idempotent(app, db):
    first, second, third = make_user(), make_user(), make_user()
    team = make_user(role="team")
    helped_by(first, 4)
    helped_by(second, 3)
    helped_by(third, 1)
    helped_by(team, 8)
    helped_by(third, 2, category=PRODUCT_2)
    db.session.commit()
    app.config["MAVENS_PER_CATEGORY"] = 2
    try:
        result = app.test_cli_runner().invoke(args=["reputation", "designate-mavens"])
        assert result.exit_code == 0, result.output
        assert "3 granted" in result.output
        month = utcnow().date().replace(day=1)
        after_first = designations()
        assert sorted(after_first) == sorted(
            [
                (first.id, "product", 1, month, True),
                (second.id, "product", 1, month, True),
                (third.id, "product", 2, month, True),
            ]
        )
        notes = maven_notes(first)
        assert len(notes) == 1 and "Market Maven of product #1" in notes[0]

        again = app.test_cli_runner().invoke(args=["reputation", "designate-mavens"])
        assert again.exit_code == 0, again.output
        assert "0 granted" in again.output and "3 already held" in again.output
        assert designations() == after_first
        assert len(maven_notes(first)) == 1
    finally:
        app.config.pop("MAVENS_PER_CATEGORY", None)


def test_next_month_renews_the_kept_and_revokes_the_others_with_a_notification(db):
    stays, drops, rises = make_user(), make_user(), make_user()
    helped_by(stays, 5)
    helped_by(drops, 3)
    helped_by(rises, 1)
    now = utcnow()
    mavens.designate_mavens(now=now, per_category=2)
    month = now.date().replace(day=1)

    helped_by(rises, 10, start=100)
    later = now + dt.timedelta(days=35)
    next_month = later.date().replace(day=1)
    report = mavens.designate_mavens(now=later, per_category=2)

    assert (report.granted, report.renewed, report.revoked) == (1, 1, 1)
    assert designations(stays) == [
        (stays.id, "product", 1, month, True),
        (stays.id, "product", 1, next_month, True),
    ]
    assert designations(drops) == [(drops.id, "product", 1, month, False)]
    assert designations(rises) == [(rises.id, "product", 1, next_month, True)]
    assert "no longer a Market Maven of product #1" in maven_notes(drops)[-1]
    assert "remain a Market Maven" in maven_notes(stays)[-1]
    held = mavens.held_designations(stays, AnonymousUser())
    assert [(h.category, h.since) for h in held] == [(PRODUCT_1, month)]


def test_a_suspended_maven_loses_the_title_at_the_next_run(db):
    maven = make_user()
    helped_by(maven, 3)
    mavens.designate_mavens(per_category=1)
    maven.suspended_until = utcnow() + dt.timedelta(days=7)
    db.session.flush()

    report = mavens.designate_mavens(per_category=1)

    assert report.revoked == 1
    assert not mavens.is_maven(maven)


def test_scores_are_recomputed_only_for_members_with_activity_or_ageing_help(db):
    active, quiet = make_user(), make_user()
    helped_by(active, 1)
    helped_by(quiet, 1)
    quiet_day = utcnow().date() - dt.timedelta(days=200)
    db.session.execute(
        update(ReputationEvent).where(ReputationEvent.user_id == quiet.id).values(day=quiet_day)
    )
    db.session.execute(
        update(DailyReputation).where(DailyReputation.user_id == quiet.id).values(day=quiet_day)
    )
    assert set(mavens.members_to_score()) >= {active.id, quiet.id}  # first run: everyone
    mavens.designate_mavens(per_category=3)

    assert mavens.members_to_score() == [active.id]  # quiet: recency 0, nothing new


def test_has_perk_follows_designations(db, team_user):
    maven, other = make_user(), make_user()
    helped_by(maven, 3)
    assert not mavens.has_perk(maven, "early_access")

    mavens.designate_mavens(per_category=1)

    assert mavens.is_maven(maven) and mavens.is_maven(maven, PRODUCT_1)
    assert not mavens.is_maven(maven, PRODUCT_2)
    assert mavens.has_perk(maven, "early_access") and mavens.has_perk(maven, "mavens_forum")
    assert not mavens.has_perk(other, "mavens_forum")
    assert mavens.has_perk(team_user, "mavens_forum")  # the team runs the mavens' forum
    assert not mavens.has_perk(AnonymousUser(), "early_access")
    assert mavens.mavens_among([maven.id, other.id], PRODUCT_1) == {maven.id}
    with pytest.raises(KeyError):
        mavens.has_perk(maven, "free_lunch")

    helped_by(other, 9, start=50)
    mavens.designate_mavens(per_category=1)

    assert not mavens.has_perk(maven, "early_access")
    assert mavens.has_perk(other, "early_access")


# ---------------------------------------------------------------- the profile section


def test_profile_explains_the_maven_score_to_the_member_and_the_team(app, db, team_client):
    maven = make_user(username="helpful")
    helped_by(maven, 3)
    reputation.record(maven, "survey_completed", Thing(99), None)
    mavens.designate_mavens(per_category=1)
    db.session.commit()
    own = app.test_client()
    login(own, maven)

    mine = own.get("/u/helpful").get_data(as_text=True)
    team_view = team_client.get("/u/helpful").get_data(as_text=True)
    public = app.test_client().get("/u/helpful").get_data(as_text=True)

    assert "Top 100% of members" in mine
    assert "Market Maven of product #1 since" in mine
    assert "Why am I a maven?" in mine
    assert "75% of your contributions helped someone." in mine
    assert "You helped 3 different members." in mine
    assert "100% of it came in the last 90 days." in mine
    assert "75% of their contributions helped someone." in team_view
    assert "Market Maven of product #1 since" in public
    assert "contributions helped someone" not in public


def test_profile_query_count_does_not_grow_with_events(app, db, count_queries):
    maven = make_user(username="counted")
    helped_by(maven, 2)
    mavens.designate_mavens(per_category=1)
    db.session.commit()
    client = app.test_client()
    login(client, maven)
    client.get("/u/counted")
    with count_queries() as few:
        client.get("/u/counted")
    helped_by(maven, 40, start=10)
    mavens.designate_mavens(per_category=1)
    db.session.commit()
    with count_queries() as many:
        page = client.get("/u/counted").get_data(as_text=True)
    assert "You helped 42 different members." in page
    assert len(many) == len(few)


def test_erased_member_is_neither_scored_into_a_title_nor_shown(db):
    gone = make_user()
    helped_by(gone, 3)
    accounts.erase_account(gone, PASSWORD)
    db.session.flush()
    mavens.designate_mavens(per_category=1)
    assert designations(gone) == []
    assert not mavens.is_maven(gone)


def test_team_profiles_have_no_maven_section(team_client, team_user):
    page = team_client.get(f"/u/{team_user.username}").get_data(as_text=True)
    assert 'id="mavens-heading"' not in page


def test_the_settle_places_command_settles_and_says_how_many(app, db):
    result = app.test_cli_runner().invoke(args=["reputation", "settle-places"])

    assert result.exit_code == 0, result.output
    assert "period roll-ups settled" in result.output
