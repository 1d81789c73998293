"""Moderating ideas and comments: the team hides and restores them (every stored count,
tag count, list and search entry follows; the author is told; audited), members flag
them into the review queue, the spam check holds them, the purge hides them, and hidden
content leaks nowhere."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from community.accounts.models import AnonymousUser, User
from community.core import search, subjects
from community.core.db import utcnow
from community.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from community.extensions import db
from community.ideas import moderation_targets
from community.ideas.models import (
    CLOSED_STATUSES,
    Challenge,
    Idea,
    IdeaComment,
    IdeaTag,
    IdeaTagLink,
    IdeaVote,
    IdeaVoter,
    ShipFeedback,
)
from community.ideas.services import comments, common, listing, moderating, statuses, voting
from community.moderation.models import AuditEntry, ReviewItem
from community.moderation.services import flags, queue_reading, screening
from community.moderation.services import queue as review
from community.moderation.services.purge import purge
from community.notifications import services as notifications
from community.notifications.models import Notification
from community.reputation.services.rebuild import rebuild
from tests.conftest import login
from tests.factories import make_user
from tests.ideas.factories import make_idea

FLAG_POINTS = 15  # the "flag" privilege


# ---------------------------------------------------------------- helpers


def regular(**overrides) -> User:
    """A member who joined long ago: outside the sandbox, no new-account risk."""
    return make_user(created_at=utcnow() - dt.timedelta(days=400), **overrides)


def counts_off() -> list[str]:
    """Every stored ideas count that differs from what the rows say (empty: all exact)."""
    db.session.flush()
    off: list[str] = []

    def compare(name: str, stored: dict, true: dict) -> None:
        for key in stored.keys() | true.keys():
            if stored.get(key, 0) != true.get(key, 0):
                off.append(f"{name} {key}: stored {stored.get(key, 0)}, true {true.get(key, 0)}")

    ideas = db.session.execute(select(Idea).execution_options(populate_existing=True)).scalars()
    ideas = list(ideas)
    votes = {
        i: (n, w)
        for i, n, w in db.session.execute(
            select(IdeaVote.idea_id, func.count(), func.sum(IdeaVote.importance)).group_by(
                IdeaVote.idea_id
            )
        )
    }
    visible_comments = dict(
        db.session.execute(
            select(IdeaComment.idea_id, func.count())
            .where(IdeaComment.hidden_at.is_(None))
            .group_by(IdeaComment.idea_id)
        ).all()
    )
    answers = {
        (i, answer): n
        for i, answer, n in db.session.execute(
            select(ShipFeedback.idea_id, ShipFeedback.answer, func.count()).group_by(
                ShipFeedback.idea_id, ShipFeedback.answer
            )
        )
    }
    for idea in ideas:
        count, weighted = votes.get(idea.id, (0, 0))
        compare("votes", {idea.id: idea.vote_count}, {idea.id: count})
        compare("weighted", {idea.id: idea.weighted_votes}, {idea.id: int(weighted or 0)})
        compare(
            "comments", {idea.id: idea.comment_count}, {idea.id: visible_comments.get(idea.id, 0)}
        )
        for answer in ("yes", "partly", "no"):
            stored = getattr(idea, f"feedback_{answer}")
            compare(
                f"feedback_{answer}",
                {idea.id: stored},
                {idea.id: answers.get((idea.id, answer), 0)},
            )
        if abs(idea.hot - common.hot_score(idea.vote_count, idea.created_at)) > 1e-6:
            off.append(f"hot {idea.id}")
    compare(
        "tag",
        dict(db.session.execute(select(IdeaTag.id, IdeaTag.idea_count)).all()),
        dict(
            db.session.execute(
                select(IdeaTagLink.tag_id, func.count())
                .join(Idea, Idea.id == IdeaTagLink.idea_id)
                .where(Idea.hidden_at.is_(None))
                .group_by(IdeaTagLink.tag_id)
            ).all()
        ),
    )
    compare(
        "challenge",
        dict(db.session.execute(select(Challenge.id, Challenge.idea_count)).all()),
        dict(
            db.session.execute(
                select(Idea.challenge_id, func.count())
                .where(Idea.challenge_id.is_not(None), Idea.hidden_at.is_(None))
                .group_by(Idea.challenge_id)
            ).all()
        ),
    )
    compare(
        "open votes",
        dict(db.session.execute(select(IdeaVoter.user_id, IdeaVoter.open_votes)).all()),
        dict(
            db.session.execute(
                select(IdeaVote.user_id, func.count())
                .join(Idea, Idea.id == IdeaVote.idea_id)
                .where(
                    IdeaVote.proxy_by_id.is_(None),
                    Idea.status.not_in([s.value for s in CLOSED_STATUSES]),
                    Idea.hidden_at.is_(None),  # a hidden idea gives its votes back
                )
                .group_by(IdeaVote.user_id)
            ).all()
        ),
    )
    return off


def stored(idea: Idea) -> Idea:
    return db.session.scalars(
        select(Idea).where(Idea.id == idea.id).execution_options(populate_existing=True)
    ).one()


def tag_counts() -> dict[str, int]:
    return dict(db.session.execute(select(IdeaTag.name, IdeaTag.idea_count)).all())


def listed(viewer, **filters) -> list[int]:
    page = listing.list_ideas(viewer, listing.IdeaFilter(sort="new", **filters))
    return [idea.id for idea in page.ideas]


def found(viewer, query: str) -> set[int]:
    hits = search.search(query, search.viewer_scopes(viewer), kinds=[common.IDEA_KIND]).hits
    return {hit.subject_id for hit in hits}


def notifications_of(user, kind: str = moderating.MODERATED) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.text)
            .where(Notification.user_id == user.id, Notification.kind == kind)
            .order_by(Notification.id)
        )
    )


def audits(subject_type: str, subject_id: int) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.subject_type == subject_type, AuditEntry.subject_id == subject_id)
            .order_by(AuditEntry.id)
        )
    )


def make_challenge(team: User) -> Challenge:
    now = utcnow()
    challenge = Challenge(
        slug=f"challenge-{team.id}",
        title="Make exports faster",
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=30),
        created_by_id=team.id,
        created_at=now,
    )
    db.session.add(challenge)
    db.session.flush()
    return challenge


# ---------------------------------------------------------------- hiding an idea


def test_a_hidden_idea_is_seen_only_by_its_author_and_the_team(db, member, team_user):
    author = regular()
    idea = make_idea(author=author)

    moderating.hide_idea(team_user, idea, "Duplicate of another idea")

    for viewer in (member, AnonymousUser()):
        with pytest.raises(NotFound):
            common.get_idea(viewer, idea.id)
    assert common.get_idea(author, idea.id).hidden_reason == "Duplicate of another idea"
    assert common.get_idea(team_user, idea.id).is_hidden


def test_a_hidden_idea_leaves_the_lists_and_search_and_comes_back_when_restored(
    db, member, team_user
):
    author = regular()
    kept = make_idea(title="Export as spreadsheet", tags=("export",))
    idea = make_idea(
        author=author, title="Export as PDF", body="Printable exports.", tags=("export",)
    )

    moderating.hide_idea(team_user, idea, "Spam")

    assert listed(member) == [kept.id]
    assert listed(AnonymousUser(), tag="export") == [kept.id]
    assert found(member, "printable") == set()
    assert found(AnonymousUser(), "export") == {kept.id}
    assert listed(author) == [idea.id, kept.id]  # marked hidden on the page

    moderating.restore_idea(team_user, idea)

    assert listed(member, tag="export") == [idea.id, kept.id]
    assert found(member, "printable") == {idea.id}


def open_votes(user: User | int) -> int:
    user_id = user if isinstance(user, int) else user.id
    return db.session.scalar(select(IdeaVoter.open_votes).where(IdeaVoter.user_id == user_id)) or 0


def test_a_hidden_idea_gives_its_votes_back_and_takes_none_until_restored(db, team_user):
    idea = make_idea()
    fan, late = make_user(reputation=100), make_user(reputation=100)
    voting.vote(fan, idea)
    assert open_votes(fan) == 1

    moderating.hide_idea(team_user, idea, "Spam")

    assert (open_votes(fan), open_votes(idea.author_id)) == (0, 0)
    with pytest.raises(Conflict):
        voting.vote(late, idea)
    assert counts_off() == []

    moderating.restore_idea(team_user, idea)

    assert (open_votes(fan), open_votes(idea.author_id)) == (1, 1)
    voting.vote(late, idea)
    assert counts_off() == []


def test_taking_back_a_vote_on_a_hidden_idea_gives_nothing_back_twice(db, team_user):
    idea = make_idea()
    fan = make_user(reputation=100)
    voting.vote(fan, idea)
    moderating.hide_idea(team_user, idea, "Spam")

    assert voting.unvote(fan, idea) is True

    assert open_votes(fan) == 0
    assert counts_off() == []
    moderating.restore_idea(team_user, idea)
    assert (open_votes(fan), open_votes(idea.author_id)) == (0, 1)
    assert counts_off() == []


@pytest.mark.parametrize("hide_first", [True, False])
def test_closing_and_hiding_in_either_order_refund_each_vote_once(db, team_user, hide_first):
    idea = make_idea()
    fan = make_user(reputation=100)
    voting.vote(fan, idea)
    steps = [
        lambda: moderating.hide_idea(team_user, idea, "Spam"),
        lambda: statuses.change_status(team_user, idea, "declined", "Not for us."),
    ]
    for step in steps if hide_first else reversed(steps):
        step()
        assert counts_off() == []
    assert open_votes(fan) == 0

    statuses.change_status(team_user, idea, "open", "")  # reopened, still hidden
    assert open_votes(fan) == 0
    moderating.restore_idea(team_user, idea)
    assert open_votes(fan) == 1
    assert counts_off() == []


def test_merging_a_hidden_duplicate_and_unmerging_it_keep_the_budgets_right(db, team_user):
    from community.ideas.services import merging

    original, duplicate = make_idea(), make_idea(title="The same again")
    both, only_duplicate = make_user(reputation=100), make_user(reputation=100)
    voting.vote(both, original)
    voting.vote(both, duplicate)
    voting.vote(only_duplicate, duplicate)
    moderating.hide_idea(team_user, duplicate, "A copy")
    assert counts_off() == []

    merging.merge(team_user, duplicate, original.id)
    assert counts_off() == []
    assert (open_votes(both), open_votes(only_duplicate)) == (1, 1)

    merging.unmerge(team_user, db.session.get(Idea, duplicate.id))
    assert counts_off() == []
    assert (open_votes(both), open_votes(only_duplicate)) == (1, 0)


def test_hiding_an_idea_moves_its_tag_and_challenge_counts_and_restoring_moves_them_back(
    db, team_user
):
    challenge = make_challenge(team_user)
    make_idea(tags=("export",))
    idea = make_idea(tags=("export", "pdf"), challenge_id=challenge.id)
    assert tag_counts() == {"export": 2, "pdf": 1}

    moderating.hide_idea(team_user, idea, "Spam")

    assert tag_counts() == {"export": 1, "pdf": 0}
    assert db.session.scalar(select(Challenge.idea_count)) == 0
    assert counts_off() == []

    moderating.restore_idea(team_user, idea)

    assert tag_counts() == {"export": 2, "pdf": 1}
    assert db.session.scalar(select(Challenge.idea_count)) == 1
    assert counts_off() == []


def test_the_author_is_told_why_and_when_their_idea_comes_back_and_both_are_audited(db, team_user):
    author = regular()
    idea = make_idea(author=author, title="Dark mode")

    moderating.hide_idea(team_user, idea, "Off topic")
    moderating.restore_idea(team_user, idea)

    assert notifications_of(author) == [
        "Your idea “Dark mode” was hidden: Off topic",
        "Your idea “Dark mode” is visible again.",
    ]
    entries = audits("idea", idea.id)
    assert [(e.action, e.actor_id) for e in entries][-2:] == [
        ("idea.hide", team_user.id),
        ("idea.restore", team_user.id),
    ]
    assert entries[-2].details == {"reason": "Off topic"}


def test_hiding_needs_a_reason(db, team_user):
    idea = make_idea()
    with pytest.raises(InvalidInput) as error:
        moderating.hide_idea(team_user, idea, "  ")
    assert error.value.field == "reason"
    with pytest.raises(InvalidInput):
        moderating.hide_idea(team_user, idea, "x" * (moderating.REASON_MAX + 1))
    assert not stored(idea).is_hidden


def test_members_cannot_hide_or_restore(db, member, team_user):
    idea = make_idea()
    comment = comments.add_comment(regular(), idea, "Agreed.")
    with pytest.raises(PermissionDenied):
        moderating.hide_idea(member, idea, "I disagree")
    with pytest.raises(PermissionDenied):
        moderating.hide_comment(member, comment, "I disagree")
    moderating.hide_idea(team_user, idea, "Spam")
    moderating.hide_comment(team_user, comment, "Spam")
    with pytest.raises(PermissionDenied):
        moderating.restore_idea(member, idea)
    with pytest.raises(PermissionDenied):
        moderating.restore_comment(member, comment)


def test_hiding_twice_or_restoring_a_visible_item_is_a_conflict_and_moves_counts_once(
    db, team_user
):
    idea = make_idea(tags=("export",))
    comment = comments.add_comment(regular(), idea, "Agreed.")
    with pytest.raises(Conflict):
        moderating.restore_idea(team_user, idea)
    with pytest.raises(Conflict):
        moderating.restore_comment(team_user, comment)
    moderating.hide_idea(team_user, idea, "Spam")
    moderating.hide_comment(team_user, comment, "Spam")
    with pytest.raises(Conflict):
        moderating.hide_idea(team_user, idea, "Spam again")
    with pytest.raises(Conflict):
        moderating.hide_comment(team_user, comment, "Spam again")
    assert tag_counts() == {"export": 0}
    assert stored(idea).comment_count == 0
    assert counts_off() == []


# ---------------------------------------------------------------- hiding a comment


def test_a_hidden_comment_leaves_the_idea_page_and_its_count(db, member, team_user):
    idea = make_idea()
    writer = regular()
    kept = comments.add_comment(regular(), idea, "Yes please.")
    comment = comments.add_comment(writer, idea, "Buy cheap watches.")
    assert stored(idea).comment_count == 2

    moderating.hide_comment(team_user, comment, "Spam")

    assert stored(idea).comment_count == 1
    assert [c.id for c in comments.comments_of(member, idea)] == [kept.id]
    assert [c.id for c in comments.comments_of(AnonymousUser(), idea)] == [kept.id]
    assert [c.id for c in comments.comments_of(writer, idea)] == [kept.id, comment.id]
    with pytest.raises(NotFound):
        comments.get_comment(member, comment.id)
    assert counts_off() == []

    moderating.restore_comment(team_user, comment)

    assert stored(idea).comment_count == 2
    assert [c.id for c in comments.comments_of(member, idea)] == [kept.id, comment.id]
    assert counts_off() == []


def test_hiding_the_pinned_comment_unpins_it(db, team_user):
    idea = make_idea()
    official = comments.add_comment(team_user, idea, "We are looking into it.")
    comments.pin_comment(team_user, idea, official.id)
    assert stored(idea).pinned_comment_id == official.id

    moderating.hide_comment(team_user, official, "Posted too early")

    assert stored(idea).pinned_comment_id is None
    assert audits("idea_comment", official.id)[-1].details["unpinned"] is True
    moderating.restore_comment(team_user, official)
    assert stored(idea).pinned_comment_id is None  # the team pins it again if they want


def test_hiding_another_comment_keeps_the_pin(db, team_user):
    idea = make_idea()
    official = comments.add_comment(team_user, idea, "We are looking into it.")
    comments.pin_comment(team_user, idea, official.id)
    other = comments.add_comment(regular(), idea, "Off topic.")

    moderating.hide_comment(team_user, other, "Off topic")

    assert stored(idea).pinned_comment_id == official.id


def test_the_commenter_is_told_why_and_when_their_comment_comes_back(db, team_user):
    writer = regular()
    idea = make_idea(title="Dark mode")
    comment = comments.add_comment(writer, idea, "Rude words.")

    moderating.hide_comment(team_user, comment, "Be kind")
    moderating.restore_comment(team_user, comment)

    assert notifications_of(writer) == [
        "Your comment on “Dark mode” was hidden: Be kind",
        "Your comment on “Dark mode” is visible again.",
    ]
    assert [e.action for e in audits("idea_comment", comment.id)] == [
        "idea.comment.hide",
        "idea.comment.restore",
    ]


# ---------------------------------------------------------------- nothing hidden leaks


def test_notifications_about_a_hidden_idea_disappear_and_come_back(app, db, team_user):
    idea = make_idea(title="Dark mode")
    fan = regular()
    voting.vote(fan, idea)
    statuses.change_status(team_user, idea, "planned", "Next quarter.")

    def shown() -> list[str | None]:
        page = notifications.list_for(fan, None)
        return [page.links[n.id] for n in page.items if n.kind == "idea"]

    with app.test_request_context():
        assert shown() == [f"/ideas/{idea.id}"]
        moderating.hide_idea(team_user, idea, "Spam")
        assert shown() == []
        moderating.restore_idea(team_user, idea)
        assert shown() == [f"/ideas/{idea.id}"]


def test_subjects_link_comments_to_their_place_and_hide_them_with_their_idea(
    app, db, member, team_user
):
    idea = make_idea(title="Dark mode")
    writer = regular()
    comment = comments.add_comment(writer, idea, "Yes please.")
    refs = [("idea", idea.id), ("idea_comment", comment.id)]

    with app.test_request_context():
        seen = subjects.resolve(member, refs, with_labels=True)
        assert seen.url("idea_comment", comment.id) == f"/ideas/{idea.id}#c{comment.id}"
        assert seen.label("idea_comment", comment.id) == "Dark mode"
        assert seen.label("idea", idea.id) == "Dark mode"

        moderating.hide_idea(team_user, idea, "Spam")
        for viewer in (member, AnonymousUser(), writer):
            hidden = subjects.resolve(viewer, refs)
            assert not hidden.is_visible("idea", idea.id)
            assert not hidden.is_visible("idea_comment", comment.id)
            assert hidden.url("idea_comment", comment.id) is None
        assert subjects.resolve(team_user, refs).is_visible("idea_comment", comment.id)

        moderating.restore_idea(team_user, idea)
        moderating.hide_comment(team_user, comment, "Spam")
        assert not subjects.is_visible("idea_comment", comment.id, member)
        assert subjects.is_visible("idea_comment", comment.id, writer)
        assert subjects.is_visible("idea", idea.id, member)


def test_only_those_who_may_see_a_hidden_idea_are_notified_about_it(db, team_user):
    author = regular()
    idea = make_idea(author=author, title="Dark mode")
    moderating.hide_idea(team_user, idea, "Spam")
    before = len(notifications_of(author, "idea"))

    comments.add_comment(team_user, idea, "Hidden for a reason.")

    assert len(notifications_of(author, "idea")) == before + 1  # the author still sees it
    fan = regular()
    assert notifications.notify(fan, "idea", idea, "Anything") is None


# ---------------------------------------------------------------- flags and the queue


def flag_until_hidden(kind: str, subject_id: int, count: int = 3) -> list[User]:
    members = [regular(reputation=FLAG_POINTS) for _ in range(count)]
    for flagger in members:
        flags.flag(flagger, kind, subject_id, "spam")
    return members


def test_a_flagged_idea_and_comment_show_in_the_review_queue(db, team_user):
    idea = make_idea(title="Cheap watches", body="Visit https://watches.example now.")
    comment = comments.add_comment(regular(), idea, "Also cheap pills.")

    flags.flag(regular(reputation=FLAG_POINTS), "idea", idea.id, "spam")
    flags.flag(regular(reputation=FLAG_POINTS), "idea_comment", comment.id, "offensive")

    rows = {(r.item.kind, r.item.subject_id): r for r in queue_reading.list_queue(team_user).items}
    idea_row = rows[("idea", idea.id)]
    assert (idea_row.label, idea_row.info.title) == ("Idea", "Idea “Cheap watches”")
    assert idea_row.info.links == 1 and not idea_row.info.is_hidden
    assert idea_row.info.url == f"/ideas/{idea.id}"
    comment_row = rows[("idea_comment", comment.id)]
    assert comment_row.label == "Idea comment"
    assert comment_row.info.title == "Comment on “Cheap watches”"
    assert comment_row.info.url == f"/ideas/{idea.id}#c{comment.id}"
    assert queue_reading.list_queue(team_user, kind="idea").items[0].item.subject_id == idea.id


def test_the_queue_shows_a_comment_after_the_idea_and_the_comments_before_it(db):
    author = regular(display_name="Ada")
    idea = make_idea(author=author, body="Please add dark mode.")
    writers = [regular(display_name=f"Writer {i}") for i in range(5)]
    written = [comments.add_comment(w, idea, f"Comment {i}") for i, w in enumerate(writers)]

    early = moderation_targets.load_comments({written[1].id})[written[1].id]
    late = moderation_targets.load_comments({written[4].id})[written[4].id]

    assert early.context == (("Ada", "Please add dark mode."), ("Writer 0", "Comment 0"))
    assert late.context == (
        ("Writer 1", "Comment 1"),
        ("Writer 2", "Comment 2"),
        ("Writer 3", "Comment 3"),
    )


def test_enough_flags_hide_an_idea_pending_review_and_the_team_restores_it(db, team_user):
    author = regular()
    idea = make_idea(author=author, title="Cheap watches", tags=("deals",))

    flag_until_hidden("idea", idea.id)

    assert stored(idea).is_hidden
    assert tag_counts() == {"deals": 0}
    assert listed(AnonymousUser()) == []
    entry = audits("idea", idea.id)[-1]
    assert (entry.action, entry.actor_id, entry.details["by"]) == (
        "idea.hide",
        None,
        "community_flags",
    )
    told = notifications_of(author, flags.AUTO_HIDDEN)
    assert told and "Idea “Cheap watches” is hidden" in told[0]
    assert counts_off() == []

    item = db.session.scalar(select(ReviewItem).where(ReviewItem.subject_id == idea.id))
    review.restore(team_user, item)

    assert not stored(idea).is_hidden
    assert tag_counts() == {"deals": 1}
    assert counts_off() == []


def test_the_review_queue_hides_a_flagged_comment_through_the_ideas_service(db, team_user):
    idea = make_idea()
    writer = regular()
    comment = comments.add_comment(writer, idea, "Rude words.")
    flags.flag(regular(reputation=FLAG_POINTS), "idea_comment", comment.id, "offensive")
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.subject_id == comment.id))

    review.hide(team_user, item, "Be kind")

    assert db.session.get(IdeaComment, comment.id).is_hidden
    assert stored(idea).comment_count == 0
    assert notifications_of(writer) == [f"Your comment on “{idea.title}” was hidden: Be kind"]
    assert counts_off() == []


def test_members_cannot_flag_a_hidden_idea(db, team_user):
    idea = make_idea()
    moderating.hide_idea(team_user, idea, "Spam")
    with pytest.raises(NotFound):
        flags.flag(regular(reputation=FLAG_POINTS), "idea", idea.id, "spam")


def test_a_sandboxed_members_spammy_idea_is_held_hidden_until_the_team_approves(app, db, team_user):
    app.config["SPAM_HOLD_SCORE"] = 40
    try:
        newcomer = make_user(email_confirmed_at=None)  # new, unconfirmed: 20 + 15 points
        links = " ".join(f"https://deal{i}.example" for i in range(2))
        idea = make_idea(author=newcomer, body=f"Cheap deals {links}", tags=("deals",))

        item = db.session.scalar(select(ReviewItem).where(ReviewItem.subject_id == idea.id))
        assert (item.kind, item.source, item.auto_hidden) == ("idea", "held", True)
        assert stored(idea).is_hidden
        assert tag_counts() == {"deals": 0}
        assert found(AnonymousUser(), "cheap") == set()
        assert counts_off() == []

        review.approve(team_user, item)

        assert not stored(idea).is_hidden
        assert found(AnonymousUser(), "cheap") == {idea.id}
        assert counts_off() == []
    finally:
        app.config["SPAM_HOLD_SCORE"] = screening.SPAM_HOLD_DEFAULT


def test_a_sandboxed_members_first_comment_waits_in_the_queue_and_stays_visible(db):
    idea = make_idea()
    newcomer = make_user()

    comment = comments.add_comment(newcomer, idea, "Thanks, I would love this too.")

    item = db.session.scalar(select(ReviewItem).where(ReviewItem.subject_id == comment.id))
    assert (item.kind, item.source) == ("idea_comment", "first_post")
    assert not db.session.get(IdeaComment, comment.id).is_hidden


# ---------------------------------------------------------------- the purge


def test_a_purge_hides_what_the_spammer_wrote_and_takes_back_their_votes(db, team_user):
    alice = regular()
    alices = make_idea(author=alice, title="Export as PDF", tags=("export",))
    spammer = regular(username="spammer")
    spam = [make_idea(author=spammer, tags=("export",)) for _ in range(2)]
    spam_comment = comments.add_comment(spammer, alices, "Buy cheap pills.")
    alices_comment = comments.add_comment(alice, spam[0], "This is spam.")
    voting.vote(spammer, alices, "critical")
    alice_points = db.session.get(User, alice.id).reputation

    report = purge(team_user, spammer, "Spam account.")

    assert report.hidden == {"idea": 2, "idea_comment": 1}
    assert all(stored(idea).is_hidden for idea in spam)
    assert db.session.get(IdeaComment, spam_comment.id).is_hidden
    assert not db.session.get(IdeaComment, alices_comment.id).is_hidden
    assert listed(AnonymousUser()) == [alices.id]
    assert tag_counts() == {"export": 1}
    assert (stored(alices).vote_count, stored(alices).comment_count) == (1, 0)
    assert (
        db.session.scalar(
            select(func.count()).select_from(IdeaVote).where(IdeaVote.user_id == spammer.id)
        )
        == 0
    )
    db.session.expire_all()
    assert db.session.get(User, alice.id).reputation == alice_points - 10
    assert counts_off() == []
    assert rebuild().total_fixed == 0


def test_the_flag_page_the_queue_and_its_item_page_work_for_ideas(app, db, team_client):
    idea = make_idea(title="Cheap watches")
    comment = comments.add_comment(regular(), idea, "Cheap pills too.")
    member = app.test_client()
    login(member, regular(reputation=FLAG_POINTS))

    page = member.get("/mod/flag", query_string={"kind": "idea", "id": idea.id})
    assert page.status_code == 200
    assert "Cheap watches" in page.get_data(as_text=True)
    for kind, subject_id in (("idea", idea.id), ("idea_comment", comment.id)):
        sent = member.post("/mod/flag", data={"kind": kind, "id": subject_id, "reason": "spam"})
        assert sent.status_code == 302

    queue_page = team_client.get("/mod/queue").get_data(as_text=True)
    assert "Idea “Cheap watches”" in queue_page
    assert "Comment on “Cheap watches”" in queue_page
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.kind == "idea_comment"))
    detail = team_client.get(f"/mod/queue/{item.id}")
    assert detail.status_code == 200
    assert f"/ideas/{idea.id}#c{comment.id}" in detail.get_data(as_text=True)
