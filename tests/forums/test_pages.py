"""The forum pages through the client: reading, writing with preview and the similar-topics
confirm step, quoting, locks, permalinks, the team's tools and the admin pages."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from community.extensions import db
from community.forums.models import (
    CategoryKind,
    CategoryUser,
    ForumCategory,
    Level,
    Post,
    Reaction,
    ReactionType,
    Tag,
    Topic,
    TopicTag,
    TopicUser,
)
from community.forums.services import answers, moderating, reactions, revisions
from tests.conftest import login
from tests.factories import PASSWORD, make_user
from tests.forums.factories import make_category, make_reply, make_topic


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _client_key(html: str) -> str:
    match = re.search(r'name="client_key" type="hidden" value="([0-9a-f]{32})"', html)
    assert match, "no client key on the page"
    return match.group(1)


def _topic_data(**overrides) -> dict:
    data = {
        "title": "How do I pair the remote?",
        "body": "I tried **everything**.",
        "tags": "remote, pairing",
        "client_key": "a" * 32,
        "post": "Post topic",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# ---------------------------------------------------------------- reading


def test_forum_index_lists_categories_with_counts_and_latest_topic(client, db):
    category = make_category(name="Getting started", description="First steps.")
    topic = make_topic(category, title="Where is the manual")
    make_reply(topic)

    html = client.get("/forums/").get_data(as_text=True)

    assert "Getting started" in html
    assert "First steps." in html
    assert f'href="/t/{topic.id}/{topic.slug}"' in html
    assert "Where is the manual" in html
    assert "Manage categories" not in html


def test_team_sees_the_manage_link_and_a_focus_group_marker(team_client, db):
    make_category(name="Beta testers", is_private=True)
    html = team_client.get("/forums/").get_data(as_text=True)
    assert "Manage categories" in html
    assert "Beta testers" in html
    assert "Focus group" in html


def test_category_page_lists_topics_with_pinned_first_and_their_tags(client, team_user, db):
    category = make_category()
    older = make_topic(category, title="An older pinned topic", tags=("howto",))
    newer = make_topic(category, title="A newer topic")
    moderating.set_pinned(team_user, older, True)
    db.session.flush()

    response = client.get(f"/forums/{category.slug}/")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.index("An older pinned topic") < html.index("A newer topic")
    assert "Pinned" in html
    assert f"/forums/{category.slug}/?tag=howto" in html
    assert newer.title in html


def test_category_page_filters_by_tag_and_refuses_a_bad_filter(client, db):
    category = make_category()
    make_topic(category, title="Tagged topic here", tags=("firmware",))
    make_topic(category, title="Untagged topic here")

    html = client.get(f"/forums/{category.slug}/?tag=firmware").get_data(as_text=True)
    assert "Tagged topic here" in html
    assert "Untagged topic here" not in html
    assert client.get(f"/forums/{category.slug}/?filter=bogus").status_code == 400


def test_category_page_pages_on_with_a_more_topics_link(client, team_user, db):
    category = make_category()
    for n in range(22):
        make_topic(category, author=team_user, title=f"Numbered topic {n}")

    html = client.get(f"/forums/{category.slug}/").get_data(as_text=True)
    match = re.search(r'href="([^"]*cursor=[^"]+)"', html)
    assert match, "no link to more topics"
    more = client.get(match.group(1).replace("&amp;", "&")).get_data(as_text=True)

    first_page = set(re.findall(r"Numbered topic \d+", html))
    second_page = set(re.findall(r"Numbered topic \d+", more))
    assert len(first_page) == 20
    assert len(second_page) == 2
    assert not first_page & second_page


def test_qa_category_offers_unanswered_and_solved_tabs(client, db):
    qa = make_category(kind=CategoryKind.QA.value)
    discussion = make_category()
    assert "filter=unanswered" in client.get(f"/forums/{qa.slug}/").get_data(as_text=True)
    assert "filter=unanswered" not in client.get(f"/forums/{discussion.slug}/").get_data(
        as_text=True
    )


def test_members_see_unread_counts_and_new_topics(app, db, member):
    category = make_category()
    read_topic = make_topic(category, title="Topic I read")
    client = app.test_client()
    login(client, member)
    assert client.get(read_topic_url(read_topic)).status_code == 200
    make_reply(read_topic)
    make_reply(read_topic)
    db.session.execute(
        TopicUser.__table__.update()
        .where(TopicUser.topic_id == read_topic.id, TopicUser.user_id == member.id)
        .values(level=int(Level.TRACKING))
    )
    db.session.flush()

    html = client.get(f"/forums/{category.slug}/").get_data(as_text=True)

    assert "2 unread" in html


def read_topic_url(topic: Topic) -> str:
    return f"/t/{topic.id}/{topic.slug}"


def test_topic_short_link_and_a_wrong_slug_lead_to_the_canonical_address(client, db):
    topic = make_topic(title="Canonical address please")
    assert client.get(f"/t/{topic.id}").location.endswith(read_topic_url(topic))
    assert client.get(f"/t/{topic.id}/wrong-slug").location.endswith(read_topic_url(topic))


def test_topic_page_shows_posts_with_anchors_and_marks_them_read(member_client, member, db):
    topic = make_topic(title="Readable topic", body="The **question** text.")
    reply = make_reply(topic, body="An answer text.")

    response = member_client.get(read_topic_url(topic))

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>question</strong>" in html
    assert f'id="p{reply.id}"' in html
    assert "An answer text." in html
    state = db.session.get(TopicUser, {"topic_id": topic.id, "user_id": member.id})
    assert state.last_read_number == 2


def test_returning_member_sees_a_new_divider_before_the_first_unread_post(
    member_client, member, db
):
    topic = make_topic()
    member_client.get(read_topic_url(topic))
    newer = make_reply(topic, body="Written after the visit.")

    html = member_client.get(read_topic_url(topic)).get_data(as_text=True)

    assert 'id="new"' in html
    assert html.index('id="new"') < html.index(f'id="p{newer.id}"')
    # Seen now: no divider the next time.
    assert 'id="new"' not in member_client.get(read_topic_url(topic)).get_data(as_text=True)


def test_topic_page_shows_reaction_counts_and_buttons(member_client, member, db):
    topic = make_topic()
    fan = make_user()
    reactions.react(fan, topic_first_post(topic), "like")
    db.session.flush()

    html = member_client.get(read_topic_url(topic)).get_data(as_text=True)

    assert f'action="/p/{topic_first_post(topic).id}/react"' in html
    assert 'class="reaction-count">1<' in html


def topic_first_post(topic: Topic) -> Post:
    return db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.number == 1))


def test_accepted_answer_and_pinned_official_reply_stand_under_the_question(client, team_user, db):
    qa = make_category(kind=CategoryKind.QA.value)
    asker = make_user()
    topic = make_topic(qa, author=asker)
    for _n in range(3):
        make_reply(topic)
    answer = make_reply(topic, body="This is the accepted answer.")
    official = make_reply(topic, author=team_user, body="Official word from the team.")
    answers.accept_answer(asker, topic, answer)
    answers.set_official(team_user, official, True, pinned=True)
    db.session.flush()

    html = client.get(read_topic_url(topic)).get_data(as_text=True)

    first = topic_first_post(topic)
    question_at = html.index(f'id="p{first.id}"')
    assert question_at < html.index("Accepted answer") < html.index(f'id="p{answer.id}"')
    assert (
        question_at
        < html.index("Official reply from the team")
        < html.index(f'id="p{official.id}"')
    )
    assert "Solved" in html


def test_post_permalink_leads_to_its_page_and_anchor(client, team_user, db):
    topic = make_topic(author=team_user)
    posts = [make_reply(topic, author=team_user, body=f"Reply {n}") for n in range(2, 31)]
    post25 = next(p for p in posts if p.number == 25)

    response = client.get(f"/p/{post25.id}")

    assert response.status_code == 302
    assert response.location.endswith(f"{read_topic_url(topic)}?page=2#p{post25.id}")
    page2 = client.get(f"{read_topic_url(topic)}?page=2").get_data(as_text=True)
    assert f'id="p{post25.id}"' in page2
    assert 'aria-current="page"' in page2


def test_a_page_past_the_end_goes_to_the_last_page(client, db):
    topic = make_topic()
    response = client.get(f"{read_topic_url(topic)}?page=9")
    assert response.status_code == 302
    assert response.location.endswith(read_topic_url(topic))


# ---------------------------------------------------------------- writing a topic


def test_member_posts_a_topic_through_the_page(member_client, member, db):
    category = make_category()
    form = member_client.get(f"/forums/{category.slug}/new")
    assert form.status_code == 200
    key = _client_key(form.get_data(as_text=True))

    response = member_client.post(f"/forums/{category.slug}/new", data=_topic_data(client_key=key))

    assert response.status_code == 302
    topic = db.session.scalar(select(Topic).where(Topic.author_id == member.id))
    assert response.location.endswith(read_topic_url(topic))
    assert topic.title == "How do I pair the remote?"
    page = member_client.get(response.location).get_data(as_text=True)
    assert "<strong>everything</strong>" in page
    assert "Your topic is posted." in page
    assert ">remote<" in page and ">pairing<" in page


def test_double_submit_of_a_new_topic_makes_one_topic(member_client, member, db):
    category = make_category()
    data = _topic_data(client_key="b" * 32)
    first = member_client.post(f"/forums/{category.slug}/new", data=data)
    second = member_client.post(f"/forums/{category.slug}/new", data=data)
    assert first.location == second.location
    assert _count(Topic, Topic.author_id == member.id) == 1


def test_empty_title_returns_400_with_the_message_on_the_field_and_keeps_the_text(
    member_client, db
):
    category = make_category()
    response = member_client.post(
        f"/forums/{category.slug}/new", data=_topic_data(title="   ", body="Keep this body")
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="title-error">\s*<li>Please write something.</li>', html)
    assert "Keep this body" in html
    assert _count(Topic) == 0


def test_too_long_title_and_body_return_400_with_both_messages(member_client, db):
    category = make_category()
    long_title = "T" * 201
    response = member_client.post(
        f"/forums/{category.slug}/new", data=_topic_data(title=long_title, body="B" * 50_001)
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="title-error">\s*<li>At most 200 characters.</li>', html)
    assert re.search(r'id="body-error">\s*<li>At most 50000 characters.</li>', html)
    assert f'value="{long_title}"' in html
    assert _count(Topic) == 0


def test_bad_tags_return_400_on_the_tags_field(member_client, db):
    category = make_category()
    response = member_client.post(
        f"/forums/{category.slug}/new", data=_topic_data(tags="not a valid/tag!")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="tags-error"' in html
    assert _count(Topic) == 0


def test_preview_renders_the_body_and_saves_nothing(member_client, db):
    category = make_category()
    data = _topic_data(body="Some *emphasis* here")
    data.pop("post")
    data["preview"] = "Preview"

    response = member_client.post(f"/forums/{category.slug}/new", data=data)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<em>emphasis</em>" in html
    assert "Some *emphasis* here" in html  # still in the textarea
    assert _client_key(html) == "a" * 32
    assert _count(Topic) == 0
    assert _count(Post) == 0


def test_similar_title_brings_a_confirm_step_and_post_anyway_posts(member_client, member, db):
    category = make_category()
    existing = make_topic(category, title="Bluetooth headphones keep disconnecting")

    step = member_client.post(
        f"/forums/{category.slug}/new",
        data=_topic_data(title="Headphones disconnecting over bluetooth", body="Mine too."),
    )

    html = step.get_data(as_text=True)
    assert step.status_code == 200
    assert read_topic_url(existing) in html
    assert "Post anyway" in html
    assert 'name="confirmed" type="hidden" value="1"' in html
    assert "Mine too." in html
    assert _count(Topic, Topic.author_id == member.id) == 0

    posted = member_client.post(
        f"/forums/{category.slug}/new",
        data=_topic_data(
            title="Headphones disconnecting over bluetooth", body="Mine too.", confirmed="1"
        ),
    )
    assert posted.status_code == 302
    assert _count(Topic, Topic.author_id == member.id) == 1


def test_similar_fragment_lists_matching_topics(client, db):
    topic = make_topic(title="Charging cable overheats badly")
    html = client.get("/forums/similar?title=cable+overheats").get_data(as_text=True)
    assert read_topic_url(topic) in html
    assert client.get("/forums/similar?title=").get_data(as_text=True).strip() == ""


def test_new_topic_page_needs_a_login(client, db):
    category = make_category()
    response = client.get(f"/forums/{category.slug}/new")
    assert response.status_code == 302
    assert "/auth/login" in response.location


# ---------------------------------------------------------------- replies


def test_member_replies_through_the_page_and_lands_on_the_post(member_client, member, db):
    topic = make_topic()
    page = member_client.get(read_topic_url(topic)).get_data(as_text=True)
    key = _client_key(page)

    response = member_client.post(
        f"/t/{topic.id}/reply", data={"body": "Me too!", "client_key": key, "post": "Post reply"}
    )

    assert response.status_code == 302
    post = db.session.scalar(select(Post).where(Post.author_id == member.id))
    assert response.location.endswith(f"{read_topic_url(topic)}#p{post.id}")
    assert post.body_source == "Me too!"


def test_empty_reply_returns_400_with_the_message_on_the_field(member_client, db):
    topic = make_topic()
    response = member_client.post(f"/t/{topic.id}/reply", data={"body": " ", "post": "Post"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'id="body-error">\s*<li>Please write something.</li>', html)
    assert _count(Post) == 1


def test_reply_preview_saves_nothing(member_client, db):
    topic = make_topic()
    response = member_client.post(
        f"/t/{topic.id}/reply", data={"body": "A `code` bit", "preview": "Preview"}
    )
    assert response.status_code == 200
    assert "<code>code</code>" in response.get_data(as_text=True)
    assert _count(Post) == 1


def test_quote_link_prefills_the_reply_with_the_quoted_post(member_client, db):
    author = make_user(username="quotable")
    topic = make_topic(author=author, body="First line\nSecond line")
    first = topic_first_post(topic)
    topic_html = member_client.get(read_topic_url(topic)).get_data(as_text=True)
    assert f"/t/{topic.id}/reply?quote={first.id}" in topic_html

    html = member_client.get(f"/t/{topic.id}/reply?quote={first.id}").get_data(as_text=True)

    assert "quotable wrote:\n&gt; First line\n&gt; Second line" in html
    assert f'name="reply_to" type="hidden" value="{first.id}"' in html


def test_quoting_a_post_of_another_topic_is_not_found(member_client, db):
    topic = make_topic()
    other = make_topic()
    response = member_client.get(f"/t/{topic.id}/reply?quote={topic_first_post(other).id}")
    assert response.status_code == 404


def test_reply_to_a_post_of_another_topic_is_refused_with_its_message(member_client, db):
    topic = make_topic()
    other = make_topic()
    response = member_client.post(
        f"/t/{topic.id}/reply",
        data={"body": "Keep my words", "reply_to": str(topic_first_post(other).id), "post": "Post"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "That post is not in this topic." in html
    assert "Keep my words" in html
    assert _count(Post) == 2


def test_locked_topic_shows_the_notice_and_refuses_a_reply(member_client, team_user, db):
    topic = make_topic()
    moderating.set_locked(team_user, topic, True)
    db.session.flush()

    page = member_client.get(read_topic_url(topic)).get_data(as_text=True)
    assert "This topic is locked." in page
    assert f'action="/t/{topic.id}/reply"' not in page

    response = member_client.post(
        f"/t/{topic.id}/reply", data={"body": "Let me in", "post": "Post reply"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "This topic is locked." in html
    assert "Let me in" in html
    assert _count(Post) == 1


def test_team_can_still_reply_to_a_locked_topic(team_client, team_user, db):
    topic = make_topic()
    moderating.set_locked(team_user, topic, True)
    db.session.flush()
    response = team_client.post(f"/t/{topic.id}/reply", data={"body": "Closing note"})
    assert response.status_code == 302
    assert _count(Post) == 2


# ---------------------------------------------------------------- edits and history


def test_author_edits_a_first_post_and_its_title(member_client, member, db):
    topic = make_topic(author=member, title="Old title here", body="Old body")
    first = topic_first_post(topic)

    assert member_client.get(f"/p/{first.id}/edit").status_code == 200
    response = member_client.post(
        f"/p/{first.id}/edit", data={"title": "New title here", "body": "New body", "save": "Save"}
    )

    assert response.status_code == 302
    db.session.refresh(topic)
    assert topic.title == "New title here"
    assert response.location.endswith(f"/t/{topic.id}/new-title-here#p{first.id}")
    history = member_client.get(f"/p/{first.id}/history").get_data(as_text=True)
    assert "<del>Old</del>" in history or "<del>Old body</del>" in history
    assert "<ins>New" in history


def test_editing_someone_elses_post_is_forbidden(member_client, db):
    topic = make_topic()
    first = topic_first_post(topic)
    assert member_client.get(f"/p/{first.id}/edit").status_code == 403
    assert member_client.post(f"/p/{first.id}/edit", data={"body": "Mine now"}).status_code == 403


def test_empty_edit_returns_400_and_keeps_the_post(member_client, member, db):
    topic = make_topic(author=member, body="Keep me")
    reply = make_reply(topic, author=member, body="My reply")
    response = member_client.post(f"/p/{reply.id}/edit", data={"body": "", "save": "Save"})
    assert response.status_code == 400
    assert "Please write something." in response.get_data(as_text=True)
    db.session.refresh(reply)
    assert reply.body_source == "My reply"


def test_team_reverts_a_post_from_its_history(team_client, member, db):
    topic = make_topic(author=member, body="Original words")
    first = topic_first_post(topic)
    revisions.edit_post(member, first, "Vandalised words")
    db.session.flush()

    history = team_client.get(f"/p/{first.id}/history").get_data(as_text=True)
    assert f"/p/{first.id}/revert/1" in history

    response = team_client.post(f"/p/{first.id}/revert/1")

    assert response.status_code == 302
    db.session.refresh(first)
    assert first.body_source == "Original words"


def test_members_get_no_revert_buttons_and_cannot_revert(member_client, member, db):
    topic = make_topic(author=member, body="Original words")
    first = topic_first_post(topic)
    revisions.edit_post(member, first, "Changed words")
    db.session.flush()
    assert "/revert/" not in member_client.get(f"/p/{first.id}/history").get_data(as_text=True)
    assert member_client.post(f"/p/{first.id}/revert/1").status_code == 403


# ---------------------------------------------------------------- reactions, answers, levels


def test_member_reacts_and_takes_the_reaction_back(member_client, member, db):
    topic = make_topic()
    first = topic_first_post(topic)

    response = member_client.post(f"/p/{first.id}/react", data={"name": "like"})
    assert response.status_code == 302
    assert response.location.endswith(f"#p{first.id}")
    assert _count(Reaction, Reaction.user_id == member.id) == 1
    page = member_client.get(read_topic_url(topic)).get_data(as_text=True)
    assert 'aria-pressed="true"' in page

    assert member_client.post(f"/p/{first.id}/unreact").status_code == 302
    assert _count(Reaction, Reaction.user_id == member.id) == 0


def test_reacting_to_ones_own_post_is_forbidden(member_client, member, db):
    topic = make_topic(author=member)
    response = member_client.post(f"/p/{topic_first_post(topic).id}/react", data={"name": "like"})
    assert response.status_code == 403
    assert _count(Reaction) == 0


def test_unknown_reaction_is_refused(member_client, db):
    topic = make_topic()
    response = member_client.post(f"/p/{topic_first_post(topic).id}/react", data={"name": "nosuch"})
    assert response.status_code == 400


def test_asker_accepts_and_withdraws_an_answer(member_client, member, db):
    qa = make_category(kind=CategoryKind.QA.value)
    topic = make_topic(qa, author=member)
    answer = make_reply(topic)

    response = member_client.post(f"/t/{topic.id}/accept", data={"post_id": answer.id})
    assert response.status_code == 302
    db.session.refresh(topic)
    assert topic.accepted_post_id == answer.id

    assert member_client.post(f"/t/{topic.id}/unaccept").status_code == 302
    db.session.refresh(topic)
    assert topic.accepted_post_id is None


def test_others_cannot_accept_an_answer(member_client, db):
    qa = make_category(kind=CategoryKind.QA.value)
    topic = make_topic(qa)
    answer = make_reply(topic)
    response = member_client.post(f"/t/{topic.id}/accept", data={"post_id": answer.id})
    assert response.status_code == 403


def test_member_watches_a_topic_and_mutes_a_category(member_client, member, db):
    topic = make_topic()
    response = member_client.post(f"/t/{topic.id}/level", data={"level": int(Level.WATCHING)})
    assert response.status_code == 302
    state = db.session.get(TopicUser, {"topic_id": topic.id, "user_id": member.id})
    assert state.level == Level.WATCHING

    category = db.session.get(ForumCategory, topic.category_id)
    member_client.post(f"/forums/{category.slug}/level", data={"level": int(Level.MUTED)})
    row = db.session.get(CategoryUser, {"category_id": category.id, "user_id": member.id})
    assert row.level == Level.MUTED


# ---------------------------------------------------------------- the team's tools


def test_team_pins_locks_tags_and_moves_a_topic(team_client, db):
    topic = make_topic()
    target = make_category(name="Elsewhere")

    assert team_client.post(f"/t/{topic.id}/pin", data={"state": "1"}).status_code == 302
    assert team_client.post(f"/t/{topic.id}/lock", data={"state": "1"}).status_code == 302
    assert team_client.post(f"/t/{topic.id}/tags", data={"tags": "alpha, beta"}).status_code == 302
    assert team_client.post(f"/t/{topic.id}/move", data={"category": target.id}).status_code == 302

    db.session.refresh(topic)
    assert (topic.is_pinned, topic.is_locked, topic.category_id) == (True, True, target.id)
    assert _tag_names(topic) == ["alpha", "beta"]


def _tag_names(topic: Topic) -> list[str]:
    return sorted(
        db.session.scalars(
            select(Tag.name)
            .join(TopicTag, TopicTag.tag_id == Tag.id)
            .where(TopicTag.topic_id == topic.id)
        )
    )


def test_author_edits_tags_and_a_bad_tag_comes_back_on_the_field(member_client, member, db):
    topic = make_topic(author=member)

    refused = member_client.post(f"/t/{topic.id}/tags", data={"tags": "ok, not/ok"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert 'id="tags-error"' in html
    assert 'value="ok, not/ok"' in html
    assert _tag_names(topic) == []

    assert member_client.post(f"/t/{topic.id}/tags", data={"tags": "ok"}).status_code == 302
    assert _tag_names(topic) == ["ok"]


def test_other_members_cannot_edit_tags(member_client, db):
    topic = make_topic()
    assert member_client.post(f"/t/{topic.id}/tags", data={"tags": "mine"}).status_code == 403
    assert _tag_names(topic) == []


def test_hiding_a_topic_needs_a_reason(team_client, db):
    topic = make_topic()
    response = team_client.post(f"/t/{topic.id}/hide", data={"hide-topic-reason": " "})
    assert response.status_code == 400
    assert 'id="hide-topic-reason-error"' in response.get_data(as_text=True)
    db.session.refresh(topic)
    assert not topic.is_hidden


def test_members_cannot_use_the_team_tools(member_client, db):
    topic = make_topic()
    reply = make_reply(topic)
    for path, data in [
        (f"/t/{topic.id}/pin", {"state": "1"}),
        (f"/t/{topic.id}/lock", {"state": "1"}),
        (f"/t/{topic.id}/move", {"category": topic.category_id}),
        (f"/t/{topic.id}/hide", {"hide-topic-reason": "spam"}),
        (f"/t/{topic.id}/restore", {}),
        (f"/p/{reply.id}/hide", {f"hide-{reply.id}-reason": "spam"}),
        (f"/p/{reply.id}/restore", {}),
        (f"/p/{reply.id}/official", {"mode": "official"}),
    ]:
        assert member_client.post(path, data=data).status_code == 403, path
    db.session.refresh(topic)
    assert not topic.is_pinned and not topic.is_locked and not topic.is_hidden


def test_team_hides_a_post_with_a_reason_and_restores_it(team_client, db):
    topic = make_topic()
    reply = make_reply(topic, body="Rude words")

    refused = team_client.post(f"/p/{reply.id}/hide", data={f"hide-{reply.id}-reason": ""})
    assert refused.status_code == 400
    assert f'id="hide-{reply.id}-reason-error"' in refused.get_data(as_text=True)

    response = team_client.post(f"/p/{reply.id}/hide", data={f"hide-{reply.id}-reason": "Rude"})
    assert response.status_code == 302
    db.session.refresh(reply)
    assert reply.is_hidden
    assert "Rude words" not in team_client.application.test_client().get(
        read_topic_url(topic)
    ).get_data(as_text=True)

    assert team_client.post(f"/p/{reply.id}/restore").status_code == 302
    db.session.refresh(reply)
    assert not reply.is_hidden


def test_team_marks_an_official_reply_pinned_under_the_question(team_client, team_user, db):
    topic = make_topic()
    reply = make_reply(topic, author=team_user)
    response = team_client.post(f"/p/{reply.id}/official", data={"mode": "pinned"})
    assert response.status_code == 302
    db.session.refresh(topic)
    db.session.refresh(reply)
    assert reply.is_official and topic.pinned_official_post_id == reply.id


def test_team_hides_a_topic_and_visitors_no_longer_find_it(team_client, client, db):
    topic = make_topic()
    response = team_client.post(f"/t/{topic.id}/hide", data={"hide-topic-reason": "Spam"})
    assert response.status_code == 302
    assert client.get(read_topic_url(topic)).status_code == 404
    assert team_client.get(read_topic_url(topic)).status_code == 200
    assert team_client.post(f"/t/{topic.id}/restore").status_code == 302
    assert client.get(read_topic_url(topic)).status_code == 200


# ---------------------------------------------------------------- managing categories


def test_team_creates_and_edits_a_category(team_client, db):
    response = team_client.post(
        "/forums/manage",
        data={
            "name": "Firmware",
            "slug": "firmware",
            "description": "Updates.",
            "kind": "qa",
            "product_id": "",
            "position": "3",
        },
    )
    assert response.status_code == 302
    category = db.session.scalar(select(ForumCategory).where(ForumCategory.slug == "firmware"))
    assert (category.kind, category.position, category.is_private) == ("qa", 3, False)

    form = team_client.get("/forums/firmware/edit")
    assert form.status_code == 200
    edited = team_client.post(
        "/forums/firmware/edit",
        data={"name": "Firmware talk", "slug": "firmware", "kind": "qa", "is_private": "y"},
    )
    assert edited.status_code == 302
    db.session.refresh(category)
    assert (category.name, category.is_private) == ("Firmware talk", True)


def test_taken_slug_returns_409_on_the_field(team_client, db):
    make_category(slug="taken")
    response = team_client.post(
        "/forums/manage", data={"name": "Another", "slug": "taken", "kind": "discussion"}
    )
    assert response.status_code == 409
    assert 'id="slug-error"' in response.get_data(as_text=True)


def test_members_cannot_manage_categories(member_client, db):
    category = make_category()
    assert member_client.get("/forums/manage").status_code == 403
    assert member_client.get(f"/forums/{category.slug}/edit").status_code == 403
    assert member_client.get(f"/forums/{category.slug}/members").status_code == 403


def test_admin_adds_and_switches_off_a_reaction(admin_client, db):
    assert admin_client.get("/admin/reactions").status_code == 200
    response = admin_client.post(
        "/admin/reactions",
        data={"name": "party", "label": "Party", "emoji": "🎉", "is_positive": "y"},
    )
    assert response.status_code == 302
    assert db.session.get(ReactionType, "party").is_active

    response = admin_client.post(
        "/admin/reactions/party",
        data={"rt-party-label": "Party!", "rt-party-emoji": "🎉", "rt-party-position": "9"},
    )
    assert response.status_code == 302
    party = db.session.get(ReactionType, "party")
    db.session.refresh(party)
    assert (party.label, party.is_active, party.is_positive) == ("Party!", False, False)


def test_team_members_cannot_manage_reactions(team_client, db):
    assert team_client.get("/admin/reactions").status_code == 403


# ---------------------------------------------------------------- CSRF tokens in every form


def _post_forms(html: str) -> list[str]:
    return re.findall(r'<form method="post".*?</form>', html, re.S)


def test_every_post_form_on_the_forum_pages_carries_a_csrf_token(app, db, csrf_enabled):
    team = make_user(role="team")
    admin = make_user(role="admin")
    qa = make_category(kind=CategoryKind.QA.value, is_private=True, actor=team)
    topic = make_topic(qa, author=team)
    reply = make_reply(topic, author=team)
    revisions.edit_post(team, topic_first_post(topic), "Edited once")
    db.session.commit()
    client = app.test_client()
    login_with_csrf(client, admin)
    pages = [
        "/forums/",
        f"/forums/{qa.slug}/",
        f"/forums/{qa.slug}/new",
        read_topic_url(topic),
        f"/t/{topic.id}/reply",
        f"/p/{reply.id}/edit",
        f"/p/{topic_first_post(topic).id}/history",
        "/forums/manage",
        f"/forums/{qa.slug}/edit",
        f"/forums/{qa.slug}/members",
        "/admin/reactions",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        forms = _post_forms(response.get_data(as_text=True))
        assert forms, path
        for form in forms:
            # A prefixed form's token is "<prefix>-csrf_token", which Flask-WTF also reads.
            token = r'name="([\w-]+-)?csrf_token" type="hidden" value="[^"]+"'
            assert re.search(token, form), (path, form)


def test_a_reply_with_the_pages_csrf_token_goes_through(app, db, member, csrf_enabled):
    topic = make_topic()
    client = app.test_client()
    login_with_csrf(client, member)
    html = client.get(read_topic_url(topic)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)

    refused = client.post(f"/t/{topic.id}/reply", data={"body": "No token"})
    posted = client.post(f"/t/{topic.id}/reply", data={"body": "With token", "csrf_token": token})

    assert refused.status_code == 400
    assert posted.status_code == 302
    assert _count(Post, Post.author_id == member.id) == 1


def login_with_csrf(client, user) -> None:
    html = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(
        "/auth/login",
        data={"login": user.username, "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
