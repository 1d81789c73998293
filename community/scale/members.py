"""Members: the two named staff accounts, everyone else, and the bench writers' tokens.

Ids follow joining order. How active a member is (how often they post, react, receive
votes) is a Zipf-like weight on a random order, so active members are spread over all
ids. One password hash serves every account: argon2 per member would take hours.
"""

from __future__ import annotations

import base64
import hashlib
import random
from bisect import bisect
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from flask import current_app

from community.accounts.models import ApiToken, Role, User
from community.core import content
from community.scale.bulk import Bulk, names
from community.scale.sizes import Scale
from community.scale.timeline import DAY, YOUNGEST_MEMBER, Timeline
from community.scale.words import FIRST_NAMES, LAST_NAMES

PASSWORD = "mitmach-scale"  # noqa: S105 - printed by scale-targets on purpose
ADMIN, TEAM = "scale-admin", "scale-team"
TOKEN_NAME = "scale-bench"  # noqa: S105 - the tokens' label, not a secret
TOKEN_DAYS = 3_650
BIOS = (
    "Customer for years. I print **every** holiday album.",
    "Hobby photographer, mostly landscapes.",
    "Small studio owner; the printer runs all day.",
    "I answer questions about backups when I can.",
    "Family archivist: thirty years of scanned photos.",
)


@dataclass
class Members:
    admin_id: int
    team_id: int
    first_id: int
    last_id: int
    # By user id (index 0 unused): when they joined, in timeline seconds.
    joined: list[int]
    writers: list[int]
    _order: list[int] = field(repr=False)
    _cumulative: list[float] = field(repr=False)

    @property
    def staff(self) -> tuple[int, int]:
        return (self.admin_id, self.team_id)

    @property
    def count(self) -> int:
        return self.last_id - self.first_id + 1

    def pick(self, rng: random.Random, at: int, avoid: int = 0) -> int:
        """An activity-weighted member who had joined by ``at`` (not ``avoid``)."""
        order, cumulative = self._order, self._cumulative
        total = cumulative[-1]
        for _ in range(12):
            user_id = order[bisect(cumulative, rng.random() * total)]
            if self.joined[user_id] <= at and user_id != avoid:
                return user_id
        # The founding members were there first.
        return self.first_id if avoid != self.first_id else self.first_id + 1


def token_secret(seed: int, user_id: int) -> str:
    """The bench token of a member: derived, so scale-targets can print it again."""
    digest = hashlib.sha256(f"mitmach-scale/{seed}/{user_id}".encode()).digest()
    return "mm_" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def plan_members(rng: random.Random, scale: Scale, timeline: Timeline) -> Members:
    """When each member joined and how active they are; the bench's writers are the
    oldest members (the staff accounts are ids 1 and 2)."""
    first, last = 3, scale.members + 2
    latest_join = timeline.end - YOUNGEST_MEMBER
    # More members join as the community grows: density rising towards the end.
    joins = sorted(int(latest_join * rng.random() ** 0.7) for _ in range(scale.members))
    joined = [0, 0, 0, *joins]
    order = list(range(first, last + 1))
    rng.shuffle(order)
    cumulative, total = [], 0.0
    for rank in range(len(order)):
        total += (rank + 20) ** -0.8
        cumulative.append(total)
    writers = list(range(first, first + scale.writers))
    return Members(1, 2, first, last, joined, writers, order, cumulative)


def password_hash(seed: int) -> str:
    """The one hash of PASSWORD every account shares: the app's argon2id settings, with a
    salt from the seed so that the same seed gives the same rows."""
    config = current_app.config
    hasher = PasswordHasher(
        time_cost=config["PASSWORD_TIME_COST"],
        memory_cost=config["PASSWORD_MEMORY_COST"],
        parallelism=1,
    )
    salt = hashlib.sha256(f"mitmach-scale-salt/{seed}".encode()).digest()[:16]
    return hasher.hash(PASSWORD, salt=salt)


def username_of(user_id: int) -> str:
    return f"{FIRST_NAMES[user_id % len(FIRST_NAMES)]}{user_id}"


def write_members(
    bulk: Bulk, rng: random.Random, members: Members, timeline: Timeline, seed: int
) -> int:
    """Every account, with the one shared password hash, confirmed when they joined;
    reputation and penalties are set at the end. Then the bench writers' tokens."""
    shared_hash = password_hash(seed)
    bios = [(source, content.render(source).html) for source in BIOS]
    stamp = timeline.stamp

    def rows():
        for user_id, username, role, name in (
            (members.admin_id, ADMIN, Role.ADMIN, "Scale Admin"),
            (members.team_id, TEAM, Role.TEAM, "Scale Team"),
        ):
            when = stamp(0)
            email = f"{username}@example.com"
            yield (
                user_id,
                username,
                username,
                email,
                when,
                when,
                shared_hash,
                name,
                "",
                "",
                role.value,
            )
        for user_id in range(members.first_id, members.last_id + 1):
            username = username_of(user_id)
            when = stamp(members.joined[user_id])
            name = ""
            if rng.random() < 0.6:
                first = FIRST_NAMES[user_id % len(FIRST_NAMES)].capitalize()
                name = f"{first} {LAST_NAMES[rng.randrange(len(LAST_NAMES))]}"
            bio = bios[rng.randrange(len(bios))] if rng.random() < 0.15 else ("", "")
            yield (
                user_id,
                username,
                username,
                f"{username}@example.com",
                when,
                when,
                shared_hash,
                name,
                bio[0],
                bio[1],
                Role.MEMBER.value,
            )

    columns = names(
        "id username username_key email created_at email_confirmed_at password_hash display_name "
        "bio_source bio_html role"
    )
    count = bulk.insert(User, columns, rows())
    return count + _write_tokens(bulk, members, timeline, seed)


def _write_tokens(bulk: Bulk, members: Members, timeline: Timeline, seed: int) -> int:
    created = timeline.end - DAY
    expires = timeline.stamp(created + TOKEN_DAYS * DAY)

    def rows():
        for token_id, user_id in enumerate(members.writers, start=1):
            secret = token_secret(seed, user_id)
            digest = hashlib.sha256(secret.encode()).hexdigest()
            yield (
                token_id,
                user_id,
                TOKEN_NAME,
                digest,
                secret[:10],
                timeline.stamp(created),
                expires,
            )

    columns = ["id", "user_id", "name", "token_hash", "prefix", "created_at", "expires_at"]
    return bulk.insert(ApiToken, columns, rows())
