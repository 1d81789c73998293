"""Where the ledger's events come from: the forums (kudos for positive reactions, a
reversal when a reaction was changed to a negative one, accepted answers), moderation
(agreed flags), the ideas (``ledger_ideas``: votes and shipped ideas) and, for the
features still to come (reviews, surveys, referrals, parliament), stand-in awards by
their rules whose subject is the giver's profile (as seed-demo does) until those
features add their own part.

The large dataset's 5,000,000 events (``sizes.LARGE``, seed 1) are made up of
1,877,869 of the forums and moderation (1,804,216 kudos, 65,232 reversals of kudos,
6,702 accepted answers, 1,719 agreed flags), 2,267,136 of the ideas (1,980,000 "idea
upvoted": one per vote but the authors' own; 1,400 "idea shipped", 285,680 "an idea you
voted for shipped" and 56 "challenge won") and, to make up the total, 854,995 stand-ins
shared by ``FUTURE_RULES``: each feature's part shrinks them when it lands."""

from __future__ import annotations

import random

from community.scale.forum_plan import Forums
from community.scale.members import Members
from community.scale.moderation_plan import Moderation
from community.scale.sizes import allocate
from community.scale.timeline import DAY, Timeline
from community.scale.words import PRODUCTS

# Stand-ins for the features to come: (rule, share, voted by a member, in a product).
FUTURE_RULES = (
    ("review_helpful", 0.22, True, True),
    ("review_unhelpful", 0.05, True, True),
    ("survey_completed", 0.10, False, False),
    ("referral_active", 0.05, False, False),
    ("motion_adopted", 0.001, False, False),
)


def future_per_day(count: int, timeline: Timeline) -> list[int]:
    """``count`` spread over the content days, growing towards today."""
    first = timeline.content_start // DAY
    weights = [0.0] * timeline.days
    for day in range(first, timeline.days):
        weights[day] = (day - first + 1) * min(1.0, (timeline.end - day * DAY) / DAY)
    return allocate(count, weights)


# A queued event: (when, order, reason, user, actor, subject type, subject id, category,
# when a reaction changed (-1: never), the event it reverses, points it reverses).
Queued = tuple[int, int, str, int, int | None, str | None, int | None, int, int, int, int]


class EventSources:
    """Events of the forums and moderation, handed out day by day in time order."""

    def __init__(self, forums: Forums, moderation: Moderation, forum_category: list[int]) -> None:
        self.forums = forums
        self.reactions = forums.reactions
        self.answers = forums.answers
        self.agreed = sorted(moderation.agreed)
        self.forum_category = forum_category
        self.positions = [0, 0, 0]
        self.later: dict[int, list[Queued]] = {}
        self.order = 0

    def count(self) -> int:
        kudos = sum(1 for r in self.reactions if r[3] < 3 or r[4] >= 0)
        changed = sum(1 for r in self.reactions if r[4] >= 0)
        return kudos + changed + len(self.answers) + len(self.agreed)

    def next_order(self) -> int:
        """A number for the next event queued: events at the same second keep it."""
        self.order += 1
        return self.order

    def take(self, day: int) -> list[Queued]:
        limit = (day + 1) * DAY
        queued = self.later.pop(day, [])
        forums, category = self.forums, self.forum_category
        i = self.positions[0]
        while i < len(self.reactions) and self.reactions[i][0] < limit:
            when, post, user, kind, changed = self.reactions[i]
            if kind < 3 or changed >= 0:
                author = forums.p_author[post - 1]
                cat = category[forums.category_of_post(post)]
                queued.append(
                    (
                        when,
                        self.next_order(),
                        "post_kudos",
                        author,
                        user,
                        "forum_post",
                        post,
                        cat,
                        changed,
                        0,
                        0,
                    )
                )
            i += 1
        self.positions[0] = i
        j = self.positions[1]
        while j < len(self.answers) and self.answers[j][0] < limit:
            when, answerer, post, asker, _topic = self.answers[j]
            cat = category[forums.category_of_post(post)]
            queued.append(
                (
                    when,
                    self.next_order(),
                    "answer_accepted",
                    answerer,
                    asker,
                    "forum_post",
                    post,
                    cat,
                    -1,
                    0,
                    0,
                )
            )
            j += 1
        self.positions[1] = j
        k = self.positions[2]
        while k < len(self.agreed) and self.agreed[k][0] < limit:
            when, flagger, kind, subject_id = self.agreed[k]
            order = self.next_order()
            queued.append(
                (when, order, "flag_agreed", flagger, None, kind, subject_id, 0, -1, 0, 0)
            )
            k += 1
        self.positions[2] = k
        return queued

    def reversal(self, queued: Queued, event_id: int, points: int) -> Queued:
        """The reversal of a kudos whose reaction was changed to a negative one."""
        return (
            queued[8],
            self.next_order(),
            queued[2],
            queued[3],
            queued[4],
            queued[5],
            queued[6],
            queued[7],
            -1,
            event_id,
            points,
        )


def future_events(
    rng: random.Random, members: Members, timeline: Timeline, day: int, count: int
) -> list[Queued]:
    if not count:
        return []
    start = day * DAY
    length = min(DAY, timeline.end - start)
    cumulative, running = [], 0.0
    for _name, share, _voted, _product in FUTURE_RULES:
        running += share
        cumulative.append(running)
    events = []
    for n in range(count):
        when = start + int(rng.random() * length)
        roll = rng.random() * running
        index = next(i for i, edge in enumerate(cumulative) if roll < edge)
        name, _share, voted, in_product = FUTURE_RULES[index]
        user = members.pick(rng, when)
        actor = members.pick(rng, when, user) if voted else None
        subject = (
            actor if voted else (members.pick(rng, when) if name == "referral_active" else None)
        )
        cat = 1 + int(rng.random() * len(PRODUCTS)) if in_product else 0
        events.append(
            (
                when,
                -count + n,
                name,
                user,
                actor,
                "user_account" if subject else None,
                subject,
                cat,
                -1,
                0,
                0,
            )
        )
    return events
