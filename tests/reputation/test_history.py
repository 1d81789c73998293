import re

from community.reputation import services as reputation
from tests.conftest import login
from tests.factories import make_user


def test_member_sees_their_history_with_reasons_links_and_a_chart(app, db):
    author, voter = make_user(username="author"), make_user(username="voter")
    reputation.record(author, "idea_upvoted", voter, voter)
    reputation.record(author, "answer_accepted", None, None)
    db.session.commit()
    client = app.test_client()
    login(client, author)

    page = client.get("/u/author/reputation").get_data(as_text=True)

    assert "Idea upvoted" in page and "Answer accepted" in page
    assert "+10" in page and "+15" in page
    assert 'href="/u/voter"' in page  # the subject of the first event
    assert re.search(r'<polyline[^>]+points="[0-9., ]+"', page)


def test_capped_points_are_explained_in_the_history(app, db, member_client, member):
    from community.reputation.rules import DAILY_CAP

    for _ in range(DAILY_CAP // 10 + 1):
        voter = make_user()
        reputation.record(member, "idea_upvoted", voter, voter)
    db.session.commit()
    page = member_client.get(f"/u/{member.username}/reputation").get_data(as_text=True)
    assert "daily cap reached, 10 not counted" in page


def test_another_members_history_is_404_but_the_team_sees_it(app, db, member, team_client):
    other = make_user(username="stranger")
    client = app.test_client()
    login(client, other)
    assert client.get(f"/u/{member.username}/reputation").status_code == 404
    assert app.test_client().get(f"/u/{member.username}/reputation").status_code == 404
    assert team_client.get(f"/u/{member.username}/reputation").status_code == 200


def test_history_query_count_does_not_grow_with_events(app, db, count_queries):
    author = make_user(username="busy")
    voters = [make_user() for _ in range(5)]
    reputation.record(author, "idea_upvoted", voters[0], voters[0])
    db.session.commit()
    client = app.test_client()
    login(client, author)
    client.get("/u/busy/reputation")
    with count_queries() as few:
        client.get("/u/busy/reputation")
    for n in range(120):
        reputation.record(author, "post_kudos", voters[n % 5], voters[n % 5])
    db.session.commit()
    with count_queries() as many:
        client.get("/u/busy/reputation")
    assert len(many) == len(few)


def test_export_includes_the_reputation_ledger(app, db, member_client, member):
    voter = make_user()
    reputation.record(member, "post_kudos", voter, voter)
    db.session.commit()
    data = member_client.get("/settings/data/export.json").get_json()
    assert [e["reason"] for e in data["reputation"]] == ["post_kudos"]
