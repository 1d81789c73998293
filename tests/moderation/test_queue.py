"""The review queue: one row per item, oldest first with filters, sandboxed members' first
posts, items that are gone, the reviewers' actions (audited, telling those concerned), who
may review, and a page that costs the same queries for 10 or 1,000 items."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, insert, select, update

from community.accounts.models import User
from community.core.db import utcnow
from community.core.errors import Conflict, InvalidInput, PermissionDenied
from community.extensions import db
from community.forums.models import Post, Topic
from community.forums.services import recount
from community.moderation.models import (
    AuditEntry,
    Flag,
    FlaggerRecord,
    FlagStatus,
    Penalty,
    ReviewItem,
    ReviewStatus,
)
from community.moderation.services import flags, queue_reading, screening
from community.moderation.services import queue as review
from community.notifications.models import Notification
from community.reputation.models import ReputationEvent
from tests.conftest import login, using_postgres
from tests.factories import make_user
from tests.forums.factories import make_category, make_reply, make_topic

FLAG_POINTS = 15  # the "flag" privilege
REVIEW_POINTS = 2000  # the "review_queue" privilege


def regular(**overrides):
    """A member who joined long ago: outside the sandbox, no new-account risk."""
    return make_user(created_at=utcnow() - dt.timedelta(days=400), **overrides)


def flagger(**overrides):
    return regular(reputation=overrides.pop("reputation", FLAG_POINTS), **overrides)


def item_of(kind: str, subject_id: int) -> ReviewItem | None:
    return db.session.scalars(
        select(ReviewItem)
        .where(ReviewItem.kind == kind, ReviewItem.subject_id == subject_id)
        .execution_options(populate_existing=True)
    ).one_or_none()


def notifications(user) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Notification.kind, Notification.text)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id)
    )
    return list(rows)


def audits(action: str) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def fresh(obj):
    """``obj`` with its columns read again (its relationships stay loaded)."""
    db.session.refresh(obj, [c.key for c in obj.__table__.columns])
    return obj


@pytest.fixture()
def thread(db):
    """A public topic by a regular member with a reply by another regular member."""
    topic = make_topic(make_category(), author=regular(), title="Export as PDF")
    author = regular(username="replier")
    reply = make_reply(topic, author=author, body="Buy cheap watches at the market today")
    return topic, reply, author


def flag_until_hidden(kind: str, subject_id: int, count: int = 3) -> list:
    members = [flagger() for _ in range(count)]
    for member in members:
        flags.flag(member, kind, subject_id, "spam")
    return members


# ---------------------------------------------------------------- putting items in the queue


def test_an_item_is_queued_once_and_its_flag_weights_add_up(db, thread):
    _topic, reply, author = thread
    first = review.enqueue("forum_post", reply.id, author.id, "flagged", reason="spam", weight=1)
    queued_at = first.queued_at
    again = review.enqueue(
        "forum_post", reply.id, author.id, "flagged", reason="offensive", weight=1.5
    )
    assert again.id == first.id
    assert again.flag_weight == 2.5
    assert again.reason == "spam"  # the first reason stays
    assert again.queued_at == queued_at  # a pending item keeps its place
    assert db.session.scalar(select(func.count(ReviewItem.id))) == 1


def test_a_stronger_source_replaces_a_weaker_one(db, thread):
    _topic, reply, author = thread
    review.enqueue("forum_post", reply.id, author.id, "first_post")
    assert review.enqueue("forum_post", reply.id, author.id, "flagged", "spam", 1).source == (
        "flagged"
    )
    assert review.enqueue("forum_post", reply.id, author.id, "held").source == "flagged"


def test_a_reviewed_item_comes_back_pending_with_only_its_new_flags(db, thread, team_user):
    _topic, reply, author = thread
    item = review.enqueue("forum_post", reply.id, author.id, "flagged", "spam", 2)
    review.approve(team_user, item)
    assert item.status == ReviewStatus.RESOLVED.value
    db.session.execute(
        update(ReviewItem)
        .where(ReviewItem.id == item.id)
        .values(queued_at=utcnow() - dt.timedelta(hours=1))
    )
    back = review.enqueue("forum_post", reply.id, author.id, "flagged", "off_topic", 1)
    assert back.id == item.id
    assert back.status == ReviewStatus.PENDING.value
    assert (back.flag_weight, back.reason, back.resolution) == (1, "off_topic", None)
    assert back.queued_at > utcnow() - dt.timedelta(minutes=1)


def fresh_post(post):
    return db.session.scalars(
        select(Post).where(Post.id == post.id).execution_options(populate_existing=True)
    ).one()


def test_a_sandboxed_members_first_post_waits_in_the_queue_and_stays_visible(db):
    newcomer = make_user()
    topic = make_topic(make_category(), author=newcomer, body="Hello, I am new here.")
    item = item_of("forum_topic", topic.id)
    assert (item.status, item.source, item.author_id) == ("pending", "first_post", newcomer.id)
    assert not fresh(topic).is_hidden
    # Only the first post: their next one is not held.
    later = make_reply(topic, author=newcomer)
    assert item_of("forum_post", later.id) is None

    first_reply = make_reply(topic, author=make_user())
    assert item_of("forum_post", first_reply.id).source == "first_post"


def test_a_sandboxed_members_spammy_post_is_held_hidden_until_the_team_approves(app, db, team_user):
    app.config["SPAM_HOLD_SCORE"] = 40
    try:
        watcher = make_user(reputation=1_000)
        topic = make_topic(make_category(), author=watcher)
        newcomer = make_user(email_confirmed_at=None)  # new, unconfirmed: 20 + 15 points
        links = " ".join(f"https://deal{i}.example" for i in range(2))
        spam = make_reply(topic, author=newcomer, body=f"Cheap deals {links}")

        item = item_of("forum_post", spam.id)
        assert (item.source, item.auto_hidden, item.status) == ("held", True, "pending")
        assert item.risk_score >= 40
        assert fresh_post(spam).is_hidden
        # Hidden from the start: the topic's watcher (its author) hears nothing of it.
        assert not db.session.scalar(
            select(func.count(Notification.id)).where(Notification.user_id == watcher.id)
        )
        told = db.session.scalars(
            select(Notification.text).where(Notification.user_id == newcomer.id)
        ).all()
        assert any("spam" in text for text in told)
        assert recount.recount() == []

        review.approve(team_user, item)
        assert not fresh_post(spam).is_hidden
        assert recount.recount() == []
    finally:
        app.config["SPAM_HOLD_SCORE"] = screening.SPAM_HOLD_DEFAULT


def test_a_sandboxed_members_ordinary_post_is_not_held(db):
    topic = make_topic(make_category(), author=regular())
    newcomer = make_user()
    make_reply(topic, author=make_user())  # someone else's first post
    first = make_reply(topic, author=newcomer, body="Thanks, that helped me a lot.")
    second = make_reply(topic, author=newcomer, body="One more question about prints.")
    assert item_of("forum_post", first.id).source == "first_post"
    assert item_of("forum_post", second.id) is None
    assert not fresh_post(second).is_hidden


def test_members_outside_the_sandbox_are_not_held(db):
    topic = make_topic(make_category(), author=regular())
    reply = make_reply(topic, author=make_user(reputation=50))
    team_topic = make_topic(make_category(), author=make_user(role="team"))
    assert item_of("forum_topic", topic.id) is None
    assert item_of("forum_post", reply.id) is None
    assert item_of("forum_topic", team_topic.id) is None


# ---------------------------------------------------------------- reading the queue


def _queued(kind, subject_id, author_id, source, reason=None, minutes_ago=0):
    item = review.enqueue(kind, subject_id, author_id, source, reason, 1.0 if reason else 0.0)
    db.session.execute(
        update(ReviewItem)
        .where(ReviewItem.id == item.id)
        .values(queued_at=utcnow() - dt.timedelta(minutes=minutes_ago))
    )
    return item


def test_the_queue_lists_pending_items_oldest_first_by_kind_and_reason(db, team_user):
    topic = make_topic(make_category(), author=regular())
    replies = [make_reply(topic, author=regular()) for _ in range(3)]
    newest = _queued("forum_post", replies[0].id, replies[0].author_id, "flagged", "spam", 1)
    oldest = _queued("forum_post", replies[1].id, replies[1].author_id, "first_post", None, 30)
    middle = _queued("forum_topic", topic.id, topic.author_id, "flagged", "offensive", 10)
    done = _queued("forum_post", replies[2].id, replies[2].author_id, "flagged", "spam", 60)
    review.approve(team_user, done)

    def ids(**filters):
        return [row.item.id for row in queue_reading.list_queue(team_user, **filters).items]

    assert ids() == [oldest.id, middle.id, newest.id]
    assert ids(kind="forum_topic") == [middle.id]
    assert ids(reason="spam") == [newest.id]
    assert ids(reason="first_post") == [oldest.id]
    with pytest.raises(InvalidInput):
        queue_reading.list_queue(team_user, reason="boring")


def test_the_queue_pages_on_from_the_last_item_shown(db, team_user):
    topic = make_topic(make_category(), author=regular())
    items = []
    for minutes in (50, 40, 30, 20, 10):
        reply = make_reply(topic, author=regular())
        items.append(_queued("forum_post", reply.id, reply.author_id, "held", None, minutes))
    first = queue_reading.list_queue(team_user, per_page=2)
    assert [r.item.id for r in first.items] == [items[0].id, items[1].id]
    second = queue_reading.list_queue(team_user, cursor=first.next_cursor, per_page=2)
    assert [r.item.id for r in second.items] == [items[2].id, items[3].id]
    third = queue_reading.list_queue(team_user, cursor=second.next_cursor, per_page=2)
    assert [r.item.id for r in third.items] == [items[4].id]
    assert third.next_cursor is None


def test_the_queue_page_spells_out_each_items_risk(db, team_client):
    newcomer = make_user(username="newbie", confirmed=False)
    topic = make_topic(
        make_category(),
        author=newcomer,
        title="Great offer",
        body="See https://a.example and https://b.example",
    )
    html = team_client.get("/mod/queue").get_data(as_text=True)
    assert "Topic “Great offer”" in html
    assert "newbie" in html
    assert "First post of a new member" in html
    assert "Email address not confirmed" in html
    assert "2 links" in html
    assert "Account is 0 hours old" in html
    item = item_of("forum_topic", topic.id)
    assert f"{item.risk_score} of 100" in html
    assert item.risk_score == 20 + 15 + 10
    assert "(+15 points)" in html
    assert f'href="/mod/queue/{item.id}"' in html


def test_an_item_that_is_gone_is_shown_as_gone_and_can_be_closed(db, team_client, team_user):
    item = review.enqueue("forum_post", 10_000_000, None, "held")
    html = team_client.get("/mod/queue").get_data(as_text=True)
    assert "Gone: this item no longer exists" in html
    page = team_client.get(f"/mod/queue/{item.id}")
    assert page.status_code == 200
    assert "Close" in page.get_data(as_text=True)
    response = team_client.post(f"/mod/queue/{item.id}/approve")
    assert response.status_code == 302
    item = item_of("forum_post", 10_000_000)
    assert (item.status, item.resolution) == ("resolved", "gone")
    assert audits("review.approve")[-1].details["gone"] is True
    with pytest.raises(Conflict):
        review.hide(team_user, review.enqueue("forum_post", 10_000_001, None, "held"), "Spam")


def test_the_item_page_shows_context_flags_and_the_authors_history(db, team_client, thread):
    topic, reply, author = thread
    member = flagger(username="watchful")
    flags.flag(member, "forum_post", reply.id, "other", "Advertises watches")
    db.session.add(Penalty(user_id=author.id, kind="warn", reason="Earlier spam"))
    earlier = make_reply(topic, author=author, body="Another advert for watches and more")
    flags.flag(flagger(), "forum_post", earlier.id, "spam")
    team = make_user(role="team")
    review.hide(team, item_of("forum_post", earlier.id), "Advertising")
    item = item_of("forum_post", reply.id)

    html = team_client.get(f"/mod/queue/{item.id}").get_data(as_text=True)
    assert "Reply in “Export as PDF”" in html
    assert "The first post of this topic." in html  # the thread before it
    assert "Buy cheap watches at the market today" in html
    assert "watchful" in html and "Advertises watches" in html
    assert "Earlier spam" in html  # their penalties
    assert "Flags agreed with" in html
    assert f'action="/mod/queue/{item.id}/hide"' in html
    assert f'action="/mod/queue/{item.id}/approve"' in html
    # Warnings and suspensions: the author's moderation page.
    assert f'href="/mod/members/{author.id}"' in html
    assert team_client.get("/mod/queue/10000000").status_code == 404


def test_a_warning_given_from_the_item_page_answers_the_item(db, thread, team_client):
    _topic, reply, author = thread
    item = review.enqueue("forum_post", reply.id, author.id, "held")
    html = team_client.get(f"/mod/queue/{item.id}").get_data(as_text=True)
    assert f'action="/mod/members/{author.id}/penalty"' in html
    assert f'name="item_id" type="hidden" value="{item.id}"' in html
    response = team_client.post(
        f"/mod/members/{author.id}/penalty",
        data={
            "kind": "warn",
            "reason": "Please stop advertising.",
            "item_id": item.id,
            "next": f"/mod/queue/{item.id}",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/mod/queue/{item.id}")
    penalty = db.session.scalar(select(Penalty).where(Penalty.user_id == author.id))
    assert (penalty.kind, penalty.review_item_id) == ("warn", item.id)
    # No penalty form against a team member.
    topic, _reply, _author = thread
    team_item = review.enqueue("forum_topic", topic.id, topic.author_id, "held")
    db.session.execute(update(User).where(User.id == topic.author_id).values(role="team"))
    html = team_client.get(f"/mod/queue/{team_item.id}").get_data(as_text=True)
    assert f'action="/mod/members/{topic.author_id}/penalty"' not in html


# ---------------------------------------------------------------- the reviewers' actions


def test_approve_dismisses_the_flags_and_tells_author_and_flaggers(db, thread, team_user):
    _topic, reply, author = thread
    member = flagger()
    flags.flag(member, "forum_post", reply.id, "spam")
    item = item_of("forum_post", reply.id)

    review.approve(team_user, item)

    assert (item.status, item.resolution, item.resolved_by_id) == (
        "resolved",
        "approved",
        team_user.id,
    )
    assert db.session.scalar(select(Flag.status)) == FlagStatus.DISMISSED.value
    assert db.session.get(FlaggerRecord, member.id).dismissed == 1
    entry = audits("review.approve")[-1]
    assert (entry.actor_id, entry.subject_type, entry.subject_id) == (
        team_user.id,
        "review_item",
        item.id,
    )
    assert entry.details["flags_dismissed"] == 1
    assert notifications(author)[-1] == (
        "moderation_review",
        "Reply in “Export as PDF”: the team reviewed it and it stays visible.",
    )
    assert notifications(member)[-1] == (
        "moderation_review",
        "Reply in “Export as PDF”: the team reviewed your flag and kept it visible.",
    )
    with pytest.raises(Conflict, match="already reviewed"):
        review.approve(team_user, item)


def test_approve_shows_again_an_item_the_flags_hid(db, thread, team_user):
    topic, reply, author = thread
    flag_until_hidden("forum_post", reply.id)
    item = item_of("forum_post", reply.id)
    assert item.auto_hidden and fresh(reply).is_hidden
    assert fresh(topic).post_count == 1

    review.approve(team_user, item)

    assert not fresh(reply).is_hidden
    assert fresh(topic).post_count == 2
    assert recount.recount() == []
    assert not item.auto_hidden
    assert audits("review.approve")[-1].details["restored"] is True
    assert "is visible again" in notifications(author)[-1][1]


def test_hide_with_a_reason_agrees_with_the_flags_and_tells_everyone(db, thread, team_user):
    topic, reply, author = thread
    member = flagger()
    flags.flag(member, "forum_post", reply.id, "spam")
    item = item_of("forum_post", reply.id)

    review.hide(team_user, item, "Advertising watches")

    post = fresh(reply)
    assert post.is_hidden and post.hidden_reason == "Advertising watches"
    assert fresh(topic).post_count == 1
    assert recount.recount() == []
    assert (item.status, item.resolution) == ("resolved", "hidden")
    assert db.session.scalar(select(Flag.status)) == FlagStatus.AGREED.value
    assert db.session.get(FlaggerRecord, member.id).agreed == 1
    assert db.session.scalar(
        select(func.count(ReputationEvent.id)).where(
            ReputationEvent.user_id == member.id, ReputationEvent.reason == "flag_agreed"
        )
    )
    entry = audits("review.hide")[-1]
    assert entry.details["reason"] == "Advertising watches"
    assert entry.details["flags_agreed"] == 1
    assert "Advertising watches" in notifications(author)[-1][1]
    assert notifications(member)[-1] == (
        "moderation_review",
        "Reply in “Export as PDF”: the team agreed with your flag and hid it. Thank you.",
    )


def test_hiding_needs_a_reason(db, thread, team_user, team_client):
    _topic, reply, author = thread
    item = review.enqueue("forum_post", reply.id, author.id, "held")
    with pytest.raises(InvalidInput) as error:
        review.hide(team_user, item, "  ")
    assert error.value.field == "reason"
    response = team_client.post(f"/mod/queue/{item.id}/hide", data={"hide-reason": ""})
    assert response.status_code == 400
    assert not fresh(reply).is_hidden
    assert item_of("forum_post", reply.id).status == "pending"


def test_hiding_an_item_the_flags_hid_keeps_it_hidden_and_tells_the_author(db, thread, team_user):
    _topic, reply, author = thread
    flag_until_hidden("forum_post", reply.id)
    item = item_of("forum_post", reply.id)
    review.hide(team_user, item, "Spam, twice")
    assert fresh(reply).is_hidden
    assert notifications(author)[-1] == (
        "moderation_review",
        "Reply in “Export as PDF”: the team reviewed it and it stays hidden: Spam, twice",
    )
    assert recount.recount() == []


def test_restore_shows_a_hidden_item_again(db, thread, team_user, team_client):
    topic, reply, author = thread
    item = review.enqueue("forum_post", reply.id, author.id, "held")
    review.hide(team_user, item, "Looks like spam")
    assert fresh(reply).is_hidden

    response = team_client.post(f"/mod/queue/{item.id}/restore")

    assert response.status_code == 302
    assert not fresh(reply).is_hidden
    assert fresh(topic).post_count == 2
    assert recount.recount() == []
    item = item_of("forum_post", reply.id)
    assert item.resolution == "restored"
    assert audits("review.restore")[-1].details["kind"] == "forum_post"
    assert "is visible again" in notifications(author)[-1][1]
    # Nothing to restore any more.
    again = team_client.post(f"/mod/queue/{item.id}/restore")
    assert again.status_code == 409
    assert "This item is not hidden." in again.get_data(as_text=True)


def test_the_second_reviewer_is_told_someone_was_quicker(db, thread, team_client):
    _topic, reply, author = thread
    item = review.enqueue("forum_post", reply.id, author.id, "held")
    assert team_client.post(f"/mod/queue/{item.id}/approve").status_code == 302
    second = team_client.post(f"/mod/queue/{item.id}/approve")
    assert second.status_code == 409
    assert "Someone has already reviewed this item." in second.get_data(as_text=True)
    assert len(audits("review.approve")) == 1


def test_the_team_acts_through_the_pages(db, thread, team_client):
    _topic, reply, author = thread
    item = review.enqueue("forum_post", reply.id, author.id, "held")
    response = team_client.post(f"/mod/queue/{item.id}/hide", data={"hide-reason": "Spam"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/mod/queue")
    assert fresh(reply).is_hidden


# ---------------------------------------------------------------- who may review


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/mod/queue"),
        ("get", "/mod/queue/{id}"),
        ("post", "/mod/queue/{id}/approve"),
        ("post", "/mod/queue/{id}/hide"),
        ("post", "/mod/queue/{id}/restore"),
    ],
)
def test_members_without_the_privilege_get_403(db, thread, member_client, method, path):
    _topic, reply, author = thread
    item = review.enqueue("forum_post", reply.id, author.id, "held")
    response = getattr(member_client, method)(path.format(id=item.id), data={"hide-reason": "x"})
    assert response.status_code == 403
    assert item_of("forum_post", reply.id).status == "pending"


def test_the_services_refuse_members_without_the_privilege(db, thread, member):
    _topic, reply, author = thread
    item = review.enqueue("forum_post", reply.id, author.id, "held")
    almost = regular(reputation=REVIEW_POINTS - 1)
    for viewer in (member, almost):
        with pytest.raises(PermissionDenied):
            queue_reading.list_queue(viewer)
        with pytest.raises(PermissionDenied):
            queue_reading.item_detail(viewer, item.id)
        with pytest.raises(PermissionDenied):
            review.approve(viewer, item)
    assert item_of("forum_post", reply.id).status == "pending"


def test_visitors_are_asked_to_log_in(db, client):
    response = client.get("/mod/queue")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_members_with_the_review_privilege_approve_and_hide_but_do_not_restore(app, db, thread):
    topic, reply, author = thread
    reviewer = regular(username="reviewer", reputation=REVIEW_POINTS)
    client = app.test_client()
    login(client, reviewer)
    assert client.get("/mod/queue").status_code == 200
    assert "Review queue" in client.get("/").get_data(as_text=True)

    kept = make_reply(topic, author=regular())
    kept_item = review.enqueue("forum_post", kept.id, kept.author_id, "held")
    assert client.post(f"/mod/queue/{kept_item.id}/approve").status_code == 302
    assert item_of("forum_post", kept.id).resolution == "approved"

    item = review.enqueue("forum_post", reply.id, author.id, "held")
    assert client.get(f"/mod/queue/{item.id}").status_code == 200
    response = client.post(f"/mod/queue/{item.id}/hide", data={"hide-reason": "Advertising"})
    assert response.status_code == 302
    post = fresh(reply)
    assert post.is_hidden and post.hidden_reason == "Advertising"
    assert audits("review.hide")[-1].actor_id == reviewer.id
    assert notifications(author)[-1] == (
        "moderation_review",
        "Reply in “Export as PDF” was hidden after review: Advertising",
    )
    assert recount.recount() == []
    # Showing hidden content again is the team's.
    assert client.post(f"/mod/queue/{item.id}/restore").status_code == 403
    assert fresh(reply).is_hidden


def test_the_header_links_the_queue_for_reviewers_only(db, team_client, member_client):
    assert 'href="/mod/queue"' in team_client.get("/").get_data(as_text=True)
    assert 'href="/mod/queue"' not in member_client.get("/").get_data(as_text=True)


def test_audit_entries_of_reviews_link_to_the_item_for_admins(db, thread, admin_client):
    _topic, reply, author = thread
    item = review.enqueue("forum_post", reply.id, author.id, "held")
    review.approve(make_user(role="team"), item)
    html = admin_client.get("/admin/audit?action=review.approve").get_data(as_text=True)
    assert f'href="/mod/queue/{item.id}"' in html


# ---------------------------------------------------------------- bounded queries


def _page_queries(client, count_queries) -> int:
    with count_queries() as statements:
        response = client.get("/mod/queue")
    assert response.status_code == 200
    return len(statements)


def test_the_queue_page_takes_the_same_queries_for_10_or_1000_items(db, team_client, count_queries):
    topic = make_topic(make_category(), author=regular())
    authors = [regular() for _ in range(10)]
    for n, author in enumerate(authors):
        reply = make_reply(topic, author=author, body=f"Reply number {n} with some words")
        flags.flag(flagger(), "forum_post", reply.id, "spam")
    db.session.execute(update(ReviewItem).values(queued_at=utcnow() - dt.timedelta(days=1)))
    assert db.session.scalar(select(func.count(ReviewItem.id))) == 10
    with_10 = _page_queries(team_client, count_queries)

    # 990 more: items whose posts are gone, by the same authors, queued later.
    start = db.session.scalar(select(func.max(Post.id))) + 1
    db.session.execute(
        insert(ReviewItem),
        [
            {
                "kind": "forum_post",
                "subject_id": start + n,
                "author_id": authors[n % 10].id,
                "status": "pending",
                "source": "flagged",
                "reason": "spam",
                "flag_weight": 1.0,
                "risk_score": 10,
                "risk_reasons": [{"key": "flag_weight", "points": 10, "value": 1.0}],
                "auto_hidden": False,
                "author_edited": False,
                "queued_at": utcnow() - dt.timedelta(hours=1, seconds=-n),
            }
            for n in range(990)
        ],
    )
    assert db.session.scalar(select(func.count(ReviewItem.id))) == 1000
    with_1000 = _page_queries(team_client, count_queries)
    assert with_1000 == with_10
    assert with_10 <= 10
    html = team_client.get("/mod/queue").get_data(as_text=True)
    assert html.count('class="card queue-row"') == queue_reading.PER_PAGE
    assert "Gone: this item no longer exists" in html
    assert db.session.scalar(select(func.count(Topic.id))) == 1


# ---------------------------------------------------------------- concurrent flags


@pytest.mark.skipif(not using_postgres(), reason="needs PostgreSQL's concurrent connections")
def test_concurrent_flags_on_one_item_make_one_row_with_every_weight(app):
    from tests.test_concurrency import run_concurrently

    subject_id = 2_000_000_000  # no such post: the item is "gone", nothing else is written

    def flag_it(n: int) -> None:
        review.enqueue("forum_post", subject_id, None, "flagged", "spam", 0.5)

    try:
        assert run_concurrently(app, flag_it) == [None] * 8
        with app.app_context():
            rows = db.session.execute(
                select(ReviewItem.flag_weight, ReviewItem.status).where(
                    ReviewItem.subject_id == subject_id
                )
            ).all()
            assert rows == [(4.0, "pending")]
    finally:
        with app.app_context():
            db.session.execute(delete(ReviewItem).where(ReviewItem.subject_id == subject_id))
            db.session.commit()
