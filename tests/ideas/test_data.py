"""A member's ideas data: in their account export; what erasing the account leaves (the
ideas, comments and votes, every count exact, shown as a deleted user); and a sock
puppet's votes taken back with every count and the reputation they gave."""

from __future__ import annotations

from sqlalchemy import func, select

from community.accounts import services as accounts
from community.accounts.models import User
from community.extensions import db
from community.ideas import moderation_targets
from community.ideas.models import (
    CustomerValue,
    Idea,
    IdeaComment,
    IdeaFollow,
    IdeaVote,
    IdeaVoter,
    ShipFeedback,
)
from community.ideas.services import comments, following, statuses, voting
from community.moderation.services import erase_sock_puppet
from community.reputation.services.rebuild import rebuild
from tests.factories import PASSWORD, make_user
from tests.ideas.factories import make_idea
from tests.ideas.test_moderation import counts_off, regular, stored


def answer(user: User, idea: Idea, value: str) -> None:
    """The member's answer to "Did this solve it for you?" (stored as the service will)."""
    db.session.add(ShipFeedback(idea_id=idea.id, user_id=user.id, answer=value))
    column = getattr(Idea, f"feedback_{value}")
    db.session.execute(
        Idea.__table__.update().where(Idea.id == idea.id).values({column.key: column + 1})
    )
    db.session.flush()


def active_member(team: User):
    """A member who submitted a tagged idea, commented, voted (once through the team),
    unfollowed one idea, answered after shipping, and has a customer value."""
    member = regular(username="writer")
    own = make_idea(author=member, title="Dark mode", body="Please **dark**.", tags=("ui",))
    other = make_idea(author=regular(), title="Export as PDF")
    shipped = make_idea(author=regular(), title="Faster search")
    comment = comments.add_comment(member, other, "Yes, *please*.")
    voting.vote(member, other, "critical")
    voting.vote(member, shipped, proxy_by=team)
    following.set_following(member, other, False)
    statuses.change_status(team, shipped, "shipped", "Out now.")
    answer(member, shipped, "yes")
    db.session.add(CustomerValue(user_id=member.id, value=1200, segment="enterprise"))
    db.session.flush()
    return member, own, other, shipped, comment


# ---------------------------------------------------------------- export


def test_the_export_holds_the_members_ideas_data(db, team_user):
    member, own, other, shipped, comment = active_member(team_user)

    ideas = accounts.export_data(member)["ideas"]

    assert [(i["id"], i["title"], i["body"], i["tags"]) for i in ideas["ideas"]] == [
        (own.id, "Dark mode", "Please **dark**.", ["ui"])
    ]
    assert ideas["ideas"][0]["status"] == "open" and ideas["ideas"][0]["hidden_at"] is None
    assert [(c["id"], c["idea_id"], c["body"]) for c in ideas["comments"]] == [
        (comment.id, other.id, "Yes, *please*.")
    ]
    votes = {v["idea_id"]: (v["importance"], v["proxy"]) for v in ideas["votes"]}
    assert votes == {
        own.id: ("important", False),
        other.id: ("critical", False),
        shipped.id: ("important", True),
    }
    follows = {f["idea_id"]: f["following"] for f in ideas["follows"]}
    assert follows == {own.id: True, other.id: False, shipped.id: True}
    assert [(a["idea_id"], a["answer"]) for a in ideas["ship_feedback"]] == [(shipped.id, "yes")]
    assert ideas["customer_value"]["value"] == 1200
    assert ideas["customer_value"]["segment"] == "enterprise"


def test_the_export_holds_what_a_team_member_wrote_as_the_team(db, team_user):
    idea = make_idea()
    statuses.change_status(team_user, idea, "declined", "Out of scope.")

    ideas = accounts.export_data(team_user)["ideas"]

    assert [(s["idea_id"], s["to"], s["note"]) for s in ideas["status_notes"]] == [
        (idea.id, "declined", "Out of scope.")
    ]


def test_the_export_of_someone_who_never_took_part_is_empty(db):
    ideas = accounts.export_data(make_user())["ideas"]
    assert ideas["ideas"] == ideas["comments"] == ideas["votes"] == ideas["follows"] == []
    assert ideas["ship_feedback"] == []
    assert ideas["customer_value"] is None


# ---------------------------------------------------------------- erasure


def stored_counts() -> list[tuple]:
    return db.session.execute(
        select(
            Idea.id,
            Idea.vote_count,
            Idea.weighted_votes,
            Idea.comment_count,
            Idea.feedback_yes,
            Idea.hot,
        ).order_by(Idea.id)
    ).all()


def test_erasure_keeps_ideas_comments_votes_and_every_count(db, team_user):
    member, own, other, _shipped, comment = active_member(team_user)
    before = stored_counts()
    open_votes = db.session.get(IdeaVoter, member.id).open_votes

    accounts.erase_account(member, PASSWORD)
    db.session.flush()
    db.session.expire_all()

    assert stored_counts() == before
    assert counts_off() == []
    assert db.session.get(Idea, own.id).body_source == "Please **dark**."
    assert db.session.get(IdeaComment, comment.id).author_id == member.id
    assert db.session.get(IdeaVote, (other.id, member.id)).importance == 3
    assert db.session.get(IdeaVoter, member.id).open_votes == open_votes


def test_erasure_forgets_follows_and_the_customer_value(db, team_user):
    member, *_ = active_member(team_user)

    accounts.erase_account(member, PASSWORD)
    db.session.flush()

    for model in (IdeaFollow, CustomerValue):
        left = db.session.scalar(
            select(func.count()).select_from(model).where(model.user_id == member.id)
        )
        assert left == 0, model.__name__


def test_erasure_shows_the_author_as_a_deleted_user(db, team_user):
    member, own, other, _shipped, comment = active_member(team_user)
    later = comments.add_comment(regular(), other, "Agreed.")

    accounts.erase_account(member, PASSWORD)
    db.session.flush()
    db.session.expire_all()

    author = db.session.get(User, db.session.get(Idea, own.id).author_id)
    assert author.is_erased and "writer" not in author.name
    # The review queue shows the comment under the anonymised name.
    context = moderation_targets.load_comments({later.id})[later.id].context
    assert ("deleted user", "Yes, please.") in context


# ---------------------------------------------------------------- votes taken back


def test_a_sock_puppets_votes_and_answers_are_taken_back_with_every_count(
    db, team_user, admin_user
):
    author = regular()
    idea = make_idea(author=author)
    closed = make_idea(author=author)
    puppet = regular()
    voting.vote(puppet, idea, "critical")
    voting.vote(puppet, closed)
    statuses.change_status(team_user, closed, "shipped", "")
    answer(puppet, closed, "no")
    points = db.session.get(User, author.id).reputation
    assert counts_off() == []

    erase_sock_puppet(admin_user, puppet, "Second account of the author")

    assert (stored(idea).vote_count, stored(idea).weighted_votes) == (1, 2)
    assert (stored(closed).vote_count, stored(closed).feedback_no) == (1, 0)
    assert db.session.get(IdeaVoter, puppet.id).open_votes == 0
    assert voting.my_vote(puppet, idea) is None
    db.session.expire_all()
    assert db.session.get(User, author.id).reputation == points - 20
    assert counts_off() == []
    assert rebuild().total_fixed == 0
