import datetime as dt
import threading

import pytest
from flask_babel import format_datetime
from sqlalchemy import delete, select

from community.accounts import services as accounts
from community.accounts.models import AnonymousUser, User
from community.core.content import render
from community.core.db import utcnow
from community.core.errors import PermissionDenied
from community.extensions import db as _db
from community.reputation import services as reputation
from community.reputation.models.sandbox import SandboxUsage
from community.reputation.privileges import PRIVILEGES, has_privilege, progress, require
from community.reputation.sandbox import (
    check_sandbox,
    count_links,
    count_links_in_markdown,
    sandbox_status,
    use_sandbox,
)
from tests.conftest import login, using_postgres
from tests.factories import make_user

LONG_AGO = dt.timedelta(days=365)


def veteran(**overrides):
    """A member who joined long ago: only points stand between them and a privilege."""
    return make_user(created_at=utcnow() - LONG_AGO, **overrides)


# --- privileges ---------------------------------------------------------------------------


@pytest.mark.parametrize("priv", [p for p in PRIVILEGES if p.min_points > 0], ids=lambda p: p.key)
def test_privilege_comes_at_its_threshold_and_not_one_point_below(db, priv):
    below = veteran(reputation=priv.min_points - 1)
    at = veteran(reputation=priv.min_points)

    assert not has_privilege(below, priv.key)
    assert has_privilege(at, priv.key)
    with pytest.raises(PermissionDenied, match="You need 1 more point to "):
        require(below, priv.key)
    require(at, priv.key)


def test_the_documented_thresholds():
    assert {p.key: (p.min_points, p.min_days) for p in PRIVILEGES} == {
        "vote": (0, 0),
        "vote_elections": (10, 0),
        "flag": (15, 0),
        "comment_motions": (50, 0),
        "stand_for_parliament": (250, 30),
        "edit_tags": (500, 0),
        "review_queue": (2000, 0),
    }


def test_standing_for_parliament_also_needs_thirty_days_of_membership(db):
    now = utcnow()
    newish = make_user(reputation=5000, created_at=now - dt.timedelta(days=29, hours=23))
    month = make_user(reputation=5000, created_at=now - dt.timedelta(days=30))

    assert not has_privilege(newish, "stand_for_parliament", now)
    with pytest.raises(PermissionDenied) as refused:
        require(newish, "stand_for_parliament", now)
    assert refused.value.message == "You need 1 more day of membership to stand for parliament."
    assert has_privilege(month, "stand_for_parliament", now)


def test_require_says_how_many_points_are_still_missing(db):
    member = veteran(reputation=8)
    with pytest.raises(PermissionDenied) as refused:
        require(member, "flag")
    assert refused.value.message == "You need 7 more points to flag."
    assert refused.value.status == 403


def test_require_names_both_points_and_days_when_both_are_missing(db):
    newcomer = make_user(reputation=200)
    with pytest.raises(PermissionDenied) as refused:
        require(newcomer, "stand_for_parliament")
    assert refused.value.message == (
        "You need 50 more points and 30 more days of membership to stand for parliament."
    )


@pytest.mark.parametrize("role", ["team", "admin"])
def test_team_and_admins_have_every_privilege_from_the_first_day(db, role):
    staff = make_user(role=role)
    for priv in PRIVILEGES:
        assert has_privilege(staff, priv.key)
        require(staff, priv.key)
    assert all(row.granted for row in progress(staff))


def test_visitors_have_no_privilege_and_are_asked_to_log_in(app):
    visitor = AnonymousUser()
    assert not any(has_privilege(visitor, p.key) for p in PRIVILEGES)
    with app.test_request_context("/"), pytest.raises(PermissionDenied) as refused:
        require(visitor, "flag")
    assert refused.value.message == "Please log in to flag."


def test_an_unknown_privilege_is_a_programming_error(db, member):
    with pytest.raises(KeyError, match="unknown privilege"):
        has_privilege(member, "teleport")


def test_earning_points_through_the_ledger_grants_the_privilege_at_once(db):
    member = veteran()
    assert not has_privilege(member, "flag")
    reputation.record(member, "answer_accepted", None, None)  # +15
    assert has_privilege(member, "flag")


# --- the new-member sandbox ----------------------------------------------------------------


def lifts_at(user) -> str:
    return format_datetime(user.created_at + dt.timedelta(hours=24), "long")


def test_fourth_new_topic_of_a_new_member_is_refused_saying_when_the_limit_lifts(db):
    newcomer = make_user()
    for _ in range(3):
        use_sandbox(newcomer, "topic")

    with pytest.raises(PermissionDenied) as refused:
        use_sandbox(newcomer, "topic")

    message = refused.value.message
    assert "at most 3 threads or ideas" in message
    assert f"This limit lifts on {lifts_at(newcomer)}" in message
    assert "as soon as you have 10 points" in message
    with pytest.raises(PermissionDenied):
        check_sandbox(newcomer, "topic")
    stored = db.session.scalar(
        select(SandboxUsage.used).where(
            SandboxUsage.user_id == newcomer.id, SandboxUsage.kind == "topic"
        )
    )
    assert stored == 3


def test_new_member_may_write_ten_posts_and_the_eleventh_is_refused(db):
    newcomer = make_user()
    for _ in range(10):
        check_sandbox(newcomer, "post")
        use_sandbox(newcomer, "post")
    with pytest.raises(PermissionDenied, match="at most 10 posts"):
        use_sandbox(newcomer, "post")
    use_sandbox(newcomer, "topic")  # topics are counted on their own


def test_new_member_may_put_two_links_in_a_post_but_not_three(db):
    newcomer = make_user()
    use_sandbox(newcomer, "post", links=2)
    with pytest.raises(PermissionDenied) as refused:
        use_sandbox(newcomer, "post", links=3)
    assert "at most 2 links in a post; this one has 3" in refused.value.message
    assert f"lifts on {lifts_at(newcomer)}" in refused.value.message
    with pytest.raises(PermissionDenied):
        check_sandbox(newcomer, "topic", links=3)
    # The refused post used up nothing.
    assert sandbox_status(newcomer).allowances[1].used == 1


def test_links_are_counted_in_rendered_posts_but_mentions_are_not(db):
    html = render(
        "see https://a.example and [b](https://b.example) ![pic](https://c.example/p.png) @bob",
        mentions=lambda names: {name: f"/u/{name}" for name in names},
    ).html
    assert 'class="mention"' in html
    assert count_links(html) == 2
    assert count_links_in_markdown("one https://a.example two http://b.example") == 2
    assert count_links("<p>no links</p>") == 0


def test_the_sandbox_ends_twenty_four_hours_after_joining(db):
    day_old = make_user(created_at=utcnow() - dt.timedelta(hours=24, minutes=1))
    for _ in range(5):
        use_sandbox(day_old, "topic", links=10)
    assert sandbox_status(day_old) is None

    newcomer = make_user()
    tomorrow = newcomer.created_at + dt.timedelta(hours=24)
    for _ in range(3):
        use_sandbox(newcomer, "topic")
    with pytest.raises(PermissionDenied):
        use_sandbox(newcomer, "topic", now=tomorrow - dt.timedelta(seconds=1))
    use_sandbox(newcomer, "topic", now=tomorrow)


def test_the_sandbox_ends_as_soon_as_a_new_member_has_ten_points(db):
    newcomer = make_user()
    for _ in range(3):
        use_sandbox(newcomer, "topic")
    reputation.record(newcomer, "answer_accepted", None, None)  # +15
    use_sandbox(newcomer, "topic", links=5)
    check_sandbox(newcomer, "topic", links=5)

    nine = make_user(reputation=9)
    with pytest.raises(PermissionDenied):
        use_sandbox(nine, "post", links=3)
    use_sandbox(make_user(reputation=10), "post", links=3)


@pytest.mark.parametrize("role", ["team", "admin"])
def test_team_is_never_sandboxed(db, role):
    staff = make_user(role=role)
    for _ in range(20):
        use_sandbox(staff, "topic", links=20)
    assert sandbox_status(staff) is None


def test_sandbox_limits_follow_the_app_config(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "SANDBOX_TOPICS", 1)
    monkeypatch.setitem(app.config, "SANDBOX_LINKS", 0)
    monkeypatch.setitem(app.config, "SANDBOX_HOURS", 2)
    newcomer = make_user()
    use_sandbox(newcomer, "topic")
    with pytest.raises(PermissionDenied) as refused:
        use_sandbox(newcomer, "topic")
    lift = format_datetime(newcomer.created_at + dt.timedelta(hours=2), "long")
    assert "at most 1 thread or idea." in refused.value.message
    assert lift in refused.value.message
    with pytest.raises(PermissionDenied):
        use_sandbox(newcomer, "post", links=1)
    assert sandbox_status(newcomer, newcomer.created_at + dt.timedelta(hours=2)) is None


def test_the_limit_holds_even_when_the_stored_count_moved_after_the_check(db):
    """The conditional UPDATE decides, not the earlier read: a creation that passed
    check_sandbox is still refused if another request used the last allowance meanwhile."""
    newcomer = make_user()
    use_sandbox(newcomer, "topic")
    use_sandbox(newcomer, "topic")
    check_sandbox(newcomer, "topic")  # one left ...
    use_sandbox(newcomer, "topic")  # ... taken by a "concurrent" request
    with pytest.raises(PermissionDenied):
        use_sandbox(newcomer, "topic")


@pytest.mark.skipif(not using_postgres(), reason="needs PostgreSQL's concurrent connections")
def test_simultaneous_new_topics_of_a_new_member_never_exceed_the_limit(app):
    with app.app_context():
        accounts.create_user("sandboxed", "sandboxed@example.com", "long enough pw")
        _db.session.commit()
        _db.session.remove()
    clients = 8
    barrier = threading.Barrier(clients)
    outcomes: list[BaseException | None] = [None] * clients

    def client(n: int) -> None:
        with app.test_request_context("/"):
            user = _db.session.scalar(select(User).where(User.username_key == "sandboxed"))
            barrier.wait()
            try:
                use_sandbox(user, "topic")
                _db.session.commit()
            except BaseException as exc:  # noqa: BLE001 - the outcome is what we test
                _db.session.rollback()
                outcomes[n] = exc
            finally:
                _db.session.remove()

    try:
        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with app.app_context():
            used = _db.session.scalar(
                select(SandboxUsage.used)
                .join(User, User.id == SandboxUsage.user_id)
                .where(User.username_key == "sandboxed", SandboxUsage.kind == "topic")
            )
            _db.session.remove()
    finally:
        with app.app_context():
            ids = select(User.id).where(User.username_key == "sandboxed").scalar_subquery()
            _db.session.execute(delete(SandboxUsage).where(SandboxUsage.user_id.in_(ids)))
            _db.session.execute(delete(User).where(User.username_key == "sandboxed"))
            _db.session.commit()
            _db.session.remove()

    assert used == 3
    refused = [o for o in outcomes if o is not None]
    assert len(refused) == clients - 3
    assert all(isinstance(o, PermissionDenied) for o in refused)


# --- the /privileges page ------------------------------------------------------------------


def test_visitor_sees_every_privilege_with_its_threshold_and_is_invited_to_log_in(client):
    response = client.get("/privileges")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    for priv in PRIVILEGES:
        assert str(priv.label) in page
        assert str(priv.description) in page
    assert "15 points" in page
    assert "250 points and 30 days of membership" in page
    assert "Log in to see how close you are to each privilege." in page
    assert "<progress" not in page
    assert "At most 3 new threads or ideas" in page and "At most 2 links in a post" in page


def test_member_sees_their_progress_towards_each_privilege(app, db):
    member = make_user(username="climber", reputation=12, created_at=utcnow() - LONG_AGO)
    db.session.commit()
    client = app.test_client()
    login(client, member)

    page = client.get("/privileges").get_data(as_text=True)

    assert "You have 12 of 15 points." in page
    assert '<progress value="12" max="15"' in page
    assert '<progress value="12" max="250"' in page
    assert "You have been a member for 365 of 30 days" not in page
    assert page.count("You have this privilege.") == 2  # vote (1) and elections (10)
    assert "These limits no longer apply to you." in page


def test_new_member_sees_the_days_still_needed_to_stand_for_parliament(app, db):
    member = make_user(username="fresh", reputation=300, created_at=utcnow() - dt.timedelta(days=3))
    db.session.commit()
    client = app.test_client()
    login(client, member)
    page = client.get("/privileges").get_data(as_text=True)
    assert "You have been a member for 3 of 30 days." in page


def test_team_sees_that_they_have_every_privilege(team_client):
    page = team_client.get("/privileges").get_data(as_text=True)
    assert "You have all privileges as a member of the team." in page
    assert page.count("You have this privilege.") == len(PRIVILEGES)
    assert "<progress" not in page
    assert "Your allowances" not in page


def test_sandboxed_member_sees_their_remaining_allowances_and_when_the_sandbox_ends(
    app, db, member_client, member
):
    use_sandbox(member, "topic")
    db.session.commit()

    page = member_client.get("/privileges").get_data(as_text=True)

    assert "Your allowances" in page
    assert "New threads or ideas: 2 of 3 left" in page
    assert "Posts: 10 of 10 left" in page
    assert f"Your limits end on {lifts_at(member)}" in page
    assert "as soon as you have 10 points (10 more)" in page


def test_privileges_page_query_count_does_not_grow_with_usage_or_members(
    app, db, member_client, member, count_queries
):
    member_client.get("/privileges")
    with count_queries() as few:
        member_client.get("/privileges")
    for _ in range(3):
        use_sandbox(member, "topic")
    for _ in range(10):
        use_sandbox(member, "post")
    for _ in range(20):
        other = make_user()
        use_sandbox(other, "topic")
        use_sandbox(other, "post")
    db.session.commit()
    with count_queries() as many:
        page = member_client.get("/privileges").get_data(as_text=True)
    assert "0 of 3 left" in page
    assert len(many) == len(few)


def test_a_brand_new_member_may_vote_on_ideas(db):
    assert has_privilege(make_user(), "vote")
