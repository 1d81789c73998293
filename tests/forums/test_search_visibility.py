"""Search respects forum visibility: focus groups, hidden content and moved topics never
show in /search or the search API to anyone who may not open them."""

from __future__ import annotations

import pytest

from community.core import search
from community.forums.services import categories, moderating
from tests.accounts.helpers import bearer, new_token
from tests.conftest import login
from tests.factories import make_user
from tests.forums.factories import make_category, make_reply, make_topic

WORD = "zeppelin"


@pytest.fixture()
def team(db):
    return make_user(username="searchteam", role="team")


@pytest.fixture()
def insider(db):
    return make_user(username="insider")


@pytest.fixture()
def focus_group(db, team, insider):
    category = make_category(slug="focus", is_private=True, actor=team)
    categories.invite_member(team, category, insider.username)
    return category


def page_text(client, query: str = WORD, **args) -> str:
    response = client.get("/search", query_string={"q": query, **args})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def api_ids(client, user=None, query: str = WORD) -> set[tuple[str, int]]:
    headers = bearer(new_token(user)) if user is not None else {}
    response = client.get("/api/v1/search", query_string={"q": query}, headers=headers)
    assert response.status_code == 200
    return {(item["kind"], item["id"]) for item in response.get_json()["items"]}


def client_for(app, user):
    client = app.test_client()
    login(client, user)
    return client


# ---------------------------------------------------------------- focus groups


@pytest.fixture()
def secret(focus_group, insider):
    topic = make_topic(focus_group, insider, f"Secret {WORD} prototype", "Internal notes.")
    reply = make_reply(topic, author=insider, body=f"The {WORD} flies in May.")
    return topic, reply


def test_focus_group_content_is_not_found_by_anonymous_visitors(client, secret):
    topic, reply = secret

    assert api_ids(client) == set()
    text = page_text(client)
    assert "prototype" not in text
    assert f"/t/{topic.id}/" not in text
    assert f"/p/{reply.id}" not in text


def test_focus_group_content_is_not_found_by_members_outside_it(app, client, secret):
    outsider = make_user()

    assert api_ids(client, outsider) == set()
    assert "prototype" not in page_text(client_for(app, outsider))


def test_focus_group_content_is_found_by_invited_members_and_the_team(
    app, client, secret, insider, team
):
    topic, reply = secret
    expected = {("forum_topic", topic.id), ("forum_post", reply.id)}

    assert api_ids(client, insider) == expected
    assert api_ids(client, team) == expected
    text = page_text(client_for(app, insider))
    assert f'href="/t/{topic.id}/{topic.slug}"' in text
    assert f'href="/p/{reply.id}"' in text


def test_a_removed_focus_group_member_no_longer_finds_its_content(
    client, secret, team, insider, focus_group
):
    found_before = api_ids(client, insider)

    categories.remove_member(team, focus_group, insider)

    assert found_before
    assert api_ids(client, insider) == set()


def test_an_entry_that_wrongly_claims_to_be_public_is_still_not_shown(client, secret):
    # Defence in depth: even if the index lagged behind, the page asks the forums.
    topic, _reply = secret
    search.set_scope("forum_topic", [topic.id], None)

    assert api_ids(client) == set()
    assert "prototype" not in page_text(client)


# ---------------------------------------------------------------- hidden content


def test_a_hidden_reply_is_not_found(client, db, team):
    topic = make_topic(title="Airship museum")
    hidden = make_reply(topic, body=f"Rude {WORD} remark")
    kept = make_reply(topic, body=f"Kind {WORD} remark")

    moderating.hide_post(team, hidden, "rude")

    assert api_ids(client) == {("forum_post", kept.id)}
    assert api_ids(client, team) == {("forum_post", kept.id)}


def test_a_hidden_topic_and_its_replies_are_not_found_until_restored(client, db, team):
    topic = make_topic(title=f"Cheap {WORD} tickets", body="Spam")
    reply = make_reply(topic, body=f"More {WORD} spam")

    moderating.hide_topic(team, topic, "spam")
    assert api_ids(client) == set()
    assert "tickets" not in page_text(client)

    moderating.restore_topic(team, topic)
    assert api_ids(client) == {("forum_topic", topic.id), ("forum_post", reply.id)}


# ---------------------------------------------------------------- moving and re-scoping


def test_a_topic_moved_into_a_focus_group_disappears_from_results(
    client, db, team, focus_group, insider
):
    topic = make_topic(make_category(), title=f"{WORD} launch date")
    reply = make_reply(topic, body=f"The {WORD} launch slipped.")
    assert api_ids(client) == {("forum_topic", topic.id), ("forum_post", reply.id)}

    moderating.move_topic(team, topic, focus_group)

    assert api_ids(client) == set()
    assert api_ids(client, make_user()) == set()
    assert api_ids(client, insider) == {("forum_topic", topic.id), ("forum_post", reply.id)}


def test_a_category_made_private_takes_its_topics_out_of_results(client, db, team):
    category = make_category(actor=team)
    topic = make_topic(category, title=f"{WORD} hangar")

    categories.update_category(team, category, is_private=True)
    assert api_ids(client) == set()
    assert api_ids(client, team) == {("forum_topic", topic.id)}

    categories.update_category(team, category, is_private=False)
    assert api_ids(client) == {("forum_topic", topic.id)}


# ---------------------------------------------------------------- the page


def test_the_page_shows_highlighted_titles_snippets_and_reply_labels(client, db):
    topic = make_topic(title="Zeppelin <b>tour</b>", body="Book the zeppelin early.")
    make_reply(topic, body="<script>alert(1)</script> The zeppelin was late.")

    text = page_text(client)

    assert "<mark>Zeppelin</mark> &lt;b&gt;tour&lt;/b&gt;" in text
    assert "Re: <mark>Zeppelin</mark> &lt;b&gt;tour&lt;/b&gt;" in text
    assert "Book the <mark>zeppelin</mark> early." in text
    assert "<script>alert" not in text
    assert "The <mark>zeppelin</mark> was late." in text


def test_the_page_has_a_labelled_search_box_with_the_query(client, db):
    text = page_text(client, query='fast "airships"')

    assert '<label for="search-q">' in text
    assert 'id="search-q" name="q" value="fast &#34;airships&#34;"' in text
    assert "autofocus" in text


def test_the_page_without_a_query_shows_only_the_box(client, db):
    make_topic(title="Anything")

    response = client.get("/search")

    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert 'name="q"' in text
    assert "Nothing found" not in text


def test_the_page_says_so_when_nothing_is_found(client, db):
    assert "Nothing found for “dirigible”" in page_text(client, query="dirigible")


def test_the_page_links_to_the_next_and_previous_results(client, db):
    category = make_category()
    for n in range(21):
        make_topic(category, title=f"{WORD} number {n}")

    first = page_text(client)
    second = page_text(client, page="2")

    assert f"/search?q={WORD}&amp;page=2" in first
    assert 'rel="prev"' not in first
    assert f'href="/search?q={WORD}"' in second
    assert 'rel="next"' not in second
    assert second.count("<mark>") == 1


def test_a_bad_page_number_is_400(client, db):
    assert client.get("/search", query_string={"q": WORD, "page": "two"}).status_code == 400


def test_the_page_takes_the_same_number_of_queries_for_few_and_many_hits(
    app, db, count_queries, insider, team, focus_group
):
    browser = client_for(app, insider)
    category = make_category()
    for n in range(3):
        make_reply(make_topic(category, title=f"{WORD} few {n}"), body=f"{WORD} few too")
    with count_queries() as few:
        page_text(browser, query=f"{WORD} few")
    for n in range(10):
        make_reply(make_topic(focus_group, team, f"{WORD} many {n}"), team, f"{WORD} hi")
    with count_queries() as many:
        text = page_text(browser, query=WORD)

    assert text.count('<li class="search-result">') == 20
    assert len(many) == len(few)
