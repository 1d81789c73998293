"""The risk score: each signal fires with its points and a reason naming its numbers, the
total is capped, and the queue stores what the real content and account say."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from community.core.db import utcnow
from community.extensions import db
from community.moderation import risk
from community.moderation.models import ReviewItem
from community.moderation.services import flags
from community.moderation.services import queue as review
from community.moderation.targets import TargetInfo
from tests.factories import make_user
from tests.forums.factories import make_category, make_reply, make_topic

NOW = dt.datetime(2030, 5, 1, 12, 0, tzinfo=dt.UTC)


def info(text: str = "A perfectly ordinary post about exporting.", links: int = 0, **kw):
    return TargetInfo(
        kind="forum_post",
        subject_id=1,
        author_id=1,
        title="Reply in “Export”",
        text=text,
        links=links,
        url=None,
        is_hidden=False,
        created_at=kw.pop("created_at", NOW),
        **kw,
    )


def author(days: float = 400, confirmed: bool = True):
    return SimpleNamespace(
        created_at=NOW - dt.timedelta(days=days),
        email_confirmed_at=NOW if confirmed else None,
        is_erased=False,
    )


def scored(item=None, who=None, flag_weight=0.0, agreed=0, recent=()):
    return risk.score(
        item or info(),
        who or author(),
        flag_weight=flag_weight,
        agreed_flags_against_author=agreed,
        recent_texts=list(recent),
        now=NOW,
    )


def reasons(result) -> dict[str, tuple[int, str]]:
    return {r.key: (r.points, r.text) for r in result.reasons}


def test_a_regular_members_ordinary_post_has_no_risk(app):
    result = scored()
    assert (result.score, result.reasons) == (0, [])


def test_a_new_account_adds_risk_by_its_age(app):
    assert reasons(scored(who=author(days=0.25)))["new_account_hours"] == (
        20,
        "Account is 6 hours old",
    )
    assert reasons(scored(who=author(days=2)))["new_account"] == (10, "Account is 2 days old")
    assert reasons(scored(who=author(days=8))) == {}


def test_an_unconfirmed_email_adds_risk(app):
    assert reasons(scored(who=author(confirmed=False))) == {
        "unconfirmed_email": (15, "Email address not confirmed")
    }


def test_links_add_risk_up_to_a_cap(app):
    assert reasons(scored(info(links=1)))["links"] == (5, "1 link")
    assert reasons(scored(info(links=3)))["links"] == (15, "3 links")
    assert reasons(scored(info(links=12)))["links"] == (20, "12 links")


def test_a_near_duplicate_of_an_earlier_post_adds_risk(app):
    text = "Cheap watches for everyone at example dot com, order today!"
    earlier = (
        NOW - dt.timedelta(minutes=5),
        "Cheap watches for everyone at example dot com, order now!",
    )
    unrelated = (NOW - dt.timedelta(minutes=1), "How do I export my invoices as a PDF file?")
    itself = (NOW, text)
    result = scored(info(text), recent=[itself, unrelated, earlier])
    assert reasons(result)["near_duplicate"] == (
        25,
        "Nearly the same as a post of theirs from 5 minutes ago",
    )


def test_the_item_itself_and_short_texts_are_not_duplicates(app):
    text = "Cheap watches for everyone at example dot com, order today!"
    assert "near_duplicate" not in reasons(scored(info(text), recent=[(NOW, text)]))
    short = (NOW - dt.timedelta(minutes=2), "Thanks!")
    assert "near_duplicate" not in reasons(
        scored(info("Thanks!"), recent=[(NOW, "Thanks!"), short])
    )
    # A different text of the same moment is an earlier post, not the item.
    twin = (NOW, text.replace("today", "now"))
    assert "near_duplicate" in reasons(scored(info(text), recent=[(NOW, text), twin]))


def test_a_burst_of_posts_adds_risk(app):
    four = [(NOW - dt.timedelta(minutes=m), f"post {m}") for m in (0, 2, 4, 6)]
    assert "burst" not in reasons(scored(recent=four))
    old = [(NOW - dt.timedelta(minutes=30), "an older post")]
    assert "burst" not in reasons(scored(recent=four + old))
    six = four + [(NOW - dt.timedelta(minutes=m), f"post {m}") for m in (8, 9)]
    assert reasons(scored(recent=six))["burst"] == (15, "6 posts in the last 10 minutes")


def test_agreed_flags_against_the_author_add_risk_up_to_a_cap(app):
    assert reasons(scored(agreed=1))["agreed_flags"] == (
        10,
        "1 earlier flag against this member was agreed with",
    )
    assert reasons(scored(agreed=2))["agreed_flags"] == (
        20,
        "2 earlier flags against this member were agreed with",
    )
    assert reasons(scored(agreed=9))["agreed_flags"][0] == 30


def test_flag_weight_adds_risk_up_to_a_cap(app):
    assert reasons(scored(flag_weight=2.5))["flag_weight"] == (25, "Flagged with weight 2.5")
    assert reasons(scored(flag_weight=1))["flag_weight"] == (10, "Flagged with weight 1")
    assert reasons(scored(flag_weight=7))["flag_weight"][0] == 30


def test_the_score_adds_every_reason_and_stops_at_100(app):
    text = "Cheap watches for everyone at example dot com, order today!"
    burst = [(NOW - dt.timedelta(minutes=m), text) for m in range(5)]
    result = scored(
        info(text, links=3),
        author(days=0.1, confirmed=False),
        flag_weight=3,
        agreed=3,
        recent=burst,
    )
    assert sum(r.points for r in result.reasons) == 20 + 15 + 15 + 25 + 15 + 30 + 30
    assert result.score == 100


def test_a_gone_item_or_erased_author_scores_what_is_left(app):
    erased = SimpleNamespace(created_at=NOW, email_confirmed_at=None, is_erased=True)
    result = risk.score(
        None, erased, flag_weight=1, agreed_flags_against_author=0, recent_texts=[], now=NOW
    )
    assert [r.key for r in result.reasons] == ["flag_weight"]


def test_stored_reasons_are_worded_again_when_shown(app):
    result = scored(info(links=2), author(days=3))
    stored = result.stored()
    assert stored == [
        {"key": "new_account", "points": 10, "value": 3},
        {"key": "links", "points": 10, "value": 2},
    ]
    assert [r.text for r in risk.stored_reasons(stored)] == ["Account is 3 days old", "2 links"]


# ---------------------------------------------------------------- stored by the queue


def _item(kind, subject_id) -> ReviewItem:
    return db.session.scalars(
        select(ReviewItem)
        .where(ReviewItem.kind == kind, ReviewItem.subject_id == subject_id)
        .execution_options(populate_existing=True)
    ).one()


def test_the_queue_scores_a_newcomers_repeated_advert(db):
    newcomer = make_user(confirmed=False)
    topic = make_topic(
        make_category(),
        author=newcomer,
        body="Cheap watches at https://watches.example, order today and save!",
    )
    first = _item("forum_topic", topic.id)
    assert {r["key"] for r in first.risk_reasons} == {
        "new_account_hours",
        "unconfirmed_email",
        "links",
    }
    assert first.risk_score == 20 + 15 + 5

    again = make_reply(
        topic, author=newcomer, body="Cheap watches at https://watches.example, order now and save!"
    )
    item = review.enqueue("forum_post", again.id, newcomer.id, "held")
    keys = {r["key"] for r in item.risk_reasons}
    assert "near_duplicate" in keys
    assert item.risk_score == 20 + 15 + 5 + 25


def test_the_queue_counts_a_burst_flags_and_earlier_agreed_flags(db):
    regular = make_user(created_at=utcnow() - dt.timedelta(days=100), reputation=500)
    topic = make_topic(make_category(), author=make_user(reputation=500))
    bodies = [
        "Exports work for me in version 4.",
        "Have you tried the CSV button on the left?",
        "The PDF export ignores page margins here.",
        "Support told me a fix ships next month.",
        "Thanks all, that solved it for our team!",
    ]
    posts = [make_reply(topic, author=regular, body=body) for body in bodies]
    team = make_user(role="team")
    hidden = review.enqueue("forum_post", posts[0].id, regular.id, "held")
    flags.flag(make_user(reputation=15), "forum_post", posts[0].id, "spam")
    review.hide(team, _item("forum_post", posts[0].id), "Spam")
    assert hidden.id == _item("forum_post", posts[0].id).id

    flags.flag(make_user(reputation=15), "forum_post", posts[4].id, "off_topic")
    item = _item("forum_post", posts[4].id)
    by_key = {r["key"]: r for r in item.risk_reasons}
    assert by_key["burst"]["value"] == 5
    assert by_key["agreed_flags"]["value"] == 1
    assert by_key["flag_weight"]["value"] == pytest.approx(1.0)
    assert item.risk_score == 15 + 10 + 10
