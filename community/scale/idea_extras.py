"""What the ideas portal holds beside ideas, votes and comments, planned from the ideas
plan (``ideas``): challenges with the ideas submitted into them and their winners, the
answers to "Did this solve it for you?" on shipped ideas, the customer values the team
set, and the "first idea" badge of every author.

- Challenges (``ideas.services.challenges``): spread over the content days, a few weeks
  each (the newest may still run), some about one product. An idea created in a
  challenge's window (for its product, if it has one) was submitted into it now and
  then; ``idea_count`` counts them. Most ended challenges are decided: their ideas with
  the most votes (merged ones aside) win, and each winning author earns "challenge won"
  (``ledger_ideas``) and the rule's badge.

- Feedback (``ideas.services.feedback``): an idea shipped at least ``ASK_AFTER`` before
  the end was asked then (``feedback_asked_at``); some of its voters (the author
  aside) answered within two weeks. Its stored counts are the answers, as ``ideas
  recount`` computes them.
- Customer values (``ideas.services.customer_values``): a share of the members has a value and
  a segment, set by the team.
- ``first_idea`` (``ideas.services.submitting``): each author's, when their first idea was
  submitted.

Planned with their own random stream, so the ideas plan before them stays the same.
"""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass, field

from community.ideas.models import FeedbackAnswer
from community.ideas.services.feedback import ASK_AFTER
from community.scale.ideas import MERGED, SHIPPED, Ideas
from community.scale.members import Members
from community.scale.timeline import DAY

ANSWER_SHARE = 0.35  # of an asked idea's voters
ANSWERS = (
    (FeedbackAnswer.YES.value, 0.6),
    (FeedbackAnswer.PARTLY.value, 0.25),
    (FeedbackAnswer.NO.value, 0.15),
)
ANSWER_WINDOW = 14 * DAY
VALUED_SHARE = 0.05  # of the members
# (segment, share of valued members, lowest value, highest value)
SEGMENTS = (
    ("Free", 0.45, 0, 0),
    ("Plus", 0.35, 60, 120),
    ("Business", 0.15, 1_000, 5_000),
    ("Enterprise", 0.05, 20_000, 100_000),
)
FIRST_IDEA = "first_idea"
CHALLENGE_DAYS = (21, 60)  # shortest and longest window
DECIDED_SHARE = 0.9  # of ended challenges
SUBMITTED_SHARE = {True: 0.6, False: 0.3}  # of ideas in a window: about its product or not
PRODUCT_SHARE = 0.6  # of challenges: about one product
WINNERS = (1, 3)
CHALLENGE_TITLES = (
    ("What would make the {p} better for you?", "Tell us what you miss in the {p}."),
    ("Ideas for the next {p}", "We are planning the next version of the {p}: what should it do?"),
    ("Your photos, your way", "How would you like to sort, share and print your photos?"),
    ("Printing made easy", "What gets in the way when you print your photos?"),
)


@dataclass(frozen=True)
class PlannedChallenge:
    title: str
    body: str
    product: int | None
    starts: int
    ends: int
    decided: int | None


@dataclass
class IdeaExtras:
    challenges: list[PlannedChallenge] = field(default_factory=list)  # by id - 1
    challenge_of: dict[int, int] = field(default_factory=dict)  # idea id -> challenge id
    # (challenge id, idea id, place, when decided), by challenge and place.
    winners: list[tuple[int, int, int, int]] = field(default_factory=list)
    asked: dict[int, int] = field(default_factory=dict)  # idea id -> when asked
    # (idea id, member, answer, when), in key order.
    feedback: list[tuple[int, int, str, int]] = field(default_factory=list)
    # (member, value, segment), by member.
    values: list[tuple[int, int, str]] = field(default_factory=list)
    # idea id -> {answer: how many}: the stored counts.
    answers: dict[int, dict[str, int]] = field(default_factory=dict)

    def weights(self) -> dict[int, int]:
        """Member -> the weight of their votes (their customer value), for those with one."""
        return {member: value for member, value, _segment in self.values}


def plan_extras(
    rng: random.Random, ideas: Ideas, members: Members, start: int, end: int, challenges: int
) -> IdeaExtras:
    """Challenges, feedback on shipped ideas and the members' customer values."""
    extras = IdeaExtras()
    _plan_challenges(rng, ideas, start, end, challenges, extras)
    _plan_feedback(rng, ideas, end, extras)
    _plan_values(rng, members, extras)
    return extras


def _plan_challenges(
    rng: random.Random, ideas: Ideas, start: int, end: int, count: int, extras: IdeaExtras
) -> None:
    popular = max(1, min(20, len(ideas.products)))
    for number in range(count):
        starts = start + int((end - start) * (number + 0.5 * rng.random()) / count)
        days = CHALLENGE_DAYS[0] + rng.random() * (CHALLENGE_DAYS[1] - CHALLENGE_DAYS[0])
        ends = starts + int(days * DAY)
        decided = ends + DAY + int(rng.random() * 6 * DAY)
        if decided >= end or rng.random() >= DECIDED_SHARE:
            decided = None
        product = 1 + int(rng.random() * popular) if rng.random() < PRODUCT_SHARE else None
        patterns = CHALLENGE_TITLES[:2] if product is not None else CHALLENGE_TITLES[2:]
        title, body = rng.choice(patterns)
        name = ideas.products[product - 1][0] if product is not None else ""
        challenge_id = len(extras.challenges) + 1
        submitted = []
        first, last = bisect(ideas.created, starts), bisect(ideas.created, ends)
        for index in range(first, last):
            idea_id = index + 1
            if idea_id in extras.challenge_of:
                continue
            if product is not None and ideas.product[index] != product:
                continue
            if rng.random() < SUBMITTED_SHARE[product is not None]:
                extras.challenge_of[idea_id] = challenge_id
                submitted.append(idea_id)
        eligible = [i for i in submitted if ideas.status[i - 1] != MERGED]
        if not eligible:
            decided = None  # winners are picked among its ideas: one at least
        extras.challenges.append(
            PlannedChallenge(
                title.format(p=name), body.format(p=name), product, starts, ends, decided
            )
        )
        if decided is None:
            continue
        eligible.sort(key=lambda i: (-len(ideas.v_user[i - 1]), i))
        places = WINNERS[0] + int(rng.random() * (WINNERS[1] - WINNERS[0] + 1))
        for place, idea_id in enumerate(eligible[:places], start=1):
            extras.winners.append((challenge_id, idea_id, place, decided))


def _plan_feedback(rng: random.Random, ideas: Ideas, end: int, extras: IdeaExtras) -> None:
    ask_after = int(ASK_AFTER.total_seconds())
    cumulative = [sum(share for _a, share in ANSWERS[: i + 1]) for i in range(len(ANSWERS))]
    for idea_id in range(1, ideas.count + 1):
        index = idea_id - 1
        if ideas.status[index] != SHIPPED:
            continue
        shipped = next(when for when, _old, new in ideas.changes[index] if new == SHIPPED)
        asked = shipped + ask_after
        if asked >= end:
            continue
        extras.asked[idea_id] = asked
        author = ideas.author[index]
        for user in sorted(set(ideas.v_user[index]) - {author}):
            if rng.random() >= ANSWER_SHARE:
                continue
            answer = ANSWERS[bisect(cumulative, rng.random() * cumulative[-1])][0]
            when = asked + 1 + int(rng.random() * min(ANSWER_WINDOW, end - asked - 1))
            extras.feedback.append((idea_id, user, answer, when))
            counts = extras.answers.setdefault(idea_id, {})
            counts[answer] = counts.get(answer, 0) + 1


def _plan_values(rng: random.Random, members: Members, extras: IdeaExtras) -> None:
    cumulative = [sum(s[1] for s in SEGMENTS[: i + 1]) for i in range(len(SEGMENTS))]
    for user in range(members.first_id, members.last_id + 1):
        if rng.random() >= VALUED_SHARE:
            continue
        segment, _share, low, high = SEGMENTS[bisect(cumulative, rng.random() * cumulative[-1])]
        extras.values.append((user, low + int(rng.random() * (high - low + 1)), segment))


def first_idea_awards(ideas: Ideas) -> list[tuple[int, int, str]]:
    """(when, author, "first_idea") for each author's first idea (ids are in creation
    order)."""
    seen: set[int] = set()
    awards = []
    for index, author in enumerate(ideas.author):
        if author not in seen:
            seen.add(author)
            awards.append((ideas.created[index], author, FIRST_IDEA))
    return awards


__all__ = ["IdeaExtras", "first_idea_awards", "plan_extras"]
