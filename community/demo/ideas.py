"""The demo's ideas portal: ideas in every status over the demo products, voted with
varied importance, commented (official team answers pinned), tagged, one duplicate merged
into another, and a running challenge with two ideas in it.

The tables live in ``idea_data``. Only members past the new-member sandbox by now (mia,
jonas, lea: their points in ``reputation``) and the team write; sam, still sandboxed, only
votes, which the sandbox does not limit.
"""

from __future__ import annotations

import datetime as dt

from community.accounts.models import User
from community.catalog.models import Product
from community.core.db import utcnow
from community.demo.idea_data import (
    DEMO_CHALLENGE_IDEAS,
    DEMO_IDEA_COMMENTS,
    DEMO_IDEA_STATUSES,
    DEMO_IDEA_VOTES,
    DEMO_IDEAS,
)
from community.extensions import db
from community.ideas.models import Challenge, Idea
from community.ideas.services import comments as idea_comments
from community.ideas.services import common as idea_common
from community.ideas.services import merging as idea_merging
from community.ideas.services import statuses as idea_statuses
from community.ideas.services import submitting as idea_submitting
from community.ideas.services import voting as idea_voting


def seed_ideas(users: dict[str, User], products: dict[str, Product]) -> None:
    """Create the challenge, the ideas, their votes and comments, the merge and the
    status steps, in that order."""
    tom = users["tom"]
    challenge = _create_challenge(tom, products)
    ideas = _submit_ideas(users, products, challenge)
    _cast_votes(users, ideas)
    _add_comments(users, ideas, tom)
    idea_merging.merge(tom, ideas["night-theme"], ideas["dark-mode"].id)
    _change_statuses(ideas, tom)


def _create_challenge(tom: User, products: dict[str, Product]) -> Challenge:
    """A printer challenge that started three days ago and runs for 25 more."""
    now = utcnow()
    challenge = Challenge(
        slug="make-printing-fun",
        title="Make printing fun",
        body_source="What would make you print more photos with the P1? The team picks "
        "three winners when the challenge ends.",
        product_id=products["photo-printer"].id,
        starts_at=now - dt.timedelta(days=3),
        ends_at=now + dt.timedelta(days=25),
        created_by_id=tom.id,
        created_at=now,
    )
    challenge.body_html = idea_common.render(challenge.body_source).html
    db.session.add(challenge)
    db.session.flush()
    return challenge


def _submit_ideas(
    users: dict[str, User], products: dict[str, Product], challenge: Challenge
) -> dict[str, Idea]:
    """Submit every idea in ``DEMO_IDEAS`` (the author's own vote comes with it), keyed."""
    ideas = {}
    for key, product, author, title, body, tags in DEMO_IDEAS:
        ideas[key] = idea_submitting.create_idea(
            users[author],
            title,
            body,
            products[product].id,
            tags=tags,
            challenge_id=challenge.id if key in DEMO_CHALLENGE_IDEAS else None,
        )
    return ideas


def _cast_votes(users: dict[str, User], ideas: dict[str, Idea]) -> None:
    """Cast the members' votes in ``DEMO_IDEA_VOTES`` with their importance."""
    for key, voter, importance in DEMO_IDEA_VOTES:
        idea_voting.vote(users[voter], ideas[key], importance)


def _add_comments(users: dict[str, User], ideas: dict[str, Idea], tom: User) -> None:
    """Add the comments in ``DEMO_IDEA_COMMENTS``; tom pins the ones marked pinned."""
    for key, author, body, pinned in DEMO_IDEA_COMMENTS:
        comment = idea_comments.add_comment(users[author], ideas[key], body)
        if pinned:
            idea_comments.pin_comment(tom, ideas[key], comment.id)


def _change_statuses(ideas: dict[str, Idea], tom: User) -> None:
    """Walk the ideas through ``DEMO_IDEA_STATUSES`` in order, with the team's notes."""
    for key, status, note in DEMO_IDEA_STATUSES:
        idea_statuses.change_status(tom, ideas[key], status, note)
