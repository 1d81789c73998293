"""The ideas' reputation events, derived from the plan (``ideas``) as the services record
them, handed to the ledger day by day in time order:

- "idea upvoted" (``ideas.services.voting.vote``): each vote by another member earns the
  idea's author the rule's points (capped: the ledger applies the daily cap), the voter
  the actor, the idea the subject, its product the category, at the vote's time. The
  author's own vote earns nothing. A proxy vote earns it too: the service records it
  with the member as actor, like the member's own vote.
- shipping (``ideas.services.statuses``): the author earns "idea shipped", and every other
  member with a vote on the idea then (proxy votes included) "an idea you voted for
  shipped", by member id; no actor, the idea the subject, its product the category, at
  the status change's time. Moving an idea back from shipped would reverse both: the plan
  never does, and ``IdeaEvents`` refuses a plan that would.
- challenges (``ideas.services.challenges.pick_winners``): each winning idea's author
  earns "challenge won" when the challenge was decided, in its places' order; no actor,
  the idea the subject, its product the category (``idea_extras`` plans the winners).
- merges (``ideas.services.merging``): reputation earned by votes stays with the idea it
  was earned on, so a duplicate's votes earned on the duplicate and the votes a merge
  moved to the target earn nothing there (they count as its voters when it ships).

Seeded members are never erased (the service leaves erased voters out when shipping).
"""

from __future__ import annotations

from collections.abc import Callable

from community.ideas.services.challenges import WON
from community.ideas.services.common import IDEA_KIND
from community.ideas.services.statuses import SHIPPED_AUTHOR, SHIPPED_VOTER
from community.ideas.services.voting import UPVOTED
from community.scale.idea_extras import IdeaExtras
from community.scale.ideas import SHIPPED, Ideas
from community.scale.ledger_sources import Queued
from community.scale.timeline import DAY

# A vote is one int, (when, idea id, voter) in bit fields: 2,000,000 of them sort and
# sit in memory as plain ints.
_BITS = 24
_MASK = (1 << _BITS) - 1
# A queued event's last fields: its reaction never changed, it reverses nothing.
_NO_REVERSAL = (-1, 0, 0)


class IdeaEvents:
    """The ideas' events (see the module docstring), taken day by day."""

    def __init__(self, ideas: Ideas, extras: IdeaExtras) -> None:
        self.ideas = ideas
        self.votes = upvotes(ideas)
        self.shipped = shipped(ideas)
        self.won = sorted((when, place, idea) for _c, idea, place, when in extras.winners)
        self.positions = [0, 0, 0]

    def count(self) -> int:
        """How many events there are in all."""
        shipping = sum(1 + len(voters) for _when, _idea, voters in self.shipped)
        return len(self.votes) + shipping + len(self.won)

    def take(self, day: int, order: Callable[[], int]) -> list[Queued]:
        """The events of ``day``; ``order`` numbers each (ties in time keep that order)."""
        return self._upvoted(day, order) + self._shipping(day, order) + self._won(day, order)

    def _upvoted(self, day: int, order: Callable[[], int]) -> list[Queued]:
        """The "idea upvoted" events of ``day``."""
        limit = (day + 1) * DAY << 2 * _BITS  # the first packed vote of the next day
        votes, author, product = self.votes, self.ideas.author, self.ideas.product
        queued: list[Queued] = []
        i = self.positions[0]
        while i < len(votes) and votes[i] < limit:
            when, idea_id, voter = unpack(votes[i])
            index = idea_id - 1
            queued.append(
                (when, order(), UPVOTED, author[index], voter, IDEA_KIND, idea_id, product[index])
                + _NO_REVERSAL
            )
            i += 1
        self.positions[0] = i
        return queued

    def _shipping(self, day: int, order: Callable[[], int]) -> list[Queued]:
        """The author's award, then each voter's, of each idea shipped on ``day``."""
        limit = (day + 1) * DAY
        ideas = self.ideas
        queued: list[Queued] = []
        k = self.positions[1]
        while k < len(self.shipped) and self.shipped[k][0] < limit:
            when, idea_id, voters = self.shipped[k]
            awards = [(ideas.author[idea_id - 1], SHIPPED_AUTHOR)]
            awards += [(voter, SHIPPED_VOTER) for voter in voters]
            product = ideas.product[idea_id - 1]
            for user, reason in awards:
                queued.append(
                    (when, order(), reason, user, None, IDEA_KIND, idea_id, product) + _NO_REVERSAL
                )
            k += 1
        self.positions[1] = k
        return queued

    def _won(self, day: int, order: Callable[[], int]) -> list[Queued]:
        """The "challenge won" awards of challenges decided on ``day``."""
        limit = (day + 1) * DAY
        author, product = self.ideas.author, self.ideas.product
        queued: list[Queued] = []
        k = self.positions[2]
        while k < len(self.won) and self.won[k][0] < limit:
            when, _place, idea_id = self.won[k]
            queued.append(
                (when, order(), WON, author[idea_id - 1], None, IDEA_KIND, idea_id)
                + (product[idea_id - 1],)
                + _NO_REVERSAL
            )
            k += 1
        self.positions[2] = k
        return queued


def upvotes(ideas: Ideas) -> list[int]:
    """Every vote that earned "idea upvoted", packed (when, idea id, voter) and sorted:
    the votes cast on each idea (a merge's moved ones on the duplicate) but the
    author's own."""
    packed = []
    for idea_id in range(1, ideas.count + 1):
        author = ideas.author[idea_id - 1]
        packed += [
            (when << 2 * _BITS) | (idea_id << _BITS) | user
            for when, user in ideas.votes_cast_on(idea_id)
            if user != author
        ]
    packed.sort()
    return packed


def unpack(key: int) -> tuple[int, int, int]:
    """(when, idea id, voter) of a packed vote."""
    return key >> 2 * _BITS, (key >> _BITS) & _MASK, key & _MASK


def shipped(ideas: Ideas) -> list[tuple[int, int, list[int]]]:
    """(when, idea id, voters by id) of every time an idea shipped, by time: the members
    other than the author with a vote on it then."""
    ships = []
    for idea_id, changes in enumerate(ideas.changes, start=1):
        for when, old, new in changes:
            if old == SHIPPED:
                raise ValueError(f"idea {idea_id} leaves shipped: its awards are not reversed")
            if new == SHIPPED:
                ships.append((when, idea_id, voters_at(ideas, idea_id, when)))
    ships.sort()
    return ships


def voters_at(ideas: Ideas, idea_id: int, at: int) -> list[int]:
    """The members other than the author with a vote on the idea at ``at``, by id: those
    cast on it before, and those a merge moved to it before."""
    voters = {user for when, user in ideas.votes_cast_on(idea_id) if when < at}
    if idea_id in ideas.received:
        merge = ideas.merges[ideas.received[idea_id]]
        if merge.when < at:
            voters.update(user for user, _i, _p, _w, moved in merge.votes if moved)
    voters.discard(ideas.author[idea_id - 1])
    return sorted(voters)


__all__ = ["IdeaEvents", "shipped", "unpack", "upvotes", "voters_at"]
