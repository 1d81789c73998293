"""Members flag content: who may, one flag each, the flagger's weight, the threshold that
hides an item at once pending review, what the author is told, that the hidden item
leaks nowhere, and the author's one edit that asks for another look."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, func, or_, select

from community.accounts import services as accounts
from community.accounts.models import AnonymousUser, User
from community.core import search
from community.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from community.core.search import SearchEntry
from community.extensions import db
from community.forums.models import ForumCategory, ForumVisit, Post, Topic, TopicUser
from community.forums.services import listing, moderating, revisions, topics, visibility
from community.moderation import targets
from community.moderation.models import (
    AuditEntry,
    Flag,
    FlaggerRecord,
    FlagStatus,
    ReviewItem,
    ReviewStatus,
)
from community.moderation.services import flags, queue
from community.notifications.models import Notification
from community.reputation.models import ReputationEvent
from tests.conftest import login, using_postgres
from tests.factories import make_user
from tests.forums.factories import make_category, make_reply, make_topic
from tests.test_concurrency import run_concurrently

FLAG_POINTS = 15  # the "flag" privilege


def flagger(**overrides):
    return make_user(reputation=overrides.pop("reputation", FLAG_POINTS), **overrides)


def notifications(user) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Notification.kind, Notification.text)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id)
    )
    return [(kind, text) for kind, text in rows]


def review_item(kind: str, subject_id: int) -> ReviewItem | None:
    return db.session.scalars(
        select(ReviewItem)
        .where(ReviewItem.kind == kind, ReviewItem.subject_id == subject_id)
        .execution_options(populate_existing=True)
    ).one_or_none()


def fresh(model, obj_id):
    obj = db.session.get(model, obj_id)
    db.session.refresh(obj)
    return obj


@pytest.fixture()
def thread(db):
    """A public topic with a reply by another member (the item most tests flag)."""
    category = make_category()
    topic = make_topic(category, author=make_user(), title="Export as PDF")
    author = make_user(username="replier", locale="en")
    reply = make_reply(topic, author=author, body="Buy cheap watches at example.com")
    return topic, reply, author


def flag_until_hidden(kind: str, subject_id: int, count: int = 3) -> list:
    members = [flagger() for _ in range(count)]
    for member in members:
        flags.flag(member, kind, subject_id, "spam")
    return members


# ---------------------------------------------------------------- who may flag


def test_flagging_needs_the_flag_privilege(db, thread):
    _topic, reply, _author = thread
    newcomer = make_user(reputation=FLAG_POINTS - 1)
    with pytest.raises(PermissionDenied, match="1 more point"):
        flags.flag(newcomer, "forum_post", reply.id, "spam")
    flags.flag(flagger(), "forum_post", reply.id, "spam")
    assert db.session.scalar(select(func.count(Flag.id))) == 1


def test_nobody_flags_their_own_post(db, thread):
    _topic, reply, author = thread
    author.reputation = 1_000
    with pytest.raises(PermissionDenied):
        flags.flag(author, "forum_post", reply.id, "spam")


def test_second_flag_by_the_same_member_is_rejected(db, thread):
    _topic, reply, _author = thread
    member = flagger()
    flags.flag(member, "forum_post", reply.id, "spam")
    with pytest.raises(Conflict, match="already flagged"):
        flags.flag(member, "forum_post", reply.id, "offensive")
    assert db.session.scalar(select(func.count(Flag.id))) == 1


def test_other_needs_a_text_and_reasons_are_checked(db, thread):
    _topic, reply, _author = thread
    member = flagger()
    with pytest.raises(InvalidInput) as error:
        flags.flag(member, "forum_post", reply.id, "other", "  ")
    assert error.value.field == "text"
    with pytest.raises(InvalidInput) as error:
        flags.flag(member, "forum_post", reply.id, "rude")
    assert error.value.field == "reason"
    with pytest.raises(InvalidInput) as error:
        flags.flag(member, "forum_post", reply.id, "spam", "x" * 501)
    assert error.value.field == "text"
    with pytest.raises(InvalidInput) as error:
        flags.flag(member, "no_such_kind", reply.id, "spam")
    assert error.value.field == "kind"
    made = flags.flag(member, "forum_post", reply.id, "other", "Copied from another site")
    assert (made.reason, made.text) == ("other", "Copied from another site")


def test_members_cannot_flag_what_they_cannot_see(db, thread):
    topic, reply, _author = thread
    team = make_user(role="team")
    private = make_category(is_private=True, actor=team)
    secret = make_topic(private, author=team)
    member = flagger()
    with pytest.raises(NotFound):
        flags.flag(member, "forum_topic", secret.id, "spam")
    moderating.hide_post(team, reply, "Spam")
    with pytest.raises(NotFound):
        flags.flag(member, "forum_post", reply.id, "spam")
    with pytest.raises(NotFound):
        flags.flag(member, "forum_post", 10_000_000, "spam")


# ---------------------------------------------------------------- weight


def test_a_flaggers_weight_grows_with_agreed_flags_and_shrinks_with_dismissed_ones():
    assert flags.weight_for(0, 0) == 1.0
    assert flags.weight_for(5, 0) == 2.0
    assert flags.weight_for(5, 5) == 1.0
    assert flags.weight_for(0, 1) == pytest.approx(0.8)
    # Kept within bounds: nobody weighs nothing, no member hides anything alone.
    assert flags.weight_for(0, 50) == flags.MIN_WEIGHT
    assert flags.weight_for(500, 0) == flags.MAX_WEIGHT < flags.DEFAULT_HIDE_THRESHOLD


def test_settled_flags_move_the_flaggers_weight_and_agreed_ones_earn_reputation(db, thread):
    topic, reply, _author = thread
    member = flagger()
    assert flags.flagger_weight(member) == 1.0
    flags.flag(member, "forum_post", reply.id, "spam")
    item = review_item("forum_post", reply.id)
    assert flags.settle_flags(item, agreed=True) == 1
    assert flags.flagger_weight(member) == pytest.approx(1.2)
    statuses = set(db.session.scalars(select(Flag.status).where(Flag.flagger_id == member.id)))
    assert statuses == {FlagStatus.AGREED.value}
    assert (
        db.session.scalar(
            select(ReputationEvent.points).where(
                ReputationEvent.user_id == member.id, ReputationEvent.reason == "flag_agreed"
            )
        )
        == 2
    )
    assert fresh(type(member), member.id).reputation == FLAG_POINTS + 2

    other = make_reply(topic, author=make_user())
    flags.flag(member, "forum_post", other.id, "off_topic")
    flags.settle_flags(review_item("forum_post", other.id), agreed=False)
    record = db.session.get(FlaggerRecord, member.id)
    assert (record.agreed, record.dismissed) == (1, 1)
    assert flags.flagger_weight(member) == 1.0
    # Settling twice settles nothing more.
    assert flags.settle_flags(review_item("forum_post", other.id), agreed=True) == 0


def test_each_flag_keeps_the_weight_its_flagger_had(db, thread):
    _topic, reply, _author = thread
    member = flagger()
    db.session.add(FlaggerRecord(user_id=member.id, agreed=5, dismissed=0))
    db.session.flush()
    made = flags.flag(member, "forum_post", reply.id, "spam")
    assert made.weight == 2.0
    assert review_item("forum_post", reply.id).flag_weight == 2.0


# ---------------------------------------------------------------- the threshold


def test_flags_under_the_threshold_queue_the_item_and_leave_it_visible(db, thread):
    _topic, reply, _author = thread
    for member in (flagger(), flagger()):
        flags.flag(member, "forum_post", reply.id, "spam")
    item = review_item("forum_post", reply.id)
    assert item.status == ReviewStatus.PENDING.value
    assert (item.source, item.reason, item.flag_weight) == ("flagged", "spam", 2.0)
    assert not item.auto_hidden
    assert not fresh(Post, reply.id).is_hidden


def test_flags_reaching_the_threshold_hide_the_item_and_tell_the_author_why(db, thread):
    topic, reply, author = thread
    members = flag_until_hidden("forum_post", reply.id)

    post = fresh(Post, reply.id)
    assert post.is_hidden
    assert "Spam" in post.hidden_reason
    item = review_item("forum_post", reply.id)
    assert item.auto_hidden and item.status == ReviewStatus.PENDING.value
    assert fresh(Topic, topic.id).post_count == 1
    # No human decided: the audit entry has no actor and says so.
    entry = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "forum.post.hide", AuditEntry.subject_id == reply.id
        )
    ).one()
    assert entry.actor_id is None
    assert entry.details["by"] == "community_flags"
    # The author learns the reason and the one edit, never who flagged.
    [(kind, text)] = notifications(author)
    assert kind == flags.AUTO_HIDDEN
    assert "Spam" in text and "edit it once" in text and "Export as PDF" in text
    for member in members:
        assert member.username not in text
        # Flaggers are not told about one another.
        assert notifications(member) == []


def test_a_fourth_flag_on_a_hidden_item_changes_nothing_but_the_weight(db, thread):
    _topic, reply, author = thread
    flag_until_hidden("forum_post", reply.id)
    team = make_user(role="team")
    flags.flag(team, "forum_post", reply.id, "spam")
    assert review_item("forum_post", reply.id).flag_weight == 3.0 + flags.hide_threshold()
    assert len(notifications(author)) == 1


def test_a_team_flag_hides_at_once(db, thread):
    _topic, reply, _author = thread
    team = make_user(role="team")
    made = flags.flag(team, "forum_post", reply.id, "offensive")
    assert made.weight == flags.hide_threshold()
    assert fresh(Post, reply.id).is_hidden
    assert review_item("forum_post", reply.id).auto_hidden


def test_the_threshold_is_a_setting(app, db, thread):
    _topic, reply, _author = thread
    app.config["FLAG_HIDE_THRESHOLD"] = 1.0
    try:
        flags.flag(flagger(), "forum_post", reply.id, "spam")
    finally:
        app.config["FLAG_HIDE_THRESHOLD"] = 3.0
    assert fresh(Post, reply.id).is_hidden


# ---------------------------------------------------------------- hidden means hidden


def test_a_topic_hidden_by_flags_leaks_nowhere_but_to_its_author_and_the_team(app, db, client):
    category = make_category()
    author = make_user(username="topicauthor")
    topic = make_topic(category, author=author, title="Zeppelin discount codes")
    other = flagger()
    flag_until_hidden("forum_topic", topic.id)

    category = fresh(ForumCategory, category.id)
    assert category.topic_count == 0
    with pytest.raises(NotFound):
        visibility.get_topic(other, topic.id)
    with pytest.raises(NotFound):
        visibility.get_topic(AnonymousUser(), topic.id)
    assert visibility.get_topic(author, topic.id).is_hidden
    hits = search.search("zeppelin", search.viewer_scopes(other), kinds=["forum_topic"]).hits
    assert hits == []
    listed = listing.list_topics(other, category, filter="latest", period="all", tag=None)
    assert topic.id not in {row.topic.id for row in listed.items}
    db.session.commit()

    assert client.get(f"/t/{topic.id}/{topic.slug}").status_code == 404
    assert client.get(f"/api/v1/topics/{topic.id}").status_code == 404
    login(client, author)
    page = client.get(f"/t/{topic.id}/{topic.slug}")
    assert page.status_code == 200
    assert "waiting for the team" in page.get_data(as_text=True)


# ---------------------------------------------------------------- the author's one edit


def test_the_authors_one_edit_asks_for_review_and_a_second_is_refused(db, thread):
    _topic, reply, author = thread
    flag_until_hidden("forum_post", reply.id)

    revisions.edit_post(author, fresh(Post, reply.id), "Sorry, here is my real question.")
    item = review_item("forum_post", reply.id)
    assert item.status == ReviewStatus.PENDING.value
    assert (item.source, item.author_edited, item.auto_hidden) == ("edited", True, True)
    assert fresh(Post, reply.id).is_hidden  # still hidden until the team decides

    with pytest.raises(Conflict, match="already edited"):
        revisions.edit_post(author, fresh(Post, reply.id), "Please, please look again.")


def test_after_the_team_approves_new_flags_hide_again_and_give_one_more_edit(db, thread):
    _topic, reply, author = thread
    first_round = flag_until_hidden("forum_post", reply.id)
    revisions.edit_post(author, fresh(Post, reply.id), "My real question.")
    team = make_user(role="team")
    queue.approve(team, review_item("forum_post", reply.id))
    assert not fresh(Post, reply.id).is_hidden
    assert all(flags.flagger_weight(member) == pytest.approx(0.8) for member in first_round)

    # Dismissed flags no longer count: three new flaggers of weight 1 hide it again.
    flag_until_hidden("forum_post", reply.id)
    item = review_item("forum_post", reply.id)
    assert (item.flag_weight, item.auto_hidden, item.author_edited) == (3.0, True, False)
    revisions.edit_post(author, fresh(Post, reply.id), "My real question, shorter.")
    assert review_item("forum_post", reply.id).author_edited


def test_the_team_editing_a_hidden_post_asks_for_nothing(db, thread):
    _topic, reply, _author = thread
    flag_until_hidden("forum_post", reply.id)
    team = make_user(role="team")
    revisions.edit_post(team, fresh(Post, reply.id), "Removed the link.")
    assert not review_item("forum_post", reply.id).author_edited


def test_editing_the_first_post_of_a_hidden_topic_asks_for_review_of_the_topic(db):
    author = make_user()
    topic = make_topic(author=author)
    flag_until_hidden("forum_topic", topic.id)
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))
    revisions.edit_post(author, first, "A better first post.")
    assert review_item("forum_topic", topic.id).author_edited


# ---------------------------------------------------------------- the forums' targets


def test_forum_targets_show_a_post_with_its_thread_context(db):
    topic = make_topic(title="Dark mode", body="Please add dark mode.")
    replies = [make_reply(topic, body=f"Reply number {n}") for n in range(1, 5)]
    info = targets.get("forum_post").load({replies[-1].id})[replies[-1].id]
    assert info.title == "Reply in “Dark mode”"
    assert info.text == "Reply number 4"
    assert [text for _name, text in info.context] == [
        "Reply number 1",
        "Reply number 2",
        "Reply number 3",
    ]
    assert info.url == f"/p/{replies[-1].id}"
    topic_info = targets.get("forum_topic").load({topic.id})[topic.id]
    assert (topic_info.title, topic_info.text) == ("Topic “Dark mode”", "Please add dark mode.")
    assert targets.get("forum_post").load({10_000_000}) == {}


def test_forum_targets_hide_everything_a_member_wrote(db):
    team = make_user(role="team")
    spammer = make_user(reputation=1_000)
    own = make_topic(author=spammer)
    make_reply(own, author=make_user())
    elsewhere = make_topic()
    make_reply(elsewhere, author=spammer)
    make_reply(own, author=spammer)
    hidden = sum(target.hide_all_by(team, spammer, "Spam") for target in targets.kinds().values())
    assert hidden == 3  # one topic, two replies
    assert fresh(Topic, own.id).is_hidden
    assert not fresh(Topic, elsewhere.id).is_hidden
    assert fresh(Topic, elsewhere.id).post_count == 1
    texts = targets.get("forum_post").recent_texts(spammer.id, 10)
    assert len(texts) == 3


# ---------------------------------------------------------------- the pages


def flag_link(html: str) -> list[str]:
    return re.findall(r'href="(/mod/flag\?[^"]+)"', html)


def test_the_flag_link_shows_for_members_who_may_flag_but_not_on_their_own_posts(app, db, thread):
    topic, reply, author = thread
    db.session.commit()
    url = f"/t/{topic.id}/{topic.slug}"
    member = flagger()
    client = app.test_client()
    login(client, member)
    links = flag_link(client.get(url).get_data(as_text=True))
    assert len(links) == 2  # the first post (the topic) and the reply
    assert any("kind=forum_topic" in link for link in links)

    author_client = app.test_client()
    author.reputation = 1_000
    db.session.commit()
    login(author_client, author)
    links = flag_link(author_client.get(url).get_data(as_text=True))
    assert len(links) == 1 and "kind=forum_topic" in links[0]

    newcomer = app.test_client()
    login(newcomer, make_user())
    assert flag_link(newcomer.get(url).get_data(as_text=True)) == []


def test_flagging_on_the_page_redirects_back_with_thanks(app, db, thread):
    topic, reply, _author = thread
    member = flagger()
    client = app.test_client()
    login(client, member)
    back = f"/t/{topic.id}/{topic.slug}#p{reply.id}"
    page = client.get(
        "/mod/flag", query_string={"kind": "forum_post", "id": reply.id, "next": back}
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Reply in “Export as PDF”" in html
    assert 'type="radio"' in html and "<legend>" in html

    response = client.post(
        "/mod/flag",
        data={"kind": "forum_post", "id": reply.id, "next": back, "reason": "spam"},
    )
    assert response.status_code == 302
    assert response.location == back
    assert db.session.scalar(select(Flag.reason).where(Flag.flagger_id == member.id)) == "spam"
    again = client.get("/mod/flag", query_string={"kind": "forum_post", "id": reply.id})
    assert "You flagged this" in again.get_data(as_text=True)
    twice = client.post("/mod/flag", data={"kind": "forum_post", "id": reply.id, "reason": "spam"})
    assert twice.status_code == 409


def test_a_refused_flag_keeps_the_form_with_the_error_on_its_field(app, db, thread):
    _topic, reply, _author = thread
    client = app.test_client()
    login(client, flagger())
    response = client.post(
        "/mod/flag", data={"kind": "forum_post", "id": reply.id, "reason": "other"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Please tell the team what is wrong." in html
    assert db.session.scalar(select(func.count(Flag.id))) == 0


def test_the_flag_page_refuses_newcomers_bad_items_and_visitors(app, db, thread, client):
    _topic, reply, author = thread
    args = {"kind": "forum_post", "id": reply.id}
    assert client.get("/mod/flag", query_string=args).status_code == 302  # to log in
    newcomer = app.test_client()
    login(newcomer, make_user())
    assert newcomer.get("/mod/flag", query_string=args).status_code == 403
    assert newcomer.post("/mod/flag", data={**args, "reason": "spam"}).status_code == 403
    member = app.test_client()
    login(member, flagger())
    assert member.get("/mod/flag", query_string={"kind": "nothing", "id": 1}).status_code == 400
    assert member.get("/mod/flag").status_code == 400
    missing = {"kind": "forum_post", "id": 10_000_000}
    assert member.get("/mod/flag", query_string=missing).status_code == 404


def test_a_flag_that_hides_a_topic_sends_the_flagger_home_not_to_a_404(app, db):
    topic = make_topic()
    flag_until_hidden("forum_topic", topic.id, count=2)
    db.session.commit()
    client = app.test_client()
    login(client, flagger())
    back = f"/t/{topic.id}/{topic.slug}#p1"
    response = client.post(
        "/mod/flag",
        data={"kind": "forum_topic", "id": topic.id, "next": back, "reason": "spam"},
    )
    assert response.status_code == 302
    assert response.location == "/"
    assert fresh(Topic, topic.id).is_hidden


# ---------------------------------------------------------------- concurrent flags

CONCURRENT = 8


def _clean_concurrent(user_ids: list[int], category_id: int | None) -> None:
    topic_ids = select(Topic.id).where(Topic.category_id == category_id)
    post_ids = select(Post.id).where(Post.topic_id.in_(topic_ids))
    db.session.execute(
        delete(SearchEntry).where(
            or_(
                (SearchEntry.kind == "forum_topic") & SearchEntry.subject_id.in_(topic_ids),
                (SearchEntry.kind == "forum_post") & SearchEntry.subject_id.in_(post_ids),
            )
        )
    )
    for kind, ids in (("forum_post", post_ids), ("forum_topic", topic_ids)):
        for model in (Flag, ReviewItem):
            db.session.execute(delete(model).where(model.kind == kind, model.subject_id.in_(ids)))
    db.session.execute(delete(TopicUser).where(TopicUser.topic_id.in_(topic_ids)))
    db.session.execute(delete(Post).where(Post.topic_id.in_(topic_ids)))
    db.session.execute(delete(Topic).where(Topic.category_id == category_id))
    db.session.execute(delete(ForumCategory).where(ForumCategory.id == category_id))
    for model in (Notification, FlaggerRecord, ForumVisit):
        db.session.execute(delete(model).where(model.user_id.in_(user_ids)))
    db.session.execute(delete(User).where(User.id.in_(user_ids)))


@pytest.mark.skipif(not using_postgres(), reason="needs PostgreSQL's concurrent connections")
def test_concurrent_flags_all_count_and_hide_the_post_exactly_once(app):
    made: dict = {"users": [], "category": None}
    try:
        with app.test_request_context("/"):
            author = accounts.create_user("cflag_author", "cflag_author@example.com", "pw" * 6)
            author.reputation = 1_000
            members = [
                accounts.create_user(f"cflag_{n}", f"cflag_{n}@example.com", "pw" * 6)
                for n in range(CONCURRENT)
            ]
            for member in members:
                member.reputation = FLAG_POINTS
            db.session.flush()
            made["users"] = [author.id, *(m.id for m in members)]
            # Made directly: the service audits, and the audit log cannot be cleaned up.
            category = ForumCategory(name="Concurrent flags", slug="concurrent-flags")
            db.session.add(category)
            db.session.flush()
            made["category"] = category.id
            topic = topics.create_topic(author, category, "Flag me", "The first post.")
            reply = topics.reply(author, topic, "Cheap watches here.")
            post_id, topic_id = reply.id, topic.id
            db.session.commit()
            db.session.remove()

        def work(n: int) -> None:
            member = db.session.scalar(select(User).where(User.username_key == f"cflag_{n}"))
            flags.flag(member, "forum_post", post_id, "spam")

        outcomes = run_concurrently(app, work, CONCURRENT)

        with app.app_context():
            assert outcomes == [None] * CONCURRENT
            item = review_item("forum_post", post_id)
            assert item.flag_weight == CONCURRENT
            assert item.auto_hidden
            assert db.session.get(Post, post_id).is_hidden
            # The counters moved once: only the first post is left visible.
            assert db.session.scalar(select(Topic.post_count).where(Topic.id == topic_id)) == 1
            hides = db.session.scalar(
                select(func.count(AuditEntry.id)).where(
                    AuditEntry.action == "forum.post.hide", AuditEntry.subject_id == post_id
                )
            )
            assert hides == 1
            author_notes = db.session.scalar(
                select(func.count(Notification.id)).where(
                    Notification.user_id == made["users"][0],
                    Notification.kind == flags.AUTO_HIDDEN,
                )
            )
            assert author_notes == 1
            db.session.remove()
    finally:
        with app.app_context():
            _clean_concurrent(made["users"], made["category"])
            db.session.commit()
            db.session.remove()
