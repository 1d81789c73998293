"""The ideas portal's rows from the plan (``ideas``), every stored counter as ``ideas
recount`` computes it: an idea's votes, importance-weighted votes, value score, visible
comments, votes per day and trending score, a tag's visible ideas, a member's open votes
and vote weight. Voters, authors and commenters follow their ideas (a few unfollowed); a
merge keeps what it moved, as ``services.merging`` does. Each idea has its search entry
(merged ones hidden)."""

from __future__ import annotations

import random
from collections import Counter

from community.catalog.models import Product
from community.core.plain_text import slugify
from community.core.search import SearchEntry
from community.ideas.models import (
    Challenge,
    ChallengeWinner,
    CustomerValue,
    FeedbackAnswer,
    Idea,
    IdeaComment,
    IdeaFollow,
    IdeaMerge,
    IdeaMergeComment,
    IdeaMergeFollow,
    IdeaMergeVote,
    IdeaStatusChange,
    IdeaTag,
    IdeaTagLink,
    IdeaVote,
    IdeaVoteDay,
    IdeaVoter,
    ShipFeedback,
)
from community.ideas.services import common
from community.ideas.services.vote_counts import DEFAULT_WEIGHT
from community.scale.bulk import Bulk, names
from community.scale.idea_extras import IdeaExtras
from community.scale.ideas import DECLINED, MERGED, SHIPPED, Ideas
from community.scale.members import Members
from community.scale.timeline import DAY, Timeline
from community.scale.words import TAGS, Texts, html_of, markdown_of, plain_of

NOTES = {
    "under_review": ("We are looking into this.", "Thanks, the team is discussing it."),
    "planned": ("Planned for one of the next releases.", "On the roadmap for this quarter."),
    "in_progress": ("The team has started on this.",),
    "shipped": ("Available in the latest update.", "Shipped: thank you for your votes."),
    "declined": (
        "This does not fit where the product is going.",
        "We looked into it: the cost is too high for what it brings.",
        "A setting covers this already; see the help pages.",
    ),
}
NOTE_SHARE = 0.5  # of changes other than declining (which needs a reason)
ADMIN_SHARE = 0.2  # of the team's actions, by the admin
UNFOLLOWED = 50  # one follow in this many is an unfollow on record


def write_ideas(
    bulk: Bulk,
    rng: random.Random,
    ideas: Ideas,
    extras: IdeaExtras,
    members: Members,
    texts: Texts,
    timeline: Timeline,
) -> int:
    """Every ideas row (and the products not there yet); returns how many."""
    count = _products(bulk, ideas, timeline)
    count += _tags(bulk, ideas)
    count += _challenges(bulk, extras, members, timeline)
    count += _ideas(bulk, rng, ideas, extras, texts, timeline)
    count += bulk.insert(
        ChallengeWinner,
        names("challenge_id idea_id place created_at"),
        [(c, i, place, timeline.stamp(when)) for c, i, place, when in extras.winners],
    )
    count += bulk.insert(
        IdeaTagLink,
        ["idea_id", "tag_id"],
        [(i, tag + 1) for i, tags in enumerate(ideas.tags, start=1) for tag in tags],
    )
    count += _votes(bulk, ideas, members, timeline)
    count += _comments(bulk, rng, ideas, texts, timeline)
    count += _changes(bulk, rng, ideas, members, timeline)
    count += _follows(bulk, ideas, timeline)
    weights = extras.weights()
    count += bulk.insert(
        IdeaVoter,
        ["user_id", "open_votes", "value"],
        [
            (user, n, weights.get(user, DEFAULT_WEIGHT))
            for user, n in enumerate(ideas.open_votes)
            if n is not None
        ],
    )
    count += bulk.insert(
        ShipFeedback,
        names("idea_id user_id answer created_at"),
        [(i, user, answer, timeline.stamp(when)) for i, user, answer, when in extras.feedback],
    )
    end, team = timeline.stamp(timeline.end - 1), members.team_id
    count += bulk.insert(
        CustomerValue,
        names("user_id value segment updated_at updated_by_id"),
        [(user, value, segment, end, team) for user, value, segment in extras.values],
    )
    return count


def _products(bulk: Bulk, ideas: Ideas, timeline: Timeline) -> int:
    """The products after those already written (the forums write the first four)."""
    present = bulk.scalar(f"SELECT coalesce(max(id), 0) FROM {Product.__tablename__}")  # noqa: S608
    rows = [
        (product_id, slugify(name), name, d, f"<p>{d}</p>\n", group, timeline.stamp(0))
        for product_id, (name, group, d) in enumerate(ideas.products, start=1)
        if product_id > present
    ]
    columns = names("id slug name description_source description_html category created_at")
    return bulk.insert(Product, columns, rows)


def _tags(bulk: Bulk, ideas: Ideas) -> int:
    counts = Counter(tag for tags in ideas.tags for tag in tags)  # no idea is hidden
    rows = [(i + 1, name, counts[i]) for i, name in enumerate(TAGS)]
    return bulk.insert(IdeaTag, ["id", "name", "idea_count"], rows)


def _challenges(bulk: Bulk, extras: IdeaExtras, members: Members, timeline: Timeline) -> int:
    """The challenges with their idea counts (ideas hidden or merged included)."""
    stamp = timeline.stamp
    submitted = Counter(extras.challenge_of.values())
    rows = []
    for challenge_id, c in enumerate(extras.challenges, start=1):
        slug = f"{slugify(c.title, 50) or 'challenge'}-{challenge_id}"
        created = max(0, c.starts - 7 * DAY)
        html = common.render(c.body).html
        rows.append(
            (challenge_id, slug, c.title, c.body, html, c.product, stamp(c.starts))
            + (stamp(c.ends), stamp(c.decided), members.team_id, stamp(created))
            + (submitted[challenge_id],)
        )
    columns = names(
        "id slug title body_source body_html product_id starts_at ends_at decided_at "
        "created_by_id created_at idea_count"
    )
    return bulk.insert(Challenge, columns, rows)


def _ideas(
    bulk: Bulk,
    rng: random.Random,
    ideas: Ideas,
    extras: IdeaExtras,
    texts: Texts,
    timeline: Timeline,
) -> int:
    """Idea rows with their counters, then their search entries (ids after the others)."""
    stamp = timeline.stamp
    comments = Counter(ideas.c_idea)
    weights = extras.weights()
    rows, entries = [], []
    first_entry = bulk.scalar(f"SELECT coalesce(max(id), 0) FROM {SearchEntry.__tablename__}")  # noqa: S608
    for index in range(ideas.count):
        idea_id = index + 1
        paragraphs = texts.paragraphs(rng)
        changes = ideas.changes[index]
        shipped = next((when for when, _old, new in changes if new == SHIPPED), None)
        votes = len(ideas.v_user[index])
        merge = ideas.merges[ideas.merged_into[idea_id]] if idea_id in ideas.merged_into else None
        created, title = ideas.created[index], ideas.title[index]
        answers = extras.answers.get(idea_id, {})
        rows.append(
            (
                idea_id,
                ideas.product[index],
                extras.challenge_of.get(idea_id),
                ideas.author[index],
                title,
                slugify(title) or "idea",
                markdown_of(paragraphs),
                html_of(paragraphs),
                ideas.status[index],
                stamp(changes[-1][0]) if changes else None,
                stamp(shipped),
                merge.target if merge is not None else None,
                ideas.pinned.get(idea_id),
                stamp(created),
                votes,
                sum(ideas.v_importance[index]),
                sum(
                    importance * weights.get(user, DEFAULT_WEIGHT)
                    for user, importance in zip(
                        ideas.v_user[index], ideas.v_importance[index], strict=True
                    )
                ),
                comments[idea_id],
                common.hot_score(votes, timeline.datetime(created)),
                stamp(extras.asked.get(idea_id)),
                *(answers.get(answer.value, 0) for answer in FeedbackAnswer),
            )
        )
        entry = (common.IDEA_KIND, idea_id, None, merge is not None, title, plain_of(paragraphs))
        entries.append((first_entry + idea_id, *entry, stamp(created)))
    columns = names(
        "id product_id challenge_id author_id title slug body_source body_html status "
        "status_changed_at shipped_at merged_into_id pinned_comment_id created_at vote_count "
        "weighted_votes value_score comment_count hot feedback_asked_at feedback_yes "
        "feedback_partly feedback_no"
    )
    count = bulk.insert(Idea, columns, rows)
    search_columns = names("id kind subject_id scope is_hidden title body created_at")
    return count + bulk.insert(SearchEntry, search_columns, entries)


def _votes(bulk: Bulk, ideas: Ideas, members: Members, timeline: Timeline) -> int:
    """Votes in key order (idea, member), then what each merge kept."""
    stamp, team = timeline.stamp, members.team_id

    def rows():
        for index in range(ideas.count):
            votes = zip(
                ideas.v_user[index],
                ideas.v_importance[index],
                ideas.v_proxy[index],
                ideas.v_time[index],
                strict=True,
            )
            for user, importance, proxy, when in sorted(votes):
                yield (index + 1, user, importance, team if proxy else None, stamp(when))

    count = bulk.insert(
        IdeaVote, names("idea_id user_id importance proxy_by_id created_at"), rows()
    )
    days = Counter(
        (index + 1, stamp(when)[:10])
        for index in range(ideas.count)
        for when in ideas.v_time[index]
    )
    count += bulk.insert(
        IdeaVoteDay, ["idea_id", "day", "votes"], [(*key, n) for key, n in sorted(days.items())]
    )
    count += bulk.insert(
        IdeaMerge,
        names("id source_id target_id source_status actor_id created_at"),
        [
            (merge_id, m.source, m.target, m.source_status, team, stamp(m.when))
            for merge_id, m in enumerate(ideas.merges, start=1)
        ],
    )
    return count + bulk.insert(
        IdeaMergeVote,
        names("merge_id user_id importance proxy_by_id created_at moved"),
        [
            (merge_id, user, importance, team if proxy else None, stamp(when), moved)
            for merge_id, merge in enumerate(ideas.merges, start=1)
            for user, importance, proxy, when, moved in sorted(merge.votes)
        ],
    )


def _comments(
    bulk: Bulk, rng: random.Random, ideas: Ideas, texts: Texts, timeline: Timeline
) -> int:
    stamp = timeline.stamp

    def rows():
        for index in range(len(ideas.c_idea)):
            paragraphs = texts.paragraphs(rng)
            yield (
                index + 1,
                ideas.c_idea[index],
                ideas.c_author[index],
                markdown_of(paragraphs),
                html_of(paragraphs),
                ideas.c_official[index],
                stamp(ideas.c_time[index]),
            )

    columns = names("id idea_id author_id body_source body_html is_official created_at")
    count = bulk.insert(IdeaComment, columns, rows())
    merge_ids = {m.source: merge_id for merge_id, m in enumerate(ideas.merges, start=1)}
    pairs = zip(ideas.c_origin, ideas.c_idea, strict=True)
    moved = [
        (merge_ids[origin], comment_id)
        for comment_id, (origin, final) in enumerate(pairs, start=1)
        if origin != final
    ]
    return count + bulk.insert(IdeaMergeComment, ["merge_id", "comment_id"], sorted(moved))


def _changes(
    bulk: Bulk, rng: random.Random, ideas: Ideas, members: Members, timeline: Timeline
) -> int:
    """Status changes in time order across ideas, by the team, with their notes."""
    rendered: dict[str, str] = {"": ""}
    changes = sorted(
        (when, idea_id, old, new)
        for idea_id, steps in enumerate(ideas.changes, start=1)
        for when, old, new in steps
    )
    rows = []
    for change_id, (when, idea_id, old, new) in enumerate(changes, start=1):
        if new == MERGED:
            note = f"#{ideas.merges[ideas.merged_into[idea_id]].target}"
            actor = members.team_id
        else:
            wanted = new == DECLINED or rng.random() < NOTE_SHARE
            note = rng.choice(NOTES[new]) if wanted else ""
            actor = members.admin_id if rng.random() < ADMIN_SHARE else members.team_id
        if note not in rendered:
            rendered[note] = common.render(note).html
        rows.append(
            (change_id, idea_id, old, new, note, rendered[note], actor, timeline.stamp(when))
        )
    columns = names("id idea_id from_status to_status note_source note_html actor_id created_at")
    return bulk.insert(IdeaStatusChange, columns, rows)


def _follows(bulk: Bulk, ideas: Ideas, timeline: Timeline) -> int:
    """The author, voters and commenters follow an idea from their first part in it; a
    merge moves the duplicate's followers to the target (those not following it by then)
    and keeps the list."""
    commenters: dict[int, list[tuple[int, int]]] = {}
    for origin, user, when in zip(ideas.c_origin, ideas.c_author, ideas.c_time, strict=True):
        commenters.setdefault(origin, []).append((when, user))
    kept: list[tuple[int, int, bool, bool]] = []
    stamp = timeline.stamp

    def rows():
        for idea_id in range(1, ideas.count + 1):
            if idea_id in ideas.merged_into:
                continue  # a duplicate's followers went to its target
            merge = ideas.merges[ideas.received[idea_id]] if idea_id in ideas.received else None
            follows = _own_follows(ideas, idea_id, commenters)
            if merge is not None:
                merge_id = ideas.received[idea_id] + 1
                for user, (_when, following) in sorted(
                    _own_follows(ideas, merge.source, commenters).items()
                ):
                    moved = user not in follows or follows[user][0] >= merge.when
                    if moved:
                        follows[user] = (merge.when, following)
                    kept.append((merge_id, user, following, moved))
            for user, (when, following) in sorted(follows.items()):
                yield (idea_id, user, following, stamp(when))

    columns = names("idea_id user_id following created_at")
    count = bulk.insert(IdeaFollow, columns, rows())
    columns = names("merge_id user_id following moved")
    return count + bulk.insert(IdeaMergeFollow, columns, sorted(kept))


def _own_follows(
    ideas: Ideas, idea_id: int, commenters: dict[int, list[tuple[int, int]]]
) -> dict[int, tuple[int, bool]]:
    """{member: (since, following)} from the idea's own author, votes and comments (not
    the votes a merge moved to it)."""
    index = idea_id - 1
    first: dict[int, int] = {ideas.author[index]: ideas.created[index]}
    for when, user in [*ideas.votes_cast_on(idea_id), *commenters.get(idea_id, ())]:
        if when < first.get(user, when + 1):
            first[user] = when
    return {user: (when, _following(user, idea_id)) for user, when in first.items()}


def _following(user: int, idea_id: int) -> bool:
    """Whether the member still follows (a few unfollowed): fixed by the pair, so a
    duplicate's list reads the same wherever it is computed."""
    return (user * 7_919 + idea_id * 104_729) % UNFOLLOWED != 0


__all__ = ["write_ideas"]
