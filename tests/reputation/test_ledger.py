import datetime as dt

import pytest
from sqlalchemy import func, select, update

from community.accounts.models import User
from community.core.db import utcnow
from community.extensions import db as _db
from community.reputation import services as reputation
from community.reputation.models import (
    ALL_CATEGORIES,
    ALL_TIME,
    CategoryReputation,
    DailyReputation,
    PeriodLadder,
    PeriodReputation,
    ReputationDay,
    ReputationEvent,
    period_key,
)
from community.reputation.rules import DAILY_CAP, RULES
from community.reputation.services import ledger as ledger_service
from community.reputation.services.mavens import settle_places
from community.reputation.services.rebuild import rebuild
from tests.factories import make_user

CATEGORY = ("product", 7)


def total(user) -> int:
    return _db.session.scalar(select(User.reputation).where(User.id == user.id))


def test_record_appends_an_event_and_moves_every_stored_total(db):
    author, voter = make_user(), make_user()
    event = reputation.record(author, "idea_upvoted", voter, voter, category=CATEGORY)

    assert (event.points, event.reason, event.actor_id) == (10, "idea_upvoted", voter.id)
    assert total(author) == 10
    assert db.session.get(CategoryReputation, (author.id, *CATEGORY)).points == 10
    assert db.session.get(DailyReputation, (author.id, event.day, *CATEGORY)).points == 10


def test_points_come_from_the_rules_table(db):
    author = make_user()
    for name in ("answer_accepted", "motion_adopted", "review_unhelpful"):
        reputation.record(author, name, None, None)
    assert total(author) == (
        RULES["answer_accepted"].points
        + RULES["motion_adopted"].points
        + RULES["review_unhelpful"].points
    )


def test_no_points_from_ones_own_votes(db):
    author = make_user()
    assert reputation.record(author, "post_kudos", author, author) is None
    assert total(author) == 0


def test_unknown_rule_is_a_programming_error(db):
    with pytest.raises(KeyError, match="reputation/rules.py"):
        reputation.record(make_user(), "made_up", None, None)


def test_daily_cap_records_the_excess_as_capped_with_zero_points(db):
    author = make_user()
    voters = [make_user() for _ in range(DAILY_CAP // 10 + 3)]
    events = [reputation.record(author, "idea_upvoted", v, v) for v in voters]

    assert total(author) == DAILY_CAP
    assert [e.points for e in events[-3:]] == [0, 0, 0]
    assert all(e.is_capped for e in events[-3:])
    assert db.session.scalar(select(func.count()).select_from(ReputationEvent)) == len(voters)


def test_an_award_over_the_cap_creates_no_roll_up_rows(db):
    author = make_user()
    for _ in range(DAILY_CAP // 10):
        voter = make_user()
        reputation.record(author, "idea_upvoted", voter, voter)  # no category: cap reached
    voter = make_user()
    event = reputation.record(author, "idea_upvoted", voter, voter, category=CATEGORY)

    assert (event.requested, event.points) == (10, 0)
    assert db.session.get(ReputationEvent, event.id).points == 0
    assert total(author) == DAILY_CAP
    assert db.session.get(CategoryReputation, (author.id, *CATEGORY)) is None
    assert db.session.get(DailyReputation, (author.id, event.day, *CATEGORY)) is None
    in_category = select(func.count()).where(
        PeriodReputation.user_id == author.id, PeriodReputation.category_id == CATEGORY[1]
    )
    assert db.session.scalar(in_category) == 0
    assert rebuild().total_fixed == 0  # every stored total is what a recount gives


def test_a_partly_capped_award_grants_what_still_fits(db):
    author = make_user()
    for _ in range(DAILY_CAP // 5 - 1):  # 195 points of kudos
        voter = make_user()
        reputation.record(author, "post_kudos", voter, voter)
    last = reputation.record(author, "idea_upvoted", author, make_user())
    assert (last.requested, last.points) == (10, 5)
    assert total(author) == DAILY_CAP


def test_accepted_answers_and_shipped_ideas_are_exempt_from_the_cap(db):
    author = make_user()
    for _ in range(DAILY_CAP // 10):
        voter = make_user()
        reputation.record(author, "idea_upvoted", voter, voter)
    reputation.record(author, "answer_accepted", None, None)
    reputation.record(author, "idea_shipped_author", None, None)
    assert total(author) == DAILY_CAP + 15 + 50


def test_the_cap_starts_again_the_next_utc_day(db):
    author = make_user()
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    db.session.add(ReputationDay(user_id=author.id, day=yesterday, capped_points=DAILY_CAP))
    voter = make_user()
    assert reputation.record(author, "idea_upvoted", voter, voter).points == 10


def test_reverse_appends_the_opposite_event_and_restores_totals(db):
    author, voter, other = make_user(), make_user(), make_user()
    idea = make_user()  # any registered subject will do
    reputation.record(author, "idea_upvoted", idea, voter, category=CATEGORY)
    reputation.record(author, "idea_upvoted", idea, other, category=CATEGORY)

    [reversal] = reputation.reverse(idea, "idea_upvoted", actor=voter)

    assert reversal.points == -10 and reversal.is_reversal
    assert total(author) == 10
    assert db.session.get(CategoryReputation, (author.id, *CATEGORY)).points == 10
    # Nothing was deleted or edited: three events remain.
    assert db.session.scalar(select(func.count()).select_from(ReputationEvent)) == 3


def test_an_event_is_reversed_only_once(db):
    author, voter = make_user(), make_user()
    event = reputation.record(author, "post_kudos", voter, voter)
    assert reputation.reverse_event(event) is not None
    assert reputation.reverse_event(event) is None
    assert reputation.reverse(voter, "post_kudos", actor=voter) == []
    assert total(author) == 0


def test_rebuild_finds_and_fixes_every_drifted_total(db):
    author, voter = make_user(), make_user()
    event = reputation.record(author, "idea_upvoted", voter, voter, category=CATEGORY)
    db.session.execute(update(User).where(User.id == author.id).values(reputation=999))
    db.session.execute(
        update(CategoryReputation).where(CategoryReputation.user_id == author.id).values(points=-3)
    )
    db.session.execute(
        update(DailyReputation).where(DailyReputation.user_id == author.id).values(points=1)
    )
    db.session.execute(
        update(ReputationDay).where(ReputationDay.user_id == author.id).values(capped_points=0)
    )

    report = rebuild()

    assert (report.users_fixed, report.categories_fixed, report.days_fixed, report.caps_fixed) == (
        1,
        1,
        1,
        1,
    )
    db.session.expire_all()
    assert total(author) == 10
    assert db.session.get(CategoryReputation, (author.id, *CATEGORY)).points == 10
    assert db.session.get(DailyReputation, (author.id, event.day, *CATEGORY)).points == 10
    assert db.session.get(ReputationDay, (author.id, event.day)).capped_points == 10
    assert rebuild().total_fixed == 0


def test_rebuild_command_reports_what_it_fixed(app, db):
    author, voter = make_user(), make_user()
    reputation.record(author, "idea_upvoted", voter, voter)
    db.session.execute(update(User).where(User.id == author.id).values(reputation=5))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["reputation", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "1 user totals" in result.output and "5 -> 10" in result.output


def test_rebuild_check_reports_the_drift_and_changes_nothing(app, db):
    author, voter = make_user(), make_user()
    reputation.record(author, "idea_upvoted", voter, voter)
    db.session.execute(update(User).where(User.id == author.id).values(reputation=5))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["reputation", "rebuild", "--check"])
    assert result.exit_code == 0, result.output
    assert "1 user totals" in result.output and "differ" in result.output
    assert "5 -> 10" in result.output
    db.session.expire_all()
    assert db.session.get(User, author.id).reputation == 5  # still as it was


def test_rebuild_sees_no_drift_in_an_award_the_cap_cut_to_nothing(db):
    # A whole day's award group can be worth 0 points: the ledger writes no roll-up row
    # for it, and a rebuild must not call that missing.
    author = make_user()
    voters = [make_user() for _ in range(DAILY_CAP // RULES["idea_upvoted"].points)]
    for voter in voters:
        reputation.record(author, "idea_upvoted", voter, voter, category=CATEGORY)
    late = make_user()
    capped = reputation.record(author, "idea_upvoted", late, late, category=("product", 77))
    assert capped.points == 0
    assert rebuild().total_fixed == 0


# ---------------------------------------------------------------- period roll-ups


def periods_of(user) -> dict[tuple, int]:
    """(period, starts_on, category) -> points of a member's period roll-ups."""
    rows = _db.session.scalars(select(PeriodReputation).where(PeriodReputation.user_id == user.id))
    return {(r.period, r.starts_on, (r.category_type, r.category_id)): r.points for r in rows}


def on_day(monkeypatch, day: dt.date) -> None:
    moment = dt.datetime.combine(day, dt.time(9), dt.UTC)
    monkeypatch.setattr(ledger_service, "utcnow", lambda: moment)


def test_an_award_moves_its_week_month_year_and_all_time_overall_and_in_its_category(
    db, monkeypatch
):
    author, voter = make_user(), make_user()
    on_day(monkeypatch, dt.date(2026, 6, 17))  # a Wednesday
    reputation.record(author, "idea_upvoted", voter, voter, category=CATEGORY)
    reputation.record(author, "answer_accepted", None, None)  # no category: overall only

    starts = {
        "week": dt.date(2026, 6, 15),
        "month": dt.date(2026, 6, 1),
        "year": dt.date(2026, 1, 1),
        "all": ALL_TIME,
    }
    assert periods_of(author) == {
        **{(period, start, ALL_CATEGORIES): 25 for period, start in starts.items()},
        **{(period, start, CATEGORY): 10 for period, start in starts.items()},
    }


def test_a_reversal_counts_in_the_period_of_its_own_day(db, monkeypatch):
    author, voter = make_user(), make_user()
    sunday, monday = dt.date(2026, 5, 31), dt.date(2026, 6, 1)  # a new week and month
    on_day(monkeypatch, sunday)
    event = reputation.record(author, "idea_upvoted", voter, voter, category=CATEGORY)
    on_day(monkeypatch, monday)
    reputation.reverse_event(event)

    rows = periods_of(author)
    for category in (ALL_CATEGORIES, CATEGORY):
        assert rows[("week", dt.date(2026, 5, 25), category)] == 10
        assert rows[("week", monday, category)] == -10
        assert rows[("month", dt.date(2026, 5, 1), category)] == 10
        assert rows[("month", monday, category)] == -10
        assert rows[("year", dt.date(2026, 1, 1), category)] == 0
        assert rows[("all", ALL_TIME, category)] == 0
    assert rebuild().total_fixed == 0


def test_rebuild_fixes_drifted_period_roll_ups_and_ladders(db):
    author, other, voter = make_user(), make_user(), make_user()
    reputation.record(author, "idea_upvoted", voter, voter, category=CATEGORY)
    reputation.record(other, "answer_accepted", None, None)
    settle_places()
    week = period_key("week", utcnow().date())
    row = db.session.get(PeriodReputation, ("week", week, *ALL_CATEGORIES, author.id))
    row.points = 99  # drifted
    db.session.delete(db.session.get(PeriodReputation, ("all", ALL_TIME, *CATEGORY, author.id)))
    db.session.get(
        PeriodLadder, ("month", period_key("month", utcnow().date()), "", 0, 15)
    ).members = 7
    db.session.flush()

    report = rebuild()

    # Two rows; two rungs: the one changed, and the one the missing row stood on.
    assert (report.periods_fixed, report.ladders_fixed) == (2, 2), report.examples
    assert any("period_reputation" in line and "99 -> 10" in line for line in report.examples)
    db.session.expire_all()
    assert periods_of(author)[("week", week, ALL_CATEGORIES)] == 10
    assert periods_of(author)[("all", ALL_TIME, CATEGORY)] == 10
    assert rebuild().total_fixed == 0
