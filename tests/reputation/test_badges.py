import datetime as dt
import threading

import pytest
from sqlalchemy import delete, func, select

from community.accounts import services as accounts
from community.accounts.models import User
from community.core.db import utcnow
from community.core.errors import Conflict, InvalidInput, PermissionDenied
from community.extensions import db as _db
from community.moderation.models import AuditEntry
from community.notifications.models import Notification
from community.reputation import services as reputation
from community.reputation.badges import BADGES, RULES_BY_REASON, EventCount
from community.reputation.models import BadgeAward, BadgeCount
from community.reputation.rules import RULES
from community.reputation.services import badges
from tests.conftest import login, using_postgres
from tests.factories import PASSWORD, make_user


def live_keys(user) -> list[str]:
    return sorted(
        _db.session.scalars(
            select(BadgeAward.badge_key).where(
                BadgeAward.user_id == user.id, BadgeAward.revoked_at.is_(None)
            )
        )
    )


def awards_of(user, key) -> list[BadgeAward]:
    return list(
        _db.session.scalars(
            select(BadgeAward)
            .where(BadgeAward.user_id == user.id, BadgeAward.badge_key == key)
            .order_by(BadgeAward.id)
        )
    )


def holders(key) -> int:
    return _db.session.scalar(select(BadgeCount.holders).where(BadgeCount.badge_key == key)) or 0


def true_holders(key) -> int:
    return _db.session.scalar(
        select(func.count())
        .select_from(BadgeAward)
        .where(BadgeAward.badge_key == key, BadgeAward.revoked_at.is_(None))
    )


def badge_notifications(user) -> list[str]:
    return list(
        _db.session.scalars(
            select(Notification.text)
            .where(Notification.user_id == user.id, Notification.kind == "badge")
            .order_by(Notification.id)
        )
    )


def audit_actions(action) -> list[AuditEntry]:
    return list(_db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def helpful_votes(author, n):
    events = []
    for _ in range(n):
        voter = make_user()
        events.append(reputation.record(author, "review_helpful", voter, voter))
    return events


# ---------------------------------------------------------------- the table


def test_every_badge_rule_counts_an_existing_point_rule_and_names_are_unique():
    counted = [b.rule.reason for b in BADGES.values() if isinstance(b.rule, EventCount)]
    assert counted and all(reason in RULES for reason in counted)
    assert len({str(b.name) for b in BADGES.values()}) == len(BADGES)
    assert {"first_idea", "elected", "market_maven"} <= BADGES.keys()
    assert all(len(key) <= 40 for key in BADGES)  # fits User.title_badge
    assert "first_answer" in [b.key for b in RULES_BY_REASON["answer_accepted"]]


# ---------------------------------------------------------------- automatic awards


def test_first_accepted_answer_earns_the_badge_once_with_one_notification(db):
    author = make_user()
    reputation.record(author, "answer_accepted", None, None)
    reputation.record(author, "answer_accepted", None, None)

    assert live_keys(author) == ["first_answer"]
    assert len(awards_of(author, "first_answer")) == 1
    assert awards_of(author, "first_answer")[0].awarded_by_id is None  # automatic
    assert holders("first_answer") == 1
    assert badge_notifications(author) == ["You earned the badge First accepted answer."]


def test_an_event_earns_only_the_badges_of_its_own_reason(db):
    author = make_user()
    reputation.record(author, "idea_shipped_author", None, None)
    reputation.record(author, "flag_agreed", None, None)
    assert live_keys(author) == ["idea_shipped"]


def test_nine_helpful_reviews_are_not_enough_the_tenth_earns_the_badge(db):
    author = make_user()
    helpful_votes(author, 9)
    assert "helpful_reviewer" not in live_keys(author)

    helpful_votes(author, 1)
    assert "helpful_reviewer" in live_keys(author)
    assert holders("helpful_reviewer") == 1


def test_reversed_helpful_votes_do_not_count_towards_the_badge(db):
    author = make_user()
    votes = helpful_votes(author, 9)
    reputation.reverse_event(votes[0])
    helpful_votes(author, 1)  # ten votes, nine standing
    assert "helpful_reviewer" not in live_keys(author)

    helpful_votes(author, 1)  # ten standing
    assert "helpful_reviewer" in live_keys(author)


def test_a_reversal_after_the_award_does_not_lead_to_a_second_award(db):
    author = make_user()
    events = helpful_votes(author, 10)
    reputation.reverse_event(events[3])
    helpful_votes(author, 2)

    assert len(awards_of(author, "helpful_reviewer")) == 1
    assert holders("helpful_reviewer") == true_holders("helpful_reviewer") == 1
    assert badge_notifications(author).count("You earned the badge Helpful reviewer.") == 1


def test_capped_kudos_still_count_as_kudos_received(db):
    author = make_user()
    for _ in range(2):
        voter = make_user()
        reputation.record(author, "post_kudos", voter, voter, points=0)
    assert "first_kudos" in live_keys(author)


def test_a_member_of_100_days_earns_the_badge_with_their_next_event(db):
    newcomer = make_user()
    veteran = make_user(created_at=utcnow() - dt.timedelta(days=100))
    for user in (newcomer, veteran):
        reputation.record(user, "survey_completed", None, None)
    assert live_keys(newcomer) == []
    assert live_keys(veteran) == ["days_100"]

    reputation.record(veteran, "survey_completed", None, None)
    assert len(awards_of(veteran, "days_100")) == 1


def test_events_without_a_badge_rule_do_not_query_badges(db, count_queries):
    author = make_user()
    reputation.record(author, "flag_agreed", None, None)
    with count_queries() as statements:
        reputation.record(author, "flag_agreed", None, None)
    assert not [s for s in statements if "badge" in s]


def test_counting_for_a_rule_reads_at_most_its_threshold_of_events(db, count_queries):
    author = make_user()
    helpful_votes(author, 3)
    voter = make_user()
    with count_queries() as statements:
        reputation.record(author, "review_helpful", voter, voter)
    counting = [s for s in statements if "count(" in s.lower() and "reputation_event" in s]
    assert len(counting) == 1
    assert "LIMIT" in counting[0].upper()


def test_features_award_badges_without_a_rule_only_when_missing(db):
    member = make_user()
    award = badges.award_if_missing(member, "market_maven", "Top of product X in May")
    assert award is not None and award.reason == "Top of product X in May"
    assert badges.award_if_missing(member, "market_maven", "again") is None
    assert holders("market_maven") == 1
    with pytest.raises(KeyError, match="reputation/badges.py"):
        badges.award_if_missing(member, "no_such_badge", "")


def test_a_badge_revoked_automatically_can_come_back_one_revoked_by_the_team_cannot(db):
    member, team = make_user(), make_user(role="team")
    badges.award_if_missing(member, "market_maven", "May")
    badges.revoke_badge(None, member, "market_maven", "No longer in the top in June")
    assert badges.award_if_missing(member, "market_maven", "July") is not None

    reputation.record(member, "post_kudos", None, make_user())
    badges.revoke_badge(team, member, "first_kudos", "Kudos from a sock puppet")
    reputation.record(member, "post_kudos", None, make_user())
    assert "first_kudos" not in live_keys(member)
    assert holders("first_kudos") == 0


# ---------------------------------------------------------------- by the team


def test_team_awards_a_badge_by_hand_with_a_reason_audit_and_notification(db, team_client):
    member = make_user(username="helper")
    response = team_client.post(
        "/badges/first_idea/award",
        data={"username": "Helper", "reason": "Ran our first workshop"},
    )

    assert response.status_code == 302
    assert response.location.endswith("/badges/first_idea")
    (award,) = awards_of(member, "first_idea")
    team = _db.session.scalar(select(User).where(User.username == "teamer"))
    assert (award.awarded_by_id, award.reason) == (team.id, "Ran our first workshop")
    (entry,) = audit_actions("badge.award")
    assert (entry.actor_id, entry.subject_type, entry.subject_id) == (
        team.id,
        "user_account",
        member.id,
    )
    assert entry.details["badge"] == "first_idea"
    assert entry.details["reason"] == "Ran our first workshop"
    assert badge_notifications(member) == [
        "You received the badge First idea: Ran our first workshop"
    ]
    assert holders("first_idea") == 1


def test_a_badge_notification_leads_to_the_badge_page(app, db):
    member = make_user(username="notified")
    badges.award_if_missing(member, "elected", "Elected in the spring election")
    _db.session.commit()
    client = app.test_client()
    login(client, member)
    page = client.get("/notifications").get_data(as_text=True)
    assert 'href="/badges/elected"' in page


def test_award_form_needs_a_reason_and_an_existing_member(db, team_client):
    make_user(username="helper")
    no_reason = team_client.post("/badges/first_idea/award", data={"username": "helper"})
    nobody = team_client.post(
        "/badges/first_idea/award", data={"username": "ghost", "reason": "Because"}
    )

    assert no_reason.status_code == 400
    assert nobody.status_code == 400
    assert "There is no member with this username." in nobody.get_data(as_text=True)
    assert true_holders("first_idea") == 0 and holders("first_idea") == 0
    assert audit_actions("badge.award") == []


def test_awarding_a_badge_the_member_holds_is_a_conflict_shown_on_the_form(db, team_client):
    member = make_user(username="helper")
    badges.award_if_missing(member, "first_idea", "")
    response = team_client.post(
        "/badges/first_idea/award", data={"username": "helper", "reason": "Twice"}
    )
    assert response.status_code == 409
    assert "helper already holds this badge." in response.get_data(as_text=True)
    assert holders("first_idea") == 1


def test_team_revokes_a_badge_with_a_reason_audit_and_notification(db, team_client):
    member = make_user(username="holder")
    reputation.record(member, "answer_accepted", None, None)
    response = team_client.post(
        f"/badges/first_answer/revoke/{member.id}",
        data={f"revoke-{member.id}-reason": "The answer was copied"},
    )

    assert response.status_code == 302
    (award,) = awards_of(member, "first_answer")
    assert award.revoked_at is not None and award.revoke_reason == "The answer was copied"
    (entry,) = audit_actions("badge.revoke")
    assert (entry.subject_id, entry.details["badge"]) == (member.id, "first_answer")
    assert badge_notifications(member)[-1] == (
        "Your badge First accepted answer was removed: The answer was copied"
    )
    assert live_keys(member) == [] and holders("first_answer") == 0


def test_revoking_needs_a_reason_and_a_holder(db, team_client):
    member = make_user(username="holder")
    reputation.record(member, "answer_accepted", None, None)
    no_reason = team_client.post(f"/badges/first_answer/revoke/{member.id}", data={})
    not_held = team_client.post(
        f"/badges/idea_shipped/revoke/{member.id}",
        data={f"revoke-{member.id}-reason": "Wrong"},
    )
    assert no_reason.status_code == 400
    assert not_held.status_code == 409
    assert live_keys(member) == ["first_answer"]
    assert audit_actions("badge.revoke") == []


@pytest.mark.parametrize("path", ["/badges/first_idea/award", "/badges/first_idea/revoke/{id}"])
def test_members_may_neither_award_nor_revoke(db, member_client, member, path):
    badges.award_if_missing(member, "first_idea", "")
    data = {"username": member.username, "reason": "Me", f"revoke-{member.id}-reason": "x"}
    response = member_client.post(path.format(id=member.id), data=data)
    assert response.status_code == 403
    assert live_keys(member) == ["first_idea"] and holders("first_idea") == 1


def test_services_refuse_members_too(db):
    member, other = make_user(), make_user()
    with pytest.raises(PermissionDenied):
        badges.award_badge(member, "first_idea", other.username, "Because")
    with pytest.raises(PermissionDenied):
        badges.revoke_badge(member, other, "first_idea", "Because")


def test_visitors_are_sent_to_log_in_before_awarding(db, client, member):
    response = client.post("/badges/first_idea/award", data={"username": "x", "reason": "y"})
    assert response.status_code == 302 and "/auth/login" in response.location


def test_holder_counts_stay_exact_through_award_revoke_and_reaward(db):
    team = make_user(role="team")
    first, second = make_user(), make_user()

    badges.award_badge(team, "elected", first.username, "Spring election")
    badges.award_badge(team, "elected", second.username, "Spring election")
    assert holders("elected") == 2
    badges.revoke_badge(team, first, "elected", "Resigned")
    assert holders("elected") == 1
    with pytest.raises(Conflict):
        badges.revoke_badge(team, first, "elected", "Resigned again")
    assert holders("elected") == 1
    badges.award_badge(team, "elected", first.username, "Autumn election")
    with pytest.raises(Conflict):
        badges.award_badge(team, "elected", first.username, "Twice")

    assert holders("elected") == true_holders("elected") == 2
    assert len(awards_of(first, "elected")) == 2  # the revoked award is kept


def test_unknown_badge_is_404(db, client, team_client):
    assert client.get("/badges/no_such_badge").status_code == 404
    assert (
        team_client.post(
            "/badges/no_such_badge/award", data={"username": "x", "reason": "y"}
        ).status_code
        == 404
    )


# ---------------------------------------------------------------- titles


def test_member_shows_a_badge_they_hold_as_title_on_their_user_chip(app, db, member_client, member):
    badges.award_if_missing(member, "first_idea", "")
    _db.session.commit()

    response = member_client.post("/settings/title", data={"badge": "first_idea"})

    assert response.status_code == 302
    assert _db.session.scalar(select(User.title_badge).where(User.id == member.id)) == "first_idea"
    page = app.test_client().get("/badges/first_idea").get_data(as_text=True)
    assert '<span class="title-badge">First idea</span>' in page


def test_a_badge_one_does_not_hold_cannot_be_the_title(db, member_client, member):
    badges.award_if_missing(member, "first_idea", "")
    member.title_badge = "first_idea"
    _db.session.commit()
    for key in ("market_maven", "no_such_badge"):
        response = member_client.post("/settings/title", data={"badge": key})
        assert response.status_code == 400
        assert "You can only show a badge you hold." in response.get_data(as_text=True)
    _db.session.refresh(member)
    assert member.title_badge == "first_idea"


def test_choosing_no_title_clears_it(db, member_client, member):
    badges.award_if_missing(member, "first_idea", "")
    member.title_badge = "first_idea"
    _db.session.commit()
    assert member_client.post("/settings/title", data={"badge": ""}).status_code == 302
    _db.session.refresh(member)
    assert member.title_badge is None


def test_revoking_the_badge_clears_the_title(db):
    team, member = make_user(role="team"), make_user()
    badges.award_if_missing(member, "elected", "")
    badges.choose_title(member, "elected")
    with pytest.raises(InvalidInput):
        badges.choose_title(member, "first_idea")
    badges.revoke_badge(team, member, "elected", "Term ended early")
    assert _db.session.scalar(select(User.title_badge).where(User.id == member.id)) is None
    assert badges.badge_title("elected") == "Elected to parliament"
    assert badges.badge_title("gone") is None


# ---------------------------------------------------------------- pages


def test_badges_page_lists_every_badge_by_tier_with_holder_counts(db, client):
    for _ in range(3):
        reputation.record(make_user(), "answer_accepted", None, None)
    page = client.get("/badges").get_data(as_text=True)

    for badge in BADGES.values():
        assert str(badge.name) in page
    assert page.index("Gold") < page.index("Silver") < page.index("Bronze")
    assert "3 members hold it" in page


def test_members_see_which_badges_they_hold(db, member_client, member):
    reputation.record(member, "answer_accepted", None, None)
    _db.session.commit()
    listing = member_client.get("/badges").get_data(as_text=True)
    detail = member_client.get("/badges/first_answer").get_data(as_text=True)
    assert listing.count("You hold this badge") == 1
    assert "You hold this badge" in detail


def test_only_the_team_sees_the_award_and_revoke_forms(db, client, member_client, team_client):
    badges.award_if_missing(make_user(), "first_idea", "")
    _db.session.commit()
    for c in (client, member_client):
        page = c.get("/badges/first_idea").get_data(as_text=True)
        assert "Award badge" not in page and "Revoke badge" not in page
    page = team_client.get("/badges/first_idea").get_data(as_text=True)
    assert "Award badge" in page and "Revoke badge" in page


def make_holders(key, n):
    for _ in range(n):
        badges.award_if_missing(make_user(), key, "")
    _db.session.commit()


@pytest.mark.parametrize("path", ["/badges", "/badges/first_idea"])
def test_badge_pages_take_the_same_queries_for_10_or_100_holders(
    db, team_client, count_queries, path
):
    make_holders("first_idea", 10)
    team_client.get(path)
    with count_queries() as few:
        assert team_client.get(path).status_code == 200
    make_holders("first_idea", 90)
    with count_queries() as many:
        assert team_client.get(path).status_code == 200
    assert len(many) == len(few)


def test_the_badge_page_shows_holders_newest_first_a_page_at_a_time(db, client):
    make_holders("first_idea", badges.HOLDERS_PER_PAGE + 2)
    first = client.get("/badges/first_idea").get_data(as_text=True)
    assert first.count('class="user-chip"') == badges.HOLDERS_PER_PAGE
    assert "?before=" in first
    assert "52 members hold it" in first


# ---------------------------------------------------------------- profile and data


def test_profile_shows_badges_by_tier_and_the_chooser_only_to_the_member(
    app, db, member_client, member
):
    reputation.record(member, "motion_adopted", None, None)
    badges.award_if_missing(member, "first_idea", "")
    _db.session.commit()

    own = member_client.get(f"/u/{member.username}").get_data(as_text=True)
    theirs = app.test_client().get(f"/u/{member.username}").get_data(as_text=True)

    for page in (own, theirs):
        assert page.index("Motion adopted") < page.index("First idea")  # gold before bronze
    assert 'action="/settings/title"' in own
    assert 'action="/settings/title"' not in theirs


def test_profile_badges_take_one_query_whatever_their_number(app, db, count_queries):
    member = make_user(username="collector")
    badges.award_if_missing(member, "first_idea", "")
    _db.session.commit()
    client = app.test_client()
    client.get("/u/collector")
    with count_queries() as few:
        client.get("/u/collector")
    for key in ("elected", "market_maven", "first_answer"):
        badges.award_if_missing(member, key, "")
    _db.session.commit()
    with count_queries() as many:
        client.get("/u/collector")
    assert len(many) == len(few)


def test_export_includes_badges_and_erasure_keeps_the_counts(db, member_client, member):
    team = make_user(role="team")
    badges.award_if_missing(member, "first_idea", "")
    badges.award_if_missing(member, "elected", "")
    badges.revoke_badge(team, member, "elected", "Term ended")
    _db.session.commit()

    data = member_client.get("/settings/data/export.json").get_json()
    assert [(a["badge"], a["revoked_at"] is not None) for a in data["badges"]["awards"]] == [
        ("first_idea", False),
        ("elected", True),
    ]

    accounts.erase_account(member, PASSWORD)
    assert member.is_erased
    assert holders("first_idea") == true_holders("first_idea") == 1


def test_awarding_needs_a_csrf_token(db, team_client, csrf_enabled):
    make_user(username="helper")
    response = team_client.post(
        "/badges/first_idea/award", data={"username": "helper", "reason": "No token"}
    )
    assert response.status_code == 400
    assert true_holders("first_idea") == 0


# ---------------------------------------------------------------- concurrency


@pytest.mark.skipif(not using_postgres(), reason="needs PostgreSQL's concurrent connections")
def test_concurrent_awards_of_one_badge_leave_one_live_award_and_an_exact_count(app):
    clients = 8
    with app.app_context():
        user = make_user(username="racer")
        _db.session.commit()
        user_id = user.id
    barrier = threading.Barrier(clients)
    results: list[object] = [None] * clients

    def work(n: int) -> None:
        with app.test_request_context("/"):
            try:
                racer = _db.session.get(User, user_id)
                barrier.wait()
                results[n] = badges.award_if_missing(racer, "market_maven", f"client {n}")
                _db.session.commit()
            finally:
                _db.session.remove()

    try:
        threads = [threading.Thread(target=work, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with app.app_context():
            assert sum(r is not None for r in results) == 1
            assert true_holders("market_maven") == 1
            assert holders("market_maven") == 1
    finally:
        with app.app_context():
            _db.session.execute(delete(Notification).where(Notification.user_id == user_id))
            _db.session.execute(delete(BadgeAward).where(BadgeAward.user_id == user_id))
            _db.session.execute(delete(BadgeCount).where(BadgeCount.badge_key == "market_maven"))
            _db.session.execute(delete(User).where(User.id == user_id))
            _db.session.commit()
            _db.session.remove()
