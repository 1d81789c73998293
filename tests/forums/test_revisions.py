"""Editing posts: every version kept, a diff anyone can read, the team's reverts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.accounts.models import AnonymousUser
from community.core import search
from community.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from community.extensions import db
from community.forums.models import PostRevision
from community.forums.services import moderating, revisions, visibility
from community.moderation.models import AuditEntry
from community.notifications.models import Notification
from tests.factories import make_user
from tests.forums.factories import make_reply, make_topic


def _first_post(topic):
    return visibility.get_post(topic.author, _first_post_id(topic))


def _first_post_id(topic) -> int:
    from community.forums.models import Post

    return db.session.scalar(select(Post.id).where(Post.topic_id == topic.id, Post.number == 1))


def _revisions(post) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(PostRevision.number, PostRevision.body_source)
        .where(PostRevision.post_id == post.id)
        .order_by(PostRevision.number)
    )
    return [(n, body) for n, body in rows]


def test_the_first_edit_keeps_the_original_as_revision_1(db, member):
    post = make_reply(make_topic(), author=member, body="Original text.")
    revisions.edit_post(member, post, "Edited text.")
    revisions.edit_post(member, post, "Edited again.")
    assert _revisions(post) == [(1, "Original text."), (2, "Edited text."), (3, "Edited again.")]
    assert post.revision_count == 3
    assert post.edited_at is not None
    assert "Edited again." in post.body_html


def test_an_edit_that_changes_nothing_writes_no_revision(db, member):
    post = make_reply(make_topic(), author=member, body="Same.")
    revisions.edit_post(member, post, "  Same.  ")
    assert _revisions(post) == []
    assert post.edited_at is None


def test_members_edit_only_their_own_posts(db, member):
    post = make_reply(make_topic())
    with pytest.raises(PermissionDenied):
        revisions.edit_post(member, post, "Mine now.")
    assert _revisions(post) == []


def test_the_team_may_edit_any_post(db, team_user):
    post = make_reply(make_topic(), body="Call me at 555-1234.")
    revisions.edit_post(team_user, post, "Call me (number removed by the team).")
    revision = db.session.scalar(
        select(PostRevision).where(PostRevision.post_id == post.id, PostRevision.number == 2)
    )
    assert revision.editor_id == team_user.id


@pytest.mark.parametrize("body", ["", "x" * 50_001])
def test_an_empty_or_too_long_edit_is_refused_on_the_body(db, member, body):
    post = make_reply(make_topic(), author=member, body="Fine.")
    with pytest.raises(InvalidInput) as error:
        revisions.edit_post(member, post, body)
    assert error.value.field == "body"
    assert post.body_source == "Fine."


def test_editing_the_first_post_can_change_the_title_and_search_follows(db, member):
    topic = make_topic(author=member, title="Wrong words", body="Body here.")
    post = _first_post(topic)
    revisions.edit_post(member, post, "Body here.", title="Better headline")
    assert (topic.title, topic.slug) == ("Better headline", "better-headline")
    hits = search.search("headline", set(), kinds=["forum_topic"]).hits
    assert [hit.subject_id for hit in hits] == [topic.id]
    titles = db.session.scalars(
        select(PostRevision.title).where(PostRevision.post_id == post.id).order_by("number")
    ).all()
    assert titles == ["Wrong words", "Better headline"]


def test_an_edit_is_found_by_search_and_the_old_text_is_not(db, member):
    post = make_reply(make_topic(), author=member, body="Aardvark sighting.")
    revisions.edit_post(member, post, "Platypus sighting.")
    assert search.search("aardvark", set(), kinds=["forum_post"]).hits == []
    assert [h.subject_id for h in search.search("platypus", set()).hits] == [post.id]


def test_the_history_shows_an_escaped_diff(db, member):
    post = make_reply(make_topic(), author=member, body="Use the <b>old</b> setting.")
    revisions.edit_post(member, post, "Use the <script>new</script> setting.")
    newest, original = revisions.list_revisions(AnonymousUser(), post)
    assert (newest.number, original.number) == (2, 1)
    html = str(newest.diff_html)
    assert "<del>&lt;b&gt;old&lt;/b&gt;</del>" in html
    assert "<ins>&lt;script&gt;new&lt;/script&gt;</ins>" in html
    assert "<script>" not in html
    assert str(original.diff_html) == "Use the &lt;b&gt;old&lt;/b&gt; setting."
    assert newest.editor.id == member.id


def test_the_history_of_an_unedited_post_is_empty(db, member):
    assert revisions.list_revisions(member, make_reply(make_topic())) == []


def test_the_history_of_a_hidden_post_is_not_found_for_others(db, member, team_user):
    post = make_reply(make_topic())
    revisions.edit_post(post.author, post, "Changed.")
    moderating.hide_post(team_user, post, "Rude")
    with pytest.raises(NotFound):
        revisions.list_revisions(member, post)
    assert len(revisions.list_revisions(team_user, post)) == 2


def test_the_team_reverts_to_an_earlier_revision_and_it_is_audited(db, member, team_user):
    post = make_reply(make_topic(), author=member, body="Helpful answer.")
    revisions.edit_post(member, post, "Vandalised.")
    revisions.revert_post(team_user, post, 1)
    assert post.body_source == "Helpful answer."
    assert _revisions(post) == [(1, "Helpful answer."), (2, "Vandalised."), (3, "Helpful answer.")]
    newest = revisions.list_revisions(member, post)[0]
    assert (newest.reverted_from, newest.editor.id) == (1, team_user.id)
    audited = db.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "forum.post.revert", AuditEntry.subject_id == post.id)
    )
    assert audited == 1


def test_reverting_the_first_post_restores_the_title(db, member, team_user):
    topic = make_topic(author=member, title="Good title", body="Body.")
    post = _first_post(topic)
    revisions.edit_post(member, post, "Body.", title="Spam title")
    revisions.revert_post(team_user, post, 1)
    assert topic.title == "Good title"


def test_members_cannot_revert(db, member):
    post = make_reply(make_topic(), author=member, body="One.")
    revisions.edit_post(member, post, "Two.")
    with pytest.raises(PermissionDenied):
        revisions.revert_post(member, post, 1)


def test_reverting_to_a_missing_or_current_revision_is_refused(db, member, team_user):
    post = make_reply(make_topic(), author=member, body="One.")
    revisions.edit_post(member, post, "Two.")
    with pytest.raises(NotFound):
        revisions.revert_post(team_user, post, 7)
    with pytest.raises(Conflict):
        revisions.revert_post(team_user, post, 2)


def test_an_edit_notifies_only_newly_mentioned_members(app, db, member):
    author = make_user()
    alice = make_user(username="alice")
    bob = make_user(username="bob")
    with app.test_request_context("/"):  # mentions link to profiles
        post = make_reply(make_topic(), author=author, body="Hi @alice")
        revisions.edit_post(author, post, "Hi @alice and @bob")

    def mentions(user) -> int:
        return db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.kind == "forum_mention", Notification.user_id == user.id)
        )

    assert (mentions(alice), mentions(bob)) == (1, 1)


def test_a_sandboxed_member_cannot_edit_in_more_links_than_allowed(db, app):
    newcomer = make_user()
    post = make_reply(make_topic(), author=newcomer, body="No links.")
    links = " ".join(f"https://example.com/{n}" for n in range(app.config["SANDBOX_LINKS"] + 1))
    with pytest.raises(PermissionDenied):
        revisions.edit_post(newcomer, post, links)
    assert post.body_source == "No links."
