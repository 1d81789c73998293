"""``flask --app wsgi scale-targets --out DIR``: what the benchmark fetches and writes.

Pages are the app's real URLs (``url_for``) for the seeded dataset. The write files hold
``<bearer token> <path>`` lines, every one a (member, target) pair not used yet, read
from the database as it is now: posts nobody reacted to, open topics, ideas the member
has not voted for. So after a benchmark run, asking again gives fresh lines.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from pathlib import Path
from typing import Any

from flask import url_for
from sqlalchemy import false, func, select

from community.accounts.models import ApiToken, User
from community.extensions import db
from community.forums.models import ForumCategory, Post, Topic
from community.forums.services.common import PER_PAGE
from community.ideas.models import CLOSED_STATUSES, Challenge, Idea, IdeaStatus, IdeaVote
from community.reputation import privileges
from community.scale.members import PASSWORD, TEAM, TOKEN_NAME, token_secret
from community.scale.sizes import LINES_PER_WRITER
from community.scale.totals import read_manifest

CATEGORY_PAGE = 500
REPLY_BODY = json.dumps(
    {"body": "Bench reply %d with enough words to pass the checks", "client_key": "bench-%d"}
)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class TargetsError(Exception):
    """There is no seeded dataset to point at."""


def targets(out: Path) -> dict[str, Any]:
    """The pages and write files of the seeded dataset; writes the files into ``out``.
    Needs a request context (for ``url_for``)."""
    manifest = read_manifest()
    if manifest is None:
        raise TargetsError("this database was not filled by seed-scale")
    out.mkdir(parents=True, exist_ok=True)
    writers = _writers(int(manifest["seed"]))
    reactions = out / "reactions.txt"
    replies = out / "replies.txt"
    votes = out / "idea-votes.txt"
    _write_lines(reactions, writers, _reaction_paths(manifest, writers))
    _write_lines(replies, writers, _reply_paths(manifest, writers))
    _write_vote_lines(votes, writers)
    return {
        "size": manifest["scale"],
        "login": {"username": TEAM, "password": PASSWORD},
        "pages": _pages(manifest),
        # rate_goal: issue 6 asks 300/s of reactions and idea votes; a reply is measured
        # (and its rows counted) without a rate goal.
        "writes": [
            _write("reaction (API)", reactions, rate_goal=True),
            _write("reply (API)", replies, body=REPLY_BODY),
            _write("idea vote (API)", votes, rate_goal=True, table=IdeaVote.__tablename__),
        ],
    }


def _page(name: str, path: str, auth: bool = False, simple: bool = False) -> dict[str, Any]:
    return {"page": name, "path": path, "auth": auth, "simple": simple}


def _write(
    name: str, lines: Path, rate_goal: bool = False, body: str | None = None, **extra: str
) -> dict[str, Any]:
    return {
        "page": name,
        "method": "POST",
        "file": str(lines),
        "body": body,
        "rate_goal": rate_goal,
        **extra,
    }


def _pages(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    category = db.session.scalar(
        select(ForumCategory).where(ForumCategory.slug == manifest["category"])
    )
    topic = db.session.get(Topic, manifest["topic_id"])
    if category is None or topic is None:
        raise TargetsError("the seeded category or topic is missing")
    # Named "p500" at every size, so the harness pairs small and large: on small it is
    # the last page.
    cursor = _category_cursor(category)
    deep = {"cursor": cursor} if cursor else {}
    return [
        _page("home", url_for("site.home"), simple=True),
        _page("category p1", url_for("forums.category", slug=category.slug)),
        _page(f"category p{CATEGORY_PAGE}", url_for("forums.category", slug=category.slug, **deep)),
        _page("topic (20 posts)", url_for("forums.topic", topic_id=topic.id, slug=topic.slug)),
        _page("profile", url_for("accounts.profile", username=manifest["profile"]), simple=True),
        _page("mavens week", url_for("reputation.mavens", period="week"), simple=True),
        _page("mavens all time", url_for("reputation.mavens", period="all"), simple=True),
        _page("search", url_for("site.search", q=manifest["search"])),
        _page("review queue", url_for("moderation.queue"), auth=True),
        _page("ideas list", url_for("ideas.index")),
        _page("idea page", url_for("ideas.idea", idea_id=_popular_idea()), simple=True),
        _page("roadmap", url_for("ideas.roadmap")),
        _page("challenge", url_for("ideas.challenge", slug=_busiest_challenge())),
        _page("priorities", url_for("ideas.priorities"), auth=True),
    ]


def _busiest_challenge() -> str:
    """The slug of the challenge with the most ideas."""
    slug = db.session.scalar(
        select(Challenge.slug).order_by(Challenge.idea_count.desc(), Challenge.id).limit(1)
    )
    if slug is None:
        raise TargetsError("the dataset has no challenge")
    return slug


def _votable():
    """SQL: the ideas that take votes (not closed, hidden or merged)."""
    return (
        Idea.status.not_in([s.value for s in CLOSED_STATUSES]),
        Idea.hidden_at.is_(None),
        Idea.merged_into_id.is_(None),
    )


def _popular_idea() -> int:
    """The open idea with the most votes."""
    idea_id = db.session.scalar(
        select(Idea.id)
        .where(*_votable(), Idea.status == IdeaStatus.OPEN.value)
        .order_by(Idea.vote_count.desc(), Idea.id)
        .limit(1)
    )
    if idea_id is None:
        raise TargetsError("the dataset has no open idea")
    return idea_id


def _listed(category: ForumCategory):
    """The topics a visitor sees below the pinned ones, in the page's order."""
    return select(Topic.id, Topic.last_posted_at).where(
        Topic.category_id == category.id, Topic.hidden_at.is_(None), Topic.is_pinned == false()
    )


def _category_cursor(category: ForumCategory) -> str | None:
    """The cursor of page 500 of the category (of its last page when it has fewer)."""
    listed = _listed(category).subquery()
    count = db.session.scalar(select(func.count()).select_from(listed)) or 0
    page = max(1, min(CATEGORY_PAGE, math.ceil(count / PER_PAGE)))
    if page == 1:
        return None
    topic_id, last_posted_at = db.session.execute(
        _listed(category)
        .order_by(Topic.last_posted_at.desc(), Topic.id.desc())
        .offset((page - 1) * PER_PAGE - 1)
        .limit(1)
    ).one()
    micros = (last_posted_at - _EPOCH) // dt.timedelta(microseconds=1)
    return f"{micros}-{topic_id}"


def _writers(seed: int) -> list[tuple[int, str]]:
    """(member id, token secret) of the bench's writers, checked against the stored hash."""
    rows = db.session.execute(
        select(ApiToken.user_id, ApiToken.token_hash)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.name == TOKEN_NAME, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.user_id)
    ).all()
    writers = [(user_id, token_secret(seed, user_id)) for user_id, _hash in rows]
    for (user_id, stored), (_id, secret) in zip(rows, writers, strict=True):
        if hashlib.sha256(secret.encode()).hexdigest() != stored:
            raise TargetsError(f"the bench token of member {user_id} does not match the seed")
    if not writers:
        raise TargetsError("the dataset has no bench tokens")
    return writers


def _open_topics(manifest: dict[str, Any]):
    public = select(ForumCategory.id).where(ForumCategory.is_private == false())
    return (
        Topic.category_id.in_(public),
        Topic.hidden_at.is_(None),
        Topic.is_locked == false(),
        Topic.id != manifest["topic_id"],
    )


def _reaction_paths(manifest: dict[str, Any], writers: list) -> list[tuple[int, str]]:
    """Visible posts in open public topics that nobody reacted to, newest first."""
    wanted = len(writers) * LINES_PER_WRITER
    rows = db.session.execute(
        select(Post.id, Post.author_id)
        .join(Topic, Topic.id == Post.topic_id)
        .where(*_open_topics(manifest), Post.hidden_at.is_(None), Post.reaction_count == 0)
        .order_by(Post.id.desc())
        .limit(wanted)
    ).all()
    return [
        (author, url_for("api.add_reaction", post_id=post_id, name="like"))
        for post_id, author in rows
    ]


def _reply_paths(manifest: dict[str, Any], writers: list) -> list[tuple[int, str]]:
    """Open public topics, latest activity first."""
    rows = db.session.execute(
        select(Topic.id)
        .where(*_open_topics(manifest))
        .order_by(Topic.last_posted_at.desc(), Topic.id.desc())
        .limit(len(writers) * LINES_PER_WRITER)
    ).all()
    return [(0, url_for("api.create_post", topic_id=topic_id)) for (topic_id,) in rows]


def _may_vote(writers: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The writers who hold the privilege to vote on ideas (a member whose reputation
    went below its points may not)."""
    needed = privileges.privilege("vote").min_points
    allowed: set[int] = set()
    ids = [user_id for user_id, _secret in writers]
    for start in range(0, len(ids), 1_000):  # bounded IN lists
        allowed.update(
            db.session.scalars(
                select(User.id).where(
                    User.id.in_(ids[start : start + 1_000]), User.reputation >= needed
                )
            )
        )
    return [writer for writer in writers if writer[0] in allowed]


def _write_vote_lines(path: Path, writers: list[tuple[int, str]]) -> int:
    """Line n is writer n mod W (as in ``_write_lines``); each writer's lines go to
    distinct ideas that take votes and that they have not voted for, spread over the
    ideas so that concurrent votes seldom meet on one row."""
    ideas = list(db.session.scalars(select(Idea.id).where(*_votable()).order_by(Idea.id.desc())))
    if len(ideas) < LINES_PER_WRITER:
        raise TargetsError(f"too few ideas that take votes for {path.name}: {len(ideas)}")
    writers = _may_vote(writers)
    writer_ids = [user_id for user_id, _secret in writers]
    voted: dict[int, set[int]] = {}
    for start in range(0, len(writer_ids), 1_000):  # bounded IN lists
        for user_id, idea_id in db.session.execute(
            select(IdeaVote.user_id, IdeaVote.idea_id).where(
                IdeaVote.user_id.in_(writer_ids[start : start + 1_000])
            )
        ):
            voted.setdefault(user_id, set()).add(idea_id)
    chosen: list[list[int]] = []
    for w, user_id in enumerate(writer_ids):
        taken = voted.get(user_id, set())
        mine: list[int] = []
        for step in range(len(ideas)):
            idea_id = ideas[(w * LINES_PER_WRITER + step) % len(ideas)]
            if idea_id not in taken:
                mine.append(idea_id)
                if len(mine) == LINES_PER_WRITER:
                    break
        chosen.append(mine)
    lines = [
        f"{writers[w][1]} {url_for('api.vote_for_idea', idea_id=chosen[w][r])}\n"
        for r in range(LINES_PER_WRITER)
        for w in range(len(writers))
        if r < len(chosen[w])
    ]
    path.write_text("".join(lines))
    return len(lines)


def _write_lines(path: Path, writers: list[tuple[int, str]], targets: list[tuple[int, str]]) -> int:
    """Line n is writer n mod W; each writer's lines go to distinct targets, never to
    their own post."""
    per_writer = LINES_PER_WRITER
    if len(targets) < per_writer:
        raise TargetsError(f"too few targets for {path.name}: {len(targets)}")
    # A second place for a writer's own post, distinct from their other lines' places.
    shifts = (0, per_writer) if len(targets) >= 2 * per_writer else (0,)
    lines = []
    for n in range(len(writers) * per_writer):
        w, r = n % len(writers), n // len(writers)
        user_id, secret = writers[w]
        for place in (w * per_writer + r + shift for shift in shifts):
            author, target = targets[place % len(targets)]
            if author != user_id:
                lines.append(f"{secret} {target}\n")
                break
    path.write_text("".join(lines))
    return len(lines)
