"""The API's public reputation card and maven boards."""

from __future__ import annotations

from sqlalchemy import update

from community.accounts import services as accounts
from community.accounts.models import User
from community.core.db import utcnow
from community.extensions import db as _db
from community.reputation import services as reputation
from community.reputation.services import mavens
from tests.accounts.helpers import bearer, new_token
from tests.factories import make_user
from tests.reputation.test_mavens import PRODUCT_1, Thing, helped_by, rollup


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status
    assert response.is_json
    error = response.get_json()["error"]
    assert error["code"] and error["message"]
    return error


def test_user_card_has_reputation_rank_badges_maven_categories_and_top_percent(client, db):
    maven = make_user(username="cardholder", display_name="Card Holder")
    helped_by(maven, 3)
    mavens.designate_mavens(per_category=1)
    db.session.commit()

    response = client.get("/api/v1/users/CardHolder")  # any case, no token needed

    assert response.status_code == 200
    data = response.get_json()
    assert set(data) == {
        "username",
        "display_name",
        "reputation",
        "rank",
        "badges",
        "maven_categories",
        "member_since",
        "top_percent",
    }
    assert (data["username"], data["display_name"], data["reputation"]) == (
        "cardholder",
        "Card Holder",
        30,
    )
    assert data["rank"] == {"key": "newcomer", "label": "Newcomer"}
    assert isinstance(data["badges"], list)
    month = utcnow().date().replace(day=1).isoformat()
    assert data["maven_categories"] == [
        {"type": "product", "id": 1, "key": "product:1", "label": "product #1", "since": month}
    ]
    assert data["member_since"] == maven.created_at.isoformat()
    assert data["top_percent"] == 100
    assert "email" not in data


def test_user_card_of_the_team_has_no_top_percent(client, team_user):
    data = client.get(f"/api/v1/users/{team_user.username}").get_json()
    assert data["top_percent"] is None
    assert data["maven_categories"] == []


def test_unknown_and_erased_users_are_404(client, db):
    gone = make_user(username="vanished")
    accounts.anonymise(gone)
    db.session.commit()

    assert_json_error(client.get("/api/v1/users/nobody-here"), 404)
    assert_json_error(client.get("/api/v1/users/vanished"), 404)
    assert_json_error(client.get(f"/api/v1/users/deleted-{gone.id}"), 404)


def test_mavens_is_a_ranked_list_for_the_period_and_category(client, db):
    first, second, team = make_user(username="first"), make_user(), make_user(role="team")
    today = utcnow().date()
    rollup(first, today, 40, PRODUCT_1)
    rollup(second, today, 25, PRODUCT_1)
    rollup(team, today, 99, PRODUCT_1)
    rollup(second, today, 100)
    db.session.commit()

    overall = client.get("/api/v1/mavens?period=week").get_json()
    product = client.get("/api/v1/mavens?period=month&category=product:1").get_json()

    assert [(i["rank"], i["username"], i["points"]) for i in overall["items"]] == [
        (1, second.username, 125),
        (2, "first", 40),
    ]
    assert overall["period"] == "week" and overall["category"] is None
    assert product["category"] == {
        "type": "product",
        "id": 1,
        "key": "product:1",
        "label": "product #1",
    }
    assert [i["username"] for i in product["items"]] == ["first", second.username]


def test_mavens_all_time_reads_stored_totals_and_shows_the_callers_place(client, db):
    leader, caller = make_user(), make_user()
    reputation.record(leader, "answer_accepted", Thing(1), None)
    reputation.record(caller, "survey_completed", Thing(2), None)
    db.session.commit()

    data = client.get("/api/v1/mavens?period=all", headers=bearer(new_token(caller))).get_json()

    assert [i["username"] for i in data["items"]] == [leader.username, caller.username]
    assert data["you"] == {"rank": 2, "points": 5}


def test_bad_period_is_400_with_a_reason(client, db):
    error = assert_json_error(client.get("/api/v1/mavens?period=fortnight"), 400)
    assert "period" in error["message"] and "week" in error["message"]
    assert_json_error(client.get("/api/v1/mavens?category=product"), 400)


def test_a_sent_token_must_be_valid(client, db):
    member = make_user(username="tokened")
    _db.session.execute(update(User).where(User.id == member.id).values(reputation=3))
    db.session.commit()
    headers = bearer("mm_" + "x" * 43)
    assert_json_error(client.get("/api/v1/mavens", headers=headers), 401)
    assert_json_error(client.get("/api/v1/users/tokened", headers=headers), 401)
