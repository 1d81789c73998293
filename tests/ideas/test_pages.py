"""The ideas pages through the client: the list (sorts, filters, more ideas, "you voted"),
an idea's page, sharing an idea with the similar-ideas confirm step, editing, and every
button: vote, importance, take back, follow, comment, and the team's pin and status."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, update

from community.core import page_cache
from community.extensions import db
from community.ideas.models import (
    Idea,
    IdeaComment,
    IdeaFollow,
    IdeaStatusChange,
    IdeaVote,
    Importance,
)
from community.ideas.services import comments, statuses, voting
from tests.catalog.factories import make_product
from tests.conftest import login
from tests.factories import PASSWORD, make_user
from tests.ideas.factories import make_idea


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _member(**overrides):
    """A member out of the new-member sandbox (no spam screening of what they write)."""
    return make_user(reputation=100, **overrides)


def _client_for(app, user):
    client = app.test_client()
    login(client, user)
    return client


def _idea_data(product, **overrides) -> dict:
    data = {
        "title": "Offline maps for the hiking app",
        "body": "Let me **download** a region before I go.",
        "product": str(product.id),
        "tags": "maps, offline",
        "post": "Post idea",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _fresh(idea: Idea) -> Idea:
    db.session.expire_all()
    return db.session.get(Idea, idea.id)


# ---------------------------------------------------------------- the list


def test_the_list_shows_each_idea_with_product_status_counts_and_tags(client, db):
    product = make_product(name="Hiking app", slug="hiking")
    idea = make_idea(title="Dark mode please", product=product, tags=("ui", "night"))
    comments.add_comment(_member(), idea, "Yes, at night it hurts.")
    voting.vote(_member(), idea)
    db.session.flush()

    response = client.get("/ideas/")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="/ideas/{idea.id}"' in html
    assert "Dark mode please" in html
    assert 'href="/ideas/?product=hiking"' in html and "Hiking app" in html
    assert "Open" in html
    assert re.search(r"<dt>Votes</dt><dd>2</dd>", html)
    assert re.search(r"<dt>Comments</dt><dd>1</dd>", html)
    assert 'href="/ideas/?tag=night"' in html and 'href="/ideas/?tag=ui"' in html
    assert "You voted" not in html
    assert "Log in to share an idea" in html


def test_the_list_marks_the_ideas_the_member_voted_for(app, db):
    member = _member()
    voted = make_idea(title="Voted idea here")
    make_idea(title="Other idea here")
    voting.vote(member, voted)
    db.session.flush()

    html = _client_for(app, member).get("/ideas/?sort=new").get_data(as_text=True)

    rows = dict(
        re.findall(
            r'<h2 class="topic-title"><a href="/ideas/\d+">([^<]+)</a>(.*?)</li>', html, re.S
        )
    )
    assert "You voted" in rows["Voted idea here"]
    assert "You voted" not in rows["Other idea here"]
    assert "Share an idea" in html


def test_the_list_sorts_by_top_new_and_shipped(client, db, team_user):
    popular = make_idea(title="Popular idea")
    make_idea(title="Newest idea")
    for _ in range(3):
        voting.vote(_member(), popular)
    shipped = make_idea(title="Shipped idea")
    statuses.change_status(team_user, shipped, "shipped", "Out in 2.0")
    db.session.flush()

    top = client.get("/ideas/?sort=top").get_data(as_text=True)
    new = client.get("/ideas/?sort=new").get_data(as_text=True)
    done = client.get("/ideas/?sort=shipped").get_data(as_text=True)

    assert top.index("Popular idea") < top.index("Newest idea")
    assert new.index("Shipped idea") < new.index("Newest idea") < new.index("Popular idea")
    assert "Shipped idea" in done and "Popular idea" not in done and "Newest idea" not in done
    assert 'aria-current="page">Top<' in top


def test_the_list_filters_by_status_product_and_tag(client, db, team_user):
    hiking = make_product(slug="hiking")
    planned = make_idea(title="Planned hiking idea", product=hiking, tags=("maps",))
    statuses.change_status(team_user, planned, "planned", "")
    make_idea(title="Open hiking idea", product=hiking)
    make_idea(title="Somewhere else idea", tags=("maps",))
    db.session.flush()

    by_status = client.get("/ideas/?status=planned").get_data(as_text=True)
    by_product = client.get("/ideas/?product=hiking").get_data(as_text=True)
    by_tag = client.get("/ideas/?tag=maps").get_data(as_text=True)

    assert "Planned hiking idea" in by_status and "Open hiking idea" not in by_status
    assert "Somewhere else idea" not in by_product
    assert {"Planned hiking idea", "Open hiking idea"} <= set(
        re.findall(r"(\w+ hiking idea)", by_product)
    )
    assert "Planned hiking idea" in by_tag and "Somewhere else idea" in by_tag
    assert "Open hiking idea" not in by_tag
    assert "Clear filters" in by_tag


@pytest.mark.parametrize(
    "query",
    ["sort=loudest", "status=pending", "product=no-such-product", "sort=top&cursor=abc"],
)
def test_a_bad_filter_or_cursor_is_a_400_page_that_says_what_is_wrong(client, db, query):
    make_idea()
    response = client.get(f"/ideas/?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r"Sort by trending|no such status|no such product|page link is broken", html)


def test_the_list_pages_on_with_a_more_ideas_link(client, db):
    author = _member()
    product = make_product()
    for n in range(22):
        make_idea(author=author, product=product, title=f"Numbered idea {n}")

    html = client.get("/ideas/?sort=new").get_data(as_text=True)
    match = re.search(r'href="([^"]*cursor=[^"]+)"', html)
    assert match, "no link to more ideas"
    more = client.get(match.group(1).replace("&amp;", "&")).get_data(as_text=True)

    first_page = set(re.findall(r"Numbered idea \d+", html))
    second_page = set(re.findall(r"Numbered idea \d+", more))
    assert "More ideas" in html
    assert "sort=new" in match.group(1)
    assert len(first_page) == 20
    assert len(second_page) == 2
    assert not first_page & second_page


# ---------------------------------------------------------------- an idea's page


def test_an_idea_page_shows_the_idea_to_visitors_with_log_in_buttons(client, db):
    idea = make_idea(title="Export to CSV", body="As **CSV**, please.", tags=("export",))

    response = client.get(f"/ideas/{idea.id}")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Export to CSV</h1>" in html
    assert "<strong>CSV</strong>" in html
    assert "1 vote" in html
    assert "Log in to vote" in html and "Log in to comment" in html
    assert 'href="/ideas/?tag=export"' in html
    assert "Team tools" not in html
    assert f'action="/ideas/{idea.id}/follow"' not in html


def test_a_member_sees_the_vote_form_with_importance_and_a_follow_button(app, db):
    idea = make_idea()
    html = _client_for(app, _member()).get(f"/ideas/{idea.id}").get_data(as_text=True)

    assert f'action="/ideas/{idea.id}/vote"' in html
    assert "Nice to have" in html and "Critical" in html
    assert f'action="/ideas/{idea.id}/follow"' in html
    assert f'action="/ideas/{idea.id}/comment"' in html
    assert f'action="/ideas/{idea.id}/status"' not in html
    assert "Edit idea" not in html


def test_the_idea_page_escapes_the_title_and_prints_only_the_rendered_description(client, db):
    idea = make_idea(title="<script>alert(1)</script> idea", body="<script>bad()</script> ok")
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; idea" in html
    assert "<script>bad()</script>" not in html


def test_the_idea_page_shows_the_status_history_with_the_teams_notes(client, db, team_user):
    idea = make_idea()
    statuses.change_status(team_user, idea, "planned", "Coming in **spring**.")
    db.session.flush()

    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)

    assert "Status history" in html
    assert "Planned" in html
    assert "<strong>spring</strong>" in html


def test_the_budget_balance_is_shown_when_a_budget_is_set(app, db):
    member = _member()
    idea = make_idea()
    voting.vote(member, idea)
    db.session.flush()
    client = _client_for(app, member)
    app.config["IDEA_VOTE_BUDGET"] = 5
    try:
        with_budget = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    finally:
        app.config["IDEA_VOTE_BUDGET"] = 0
    page_cache.clear(app)  # the budget is configuration, not data: kept pages keep it
    without = client.get(f"/ideas/{idea.id}").get_data(as_text=True)

    assert "You have used 1 of your 5 votes; 4 left." in with_budget
    assert "of your" not in without


def test_a_merged_idea_sends_its_readers_on_to_the_idea_it_is_part_of(client, app, db):
    target = make_idea(title="The original idea")
    duplicate = make_idea(title="The duplicate idea")
    db.session.execute(
        update(Idea)
        .where(Idea.id == duplicate.id)
        .values(merged_into_id=target.id, status="merged")
    )
    db.session.flush()

    response = client.get(f"/ideas/{duplicate.id}")
    landed = client.get(response.location)

    assert response.status_code == 302
    assert response.location.endswith(f"/ideas/{target.id}")
    assert "“The duplicate idea” was merged into this idea." in landed.get_data(as_text=True)
    # The target lists what was merged into it.
    assert "Merged into this idea" in landed.get_data(as_text=True)
    assert f'href="/ideas/{duplicate.id}"' in landed.get_data(as_text=True)
    team = _client_for(app, make_user(role="team"))
    kept = team.get(f"/ideas/{duplicate.id}?stay=1").get_data(as_text=True)
    assert "Merged into" in kept and f'href="/ideas/{target.id}"' in kept
    assert f'action="/ideas/{duplicate.id}/unmerge"' in kept


def test_a_hidden_idea_is_not_found_by_others(client, db):
    idea = make_idea()
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(hidden_at=func.now()))
    db.session.flush()
    assert client.get(f"/ideas/{idea.id}").status_code == 404


# ---------------------------------------------------------------- sharing an idea


def test_sharing_an_idea_needs_a_login(client, db):
    response = client.get("/ideas/new")
    assert response.status_code == 302
    assert "/auth/login" in response.location


def test_the_new_idea_form_offers_only_active_products_and_carries_the_challenge(app, db):
    make_product(name="Active thing", slug="active-thing")
    make_product(name="Retired thing", slug="retired-thing", retired=True)
    client = _client_for(app, _member())

    html = client.get("/ideas/new?challenge=7&product=active-thing").get_data(as_text=True)

    assert "Active thing" in html and "Retired thing" not in html
    assert re.search(r'<option selected value="\d+">Active thing</option>', html)
    assert re.search(r'name="challenge" type="hidden" value="7"', html)


def test_a_new_idea_with_no_similar_ideas_is_posted_at_once(app, db):
    member = _member()
    product = make_product()
    client = _client_for(app, member)

    response = client.post("/ideas/new", data=_idea_data(product))

    idea = db.session.scalar(select(Idea).where(Idea.author_id == member.id))
    assert response.status_code == 302
    assert response.location.endswith(f"/ideas/{idea.id}")
    assert idea.title == "Offline maps for the hiking app"
    page = client.get(response.location).get_data(as_text=True)
    assert "Your idea is posted." in page
    assert 'href="/ideas/?tag=maps"' in page


def test_similar_ideas_come_first_with_vote_instead_then_post_anyway(app, db):
    existing = make_idea(title="Offline maps everywhere")
    member = _member()
    product = make_product()
    client = _client_for(app, member)

    first = client.post("/ideas/new", data=_idea_data(product))

    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert _count(Idea, Idea.author_id == member.id) == 0
    assert "Offline maps everywhere" in html
    assert f'action="/ideas/{existing.id}/vote"' in html
    assert "Vote for this instead" in html
    assert 'name="confirmed" type="hidden" value="1"' in html
    assert 'value="Post my idea anyway"' in html
    assert "Let me **download** a region before I go." in html

    confirmed = client.post("/ideas/new", data=_idea_data(product, confirmed="1"))

    assert confirmed.status_code == 302
    assert _count(Idea, Idea.author_id == member.id) == 1


def test_voting_for_a_similar_idea_instead_goes_to_its_page(app, db):
    existing = make_idea(title="Offline maps everywhere")
    member = _member()
    client = _client_for(app, member)

    response = client.post(f"/ideas/{existing.id}/vote", data={})

    assert response.status_code == 302
    assert response.location.endswith(f"/ideas/{existing.id}")
    assert db.session.get(IdeaVote, (existing.id, member.id)) is not None


@pytest.mark.parametrize(
    ("title", "message"),
    [("", "Please write something."), ("x" * 151, "At most 150 characters.")],
)
def test_a_refused_new_idea_keeps_what_was_typed(app, db, title, message):
    member = _member()
    product = make_product()
    client = _client_for(app, member)

    response = client.post("/ideas/new", data=_idea_data(product, title=title))

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert "Let me **download** a region before I go." in html
    assert 'value="maps, offline"' in html
    assert title in html
    assert _count(Idea, Idea.author_id == member.id) == 0


def test_a_new_idea_without_a_product_says_so(app, db):
    client = _client_for(app, _member())
    data = _idea_data(make_product())
    data["product"] = ""
    response = client.post("/ideas/new", data=data)
    assert response.status_code == 400
    assert "Choose the product the idea is for." in response.get_data(as_text=True)


def test_the_preview_shows_the_rendered_description_and_posts_nothing(app, db):
    member = _member()
    client = _client_for(app, member)
    data = _idea_data(make_product(), preview="Preview")
    del data["post"]

    html = client.post("/ideas/new", data=data).get_data(as_text=True)

    assert "<strong>download</strong>" in html
    assert _count(Idea, Idea.author_id == member.id) == 0


# ---------------------------------------------------------------- votes and following


def test_a_member_votes_with_an_importance_and_a_second_vote_is_refused(app, db):
    member = _member()
    idea = make_idea()
    client = _client_for(app, member)

    voted = client.post(f"/ideas/{idea.id}/vote", data={"importance": "critical"})
    again = client.post(f"/ideas/{idea.id}/vote", data={"importance": "critical"})

    assert voted.status_code == 302
    assert db.session.get(IdeaVote, (idea.id, member.id)).importance == Importance.CRITICAL
    assert _fresh(idea).vote_count == 2
    assert again.status_code == 409
    assert "You have already voted for this idea." in again.get_data(as_text=True)
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "You voted for this idea." in page
    assert "Importance: Critical." in page
    assert f'action="/ideas/{idea.id}/unvote"' in page


def test_a_vote_beyond_the_budget_comes_back_with_the_reason(app, db):
    member = _member()
    first, second = make_idea(), make_idea()
    client = _client_for(app, member)
    app.config["IDEA_VOTE_BUDGET"] = 1
    try:
        assert client.post(f"/ideas/{first.id}/vote").status_code == 302
        refused = client.post(f"/ideas/{second.id}/vote")
    finally:
        app.config["IDEA_VOTE_BUDGET"] = 0

    assert refused.status_code == 409
    assert "You have used all 1 of your votes." in refused.get_data(as_text=True)
    assert db.session.get(IdeaVote, (second.id, member.id)) is None


def test_a_closed_idea_takes_no_vote(app, db, team_user):
    idea = make_idea()
    statuses.change_status(team_user, idea, "shipped", "")
    db.session.flush()
    client = _client_for(app, _member())

    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    refused = client.post(f"/ideas/{idea.id}/vote")

    assert "This idea is closed: it takes no more votes." in page
    assert f'action="/ideas/{idea.id}/vote"' not in page
    assert refused.status_code == 409


def test_a_bad_importance_is_refused_with_its_message(app, db):
    idea = make_idea()
    client = _client_for(app, _member())
    response = client.post(f"/ideas/{idea.id}/vote", data={"importance": "urgent"})
    assert response.status_code == 400
    assert "Choose how important it is" in response.get_data(as_text=True)


def test_a_member_changes_the_importance_and_takes_the_vote_back(app, db):
    member = _member()
    idea = make_idea()
    voting.vote(member, idea, "important")
    db.session.flush()
    client = _client_for(app, member)

    changed = client.post(f"/ideas/{idea.id}/importance", data={"importance": "nice_to_have"})
    assert changed.status_code == 302
    assert db.session.get(IdeaVote, (idea.id, member.id)).importance == Importance.NICE_TO_HAVE
    assert "Your vote now says: Nice to have." in client.get(changed.location).get_data(
        as_text=True
    )

    taken = client.post(f"/ideas/{idea.id}/unvote")
    assert taken.status_code == 302
    db.session.expire_all()
    assert db.session.get(IdeaVote, (idea.id, member.id)) is None
    assert _fresh(idea).vote_count == 1


def test_changing_the_importance_without_a_vote_is_a_conflict(app, db):
    idea = make_idea()
    client = _client_for(app, _member())
    response = client.post(f"/ideas/{idea.id}/importance", data={"importance": "critical"})
    assert response.status_code == 409
    assert "You have not voted for this idea." in response.get_data(as_text=True)


def test_a_member_follows_and_unfollows_an_idea(app, db):
    member = _member()
    idea = make_idea()
    client = _client_for(app, member)

    followed = client.post(f"/ideas/{idea.id}/follow", data={"following": "1"})
    page = client.get(followed.location).get_data(as_text=True)
    unfollowed = client.post(f"/ideas/{idea.id}/follow", data={"following": "0"})

    assert followed.status_code == unfollowed.status_code == 302
    assert "You follow this idea." in page
    row = db.session.get(IdeaFollow, (idea.id, member.id))
    db.session.refresh(row)
    assert row.following is False


def test_visitors_are_sent_to_log_in_before_voting(client, db):
    idea = make_idea()
    response = client.post(f"/ideas/{idea.id}/vote")
    assert response.status_code == 302
    assert "/auth/login" in response.location


# ---------------------------------------------------------------- comments


def test_a_member_comments_and_lands_on_the_comment(app, db):
    member = _member()
    idea = make_idea()
    client = _client_for(app, member)

    response = client.post(f"/ideas/{idea.id}/comment", data={"body": "I *need* this."})

    comment = db.session.scalar(select(IdeaComment).where(IdeaComment.author_id == member.id))
    assert response.status_code == 302
    assert response.location.endswith(f"/ideas/{idea.id}#c{comment.id}")
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "<em>need</em>" in page
    assert "1 comment" in page
    assert f'id="c{comment.id}"' in page


def test_an_empty_comment_is_refused_on_the_page(app, db):
    idea = make_idea()
    client = _client_for(app, _member())
    response = client.post(f"/ideas/{idea.id}/comment", data={"body": "  "})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your comment is not posted: Please write something." in html
    assert _count(IdeaComment, IdeaComment.idea_id == idea.id) == 0


def test_a_too_long_comment_keeps_its_text(app, db):
    idea = make_idea()
    client = _client_for(app, _member())
    body = "word " * 2001
    response = client.post(f"/ideas/{idea.id}/comment", data={"body": body})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "At most 10000 characters." in html
    assert body.strip() in html


def test_team_comments_are_badged_and_the_team_pins_and_unpins_one(app, db, team_user):
    idea = make_idea()
    member_comment = comments.add_comment(_member(), idea, "A member's comment.")
    official = comments.add_comment(team_user, idea, "We are looking into it.")
    db.session.flush()
    client = _client_for(app, team_user)

    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert 'class="marker marker-official">Team<' in page
    assert "Pin under the description" in page
    assert page.count("Pin under the description") == 1  # official comments only

    pinned = client.post(f"/ideas/{idea.id}/pin", data={"comment_id": str(official.id)})
    assert pinned.status_code == 302
    assert _fresh(idea).pinned_comment_id == official.id
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    box = html[html.index("The team’s answer") : html.index("comments-section")]
    assert "We are looking into it." in box
    assert "A member" not in box

    refused = client.post(f"/ideas/{idea.id}/pin", data={"comment_id": str(member_comment.id)})
    assert refused.status_code == 404
    unpinned = client.post(f"/ideas/{idea.id}/pin", data={"comment_id": ""})
    assert unpinned.status_code == 302
    assert _fresh(idea).pinned_comment_id is None


# ---------------------------------------------------------------- the team's status changes


def test_the_team_changes_the_status_with_a_note(app, db, team_user):
    idea = make_idea()
    client = _client_for(app, team_user)

    response = client.post(
        f"/ideas/{idea.id}/status", data={"status": "planned", "note": "Next quarter."}
    )

    assert response.status_code == 302
    assert _fresh(idea).status == "planned"
    page = client.get(response.location).get_data(as_text=True)
    assert "The status is now: Planned." in page
    assert "Next quarter." in page


def test_declining_without_a_reason_is_refused_and_keeps_the_form(app, db, team_user):
    idea = make_idea()
    client = _client_for(app, team_user)

    response = client.post(f"/ideas/{idea.id}/status", data={"status": "declined", "note": ""})

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please give the reason for declining." in html
    assert '<option selected value="declined">' in html
    assert _fresh(idea).status == "open"
    assert _count(IdeaStatusChange, IdeaStatusChange.idea_id == idea.id) == 0


def test_the_same_status_again_is_a_conflict(app, db, team_user):
    idea = make_idea()
    client = _client_for(app, team_user)
    response = client.post(f"/ideas/{idea.id}/status", data={"status": "open", "note": ""})
    assert response.status_code == 409
    assert "The idea already has this status." in response.get_data(as_text=True)


def test_the_team_sees_who_voted_with_their_importance(app, db, team_user):
    idea = make_idea()
    voter = _member(username="keenvoter")
    voting.vote(voter, idea, "critical")
    db.session.flush()

    html = _client_for(app, team_user).get(f"/ideas/{idea.id}").get_data(as_text=True)

    assert "Who voted" in html
    assert f'action="/ideas/{idea.id}/merge"' in html
    assert f'action="/ideas/{idea.id}/proxy-vote"' in html
    row = re.search(r"/u/keenvoter.*?</tr>", html, re.S).group(0)
    assert "Critical" in row


@pytest.mark.parametrize(
    ("path", "data"),
    [("pin", {"comment_id": ""}), ("status", {"status": "planned", "note": "x"})],
)
def test_team_actions_are_refused_to_members(app, db, path, data):
    idea = make_idea()
    client = _client_for(app, _member())
    response = client.post(f"/ideas/{idea.id}/{path}", data=data)
    assert response.status_code == 403
    assert _fresh(idea).status == "open"


# ---------------------------------------------------------------- editing


def test_the_author_edits_the_idea(app, db):
    author = _member()
    idea = make_idea(author=author, tags=("old",))
    client = _client_for(app, author)

    form = client.get(f"/ideas/{idea.id}/edit").get_data(as_text=True)
    response = client.post(
        f"/ideas/{idea.id}/edit",
        data={"title": "A better title", "body": "More **detail**.", "tags": "new, shiny"},
    )

    assert 'value="old"' in form
    assert response.status_code == 302
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "A better title" in page and "<strong>detail</strong>" in page
    assert 'href="/ideas/?tag=shiny"' in page and 'href="/ideas/?tag=old"' not in page


def test_a_refused_edit_keeps_what_was_typed(app, db):
    author = _member()
    idea = make_idea(author=author)
    client = _client_for(app, author)
    response = client.post(
        f"/ideas/{idea.id}/edit", data={"title": "", "body": "Kept body text.", "tags": ""}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please write something." in html and "Kept body text." in html


def test_others_may_not_edit_an_idea_but_the_team_may(app, db, team_user):
    idea = make_idea()
    assert _client_for(app, _member()).get(f"/ideas/{idea.id}/edit").status_code == 403
    response = _client_for(app, team_user).post(
        f"/ideas/{idea.id}/edit", data={"title": "Tidied by the team", "body": "Same."}
    )
    assert response.status_code == 302
    assert _fresh(idea).title == "Tidied by the team"


# ---------------------------------------------------------------- CSRF


def test_every_post_form_on_the_ideas_pages_carries_a_csrf_token(app, db, csrf_enabled):
    team = make_user(role="team")
    idea = make_idea(title="Offline maps everywhere")
    official = comments.add_comment(team, idea, "Official words.")
    comments.pin_comment(team, idea, official.id)
    db.session.commit()
    client = app.test_client()
    html = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    client.post(
        "/auth/login", data={"login": team.username, "password": PASSWORD, "csrf_token": token}
    )

    pages = ["/ideas/", f"/ideas/{idea.id}", "/ideas/new", f"/ideas/{idea.id}/edit"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        for form in re.findall(
            r'<form method="post".*?</form>', response.get_data(as_text=True), re.S
        ):
            assert re.search(r'name="csrf_token" type="hidden" value="[^"]+"', form), (path, form)
    refused = client.post(f"/ideas/{idea.id}/vote", data={})
    assert refused.status_code == 400


# ---------------------------------------------------------------- queries per page


def test_the_list_takes_the_same_queries_for_3_and_30_ideas(app, db, count_queries):
    viewer = _member()
    client = _client_for(app, viewer)
    product = make_product()

    def queries(n: int) -> int:
        for i in range(n):
            idea = make_idea(product=product, tags=("tag-a", f"tag-{i}"))
            voting.vote(viewer, idea)
        db.session.flush()
        with count_queries() as statements:
            response = client.get("/ideas/")
        assert response.status_code == 200
        return len(statements)

    few, many = queries(3), queries(27)
    # the member, the branding, the ideas (with products and authors), "you voted",
    # tags, the products of the filter
    assert few == many <= 6


@pytest.mark.parametrize("role", ["member", "team"])
def test_an_idea_page_takes_the_same_queries_for_3_and_30_votes_and_comments(
    app, db, count_queries, role
):
    viewer = make_user(role=role, reputation=100)
    client = _client_for(app, viewer)
    idea = make_idea(tags=("one", "two"))
    team = make_user(role="team")
    voting.vote(viewer, idea)
    official = comments.add_comment(team, idea, "From the team.")
    comments.pin_comment(team, idea, official.id)
    statuses.change_status(team, idea, "under_review", "Looking.")

    def queries(n: int) -> int:
        for _ in range(n):
            someone = _member()
            voting.vote(someone, idea, "critical")
            comments.add_comment(someone, idea, "Me too, and **soon**.")
        db.session.flush()
        with count_queries() as statements:
            response = client.get(f"/ideas/{idea.id}")
        assert response.status_code == 200
        return len(statements)

    few, many = queries(3), queries(27)
    # the member, the branding, the idea (with product and author), tags, history,
    # comments (with authors), the ideas merged into it, my vote, following; the team
    # also the voters
    assert few == many <= (10 if role == "team" else 9)


def test_similar_ideas_come_as_a_fragment_while_the_title_is_typed(app, client, db):
    battery = make_idea(title="Longer battery life")
    member = _client_for(app, make_user(reputation=100))
    db.session.commit()

    found = client.get("/ideas/similar?title=battery%20drains").get_data(as_text=True)
    nothing = client.get("/ideas/similar?title=").get_data(as_text=True)
    page = member.get("/ideas/new").get_data(as_text=True)

    assert f'href="/ideas/{battery.id}"' in found and "Longer battery life" in found
    assert nothing.strip() == ""
    # The form asks for them as the title is typed (static/js/similar.js).
    assert "js/similar.js" in page and 'data-source="/ideas/similar"' in page
