"""Challenges (co-creation campaigns): the team asks a question for a time window,
optionally about one product; members submit ideas into it while it runs; once it has
ended the team picks the winners (each winning idea's author gets the "challenge won"
reputation and, by its rule, the Challenge winner badge). The challenge page ranks its
ideas by votes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community.accounts.models import User
from community.catalog.models import Product
from community.core.db import parse_id, utcnow
from community.core.errors import Conflict, InvalidInput, NotFound
from community.core.plain_text import slugify
from community.extensions import db
from community.ideas.models import Challenge, ChallengeWinner, Idea
from community.ideas.services import common, following
from community.moderation.services import audit
from community.reputation import services as reputation

WON = "challenge_won"
IDEAS_SHOWN = 100
WINNERS_MAX = 10
LIST_MAX = 100
RESERVED_SLUGS = frozenset({"new"})


def state(challenge: Challenge, now: dt.datetime | None = None) -> str:
    """ "upcoming", "running", "ended" (waiting for winners) or "decided"."""
    now = now or utcnow()
    if challenge.decided_at is not None:
        return "decided"
    if now < challenge.starts_at:
        return "upcoming"
    return "running" if now < challenge.ends_at else "ended"


def is_running(challenge: Challenge, now: dt.datetime | None = None) -> bool:
    return state(challenge, now) == "running"


def create_challenge(
    actor: User,
    title: str | None,
    body: str | None,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    product_id: Any = None,
) -> Challenge:
    """A new challenge (team only); the window must end after it starts."""
    common.require_team(actor)
    title = common.check_title(title)
    body = common.check_body(body)
    if starts_at is None or ends_at is None:
        raise InvalidInput(_("Give the start and the end."), field="ends_at")
    if ends_at <= starts_at:
        raise InvalidInput(_("The end must come after the start."), field="ends_at")
    product = None
    if product_id:
        found = parse_id(product_id)
        product = db.session.get(Product, found) if found is not None else None
        if product is None:
            raise InvalidInput(_("There is no such product."), field="product")
    challenge = Challenge(
        slug=_free_slug(title),
        title=title,
        body_source=body,
        body_html=common.render(body).html,
        product_id=product.id if product is not None else None,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by_id=actor.id,
    )
    db.session.add(challenge)
    db.session.flush()
    audit(actor, "idea.challenge_create", challenge, {"title": title})
    return challenge


def _free_slug(title: str) -> str:
    base = slugify(title, 56) or "challenge"
    if base in RESERVED_SLUGS:
        base += "-challenge"  # /challenges/new is the form
    taken = set(db.session.scalars(select(Challenge.slug).where(Challenge.slug.like(f"{base}%"))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def get_challenge(slug: str) -> Challenge:
    challenge = db.session.scalar(
        select(Challenge).options(joinedload(Challenge.product)).where(Challenge.slug == slug)
    )
    if challenge is None:
        raise NotFound(_("No such challenge."))
    return challenge


def list_challenges(now: dt.datetime | None = None) -> dict[str, list[Challenge]]:
    """Challenges by state: running (ending soonest first), upcoming, ended, decided."""
    now = now or utcnow()
    found: dict[str, list[Challenge]] = {"running": [], "upcoming": [], "ended": [], "decided": []}
    rows = db.session.scalars(
        select(Challenge)
        .options(joinedload(Challenge.product))
        .order_by(Challenge.ends_at.desc(), Challenge.id.desc())
        .limit(LIST_MAX)
    )
    for challenge in rows:
        found[state(challenge, now)].append(challenge)
    found["running"].reverse()
    return found


@dataclass(frozen=True)
class ChallengePage:
    challenge: Challenge
    ideas: list[Idea]
    winners: dict[int, int]  # idea id -> place


def challenge_page(viewer: Any, challenge: Challenge) -> ChallengePage:
    """The challenge's visible ideas ranked by votes, and its winners (two queries)."""
    ideas = list(
        db.session.scalars(
            select(Idea)
            .options(joinedload(Idea.author), joinedload(Idea.product))
            .where(
                Idea.challenge_id == challenge.id,
                common.idea_clause(viewer),
                Idea.merged_into_id.is_(None),
            )
            .order_by(Idea.vote_count.desc(), Idea.id)
            .limit(IDEAS_SHOWN)
        )
    )
    winners = dict(
        db.session.execute(
            select(ChallengeWinner.idea_id, ChallengeWinner.place).where(
                ChallengeWinner.challenge_id == challenge.id
            )
        ).all()
    )
    return ChallengePage(challenge, ideas, winners)


def pick_winners(actor: User, challenge: Challenge, idea_ids: list[Any]) -> list[ChallengeWinner]:
    """Decide an ended challenge: its ideas ``idea_ids`` win, in that order (team only;
    once). Each winning author earns "challenge won" and its badge; followers hear."""
    common.require_team(actor)
    now = utcnow()
    if state(challenge, now) != "ended":
        raise Conflict(_("Winners are picked once the challenge has ended, and only once."))
    ids = list(dict.fromkeys(parse_id(i) for i in idea_ids))
    if None in ids:
        raise InvalidInput(_("Choose the winning ideas."), field="ideas")
    if not 1 <= len(ids) <= WINNERS_MAX:
        raise InvalidInput(
            _("Choose between 1 and %(n)d winning ideas.", n=WINNERS_MAX), field="ideas"
        )
    ideas = {
        idea.id: idea
        for idea in db.session.scalars(
            select(Idea).where(
                Idea.id.in_(ids),
                Idea.challenge_id == challenge.id,
                Idea.hidden_at.is_(None),
                Idea.merged_into_id.is_(None),
            )
        )
    }
    if len(ideas) != len(ids):
        raise InvalidInput(_("Choose ideas submitted to this challenge."), field="ideas")
    winners = []
    for place, idea_id in enumerate(ids, start=1):
        winner = ChallengeWinner(challenge_id=challenge.id, idea_id=idea_id, place=place)
        db.session.add(winner)
        winners.append(winner)
    challenge.decided_at = now
    db.session.flush()
    for idea_id in ids:
        idea = ideas[idea_id]
        author = db.session.get(User, idea.author_id)
        assert author is not None
        reputation.record(author, WON, idea, actor=None, category=("product", idea.product_id))

        def text(title: str = idea.title) -> str:
            return _(
                "“%(title)s” won the challenge “%(challenge)s”.",
                title=title,
                challenge=challenge.title,
            )

        following.notify_followers(idea, text, skip=actor.id)
    audit(actor, "idea.challenge_winners", challenge, {"ideas": ids})
    return winners
