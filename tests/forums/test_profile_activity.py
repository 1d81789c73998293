"""A member's profile shows their forum activity, counting only what the viewer may see."""

from __future__ import annotations

from community.forums.services import categories, moderating
from tests.conftest import login
from tests.factories import make_user
from tests.forums.factories import make_category, make_reply, make_topic


def test_profile_lists_the_members_latest_topics_and_counts(client, db):
    author = make_user(username="writer")
    category = make_category(name="Help")
    make_topic(category, author=author, title="How to crop a panorama")
    other = make_topic(category, title="Someone else's question")
    make_reply(other, author=author)
    db.session.commit()

    page = client.get("/u/writer").get_data(as_text=True)

    assert "How to crop a panorama" in page
    assert "1 topic" in page and "1 reply" in page


def test_focus_group_and_hidden_topics_count_only_for_those_who_may_see_them(app, client, db):
    team = make_user(role="team")
    author = make_user(username="insider")
    group = make_category(name="Beta", is_private=True, actor=team)
    categories.invite_member(team, group, "insider")
    make_topic(group, author=author, title="Secret prototype notes")
    hidden = make_topic(make_category(), author=author, title="Spammy thing")
    moderating.hide_topic(team, hidden, "Spam")
    db.session.commit()

    outside = client.get("/u/insider").get_data(as_text=True)
    assert "Secret prototype notes" not in outside and "Spammy thing" not in outside
    assert "0 topics" in outside

    team_client = app.test_client()
    login(team_client, team)
    inside = team_client.get("/u/insider").get_data(as_text=True)
    assert "Secret prototype notes" in inside and "Spammy thing" in inside
    assert "2 topics" in inside


def test_profile_queries_do_not_grow_with_topics(client, db, count_queries):
    def queries(n: int) -> int:
        author = make_user(reputation=1_000)  # past the new-member sandbox
        category = make_category()
        for i in range(n):
            make_topic(category, author=author, title=f"Topic {i} of many")
        db.session.commit()
        with count_queries() as statements:
            assert client.get(f"/u/{author.username}").status_code == 200
        return len(statements)

    assert queries(2) == queries(12)
