"""Product ideas: submitted and voted on by members, triaged and shipped by the team.

Counters shown on pages are stored and moved by SQL arithmetic in the transaction that
changes them (``vote_count``, ``weighted_votes``, ``comment_count``, a member's
``open_votes``); ``flask ideas recount`` recomputes every one of them from the rows.
A merge keeps what it moved (``IdeaMerge`` and its rows) so an unmerge restores exactly
the state before.

One module per responsibility: ``ideas`` (the ideas and what hangs off them), ``votes``
(votes, voters, customer values) and ``merges``.
"""

from community.ideas.models.ideas import (
    CLOSED_STATUSES,
    TITLE_MAX,
    Challenge,
    ChallengeWinner,
    FeedbackAnswer,
    Idea,
    IdeaComment,
    IdeaFollow,
    IdeaStatus,
    IdeaStatusChange,
    IdeaTag,
    IdeaTagLink,
    Importance,
    ShipFeedback,
)
from community.ideas.models.merges import (
    IdeaMerge,
    IdeaMergeComment,
    IdeaMergeFollow,
    IdeaMergeVote,
)
from community.ideas.models.votes import CustomerValue, IdeaVote, IdeaVoteDay, IdeaVoter

__all__ = [
    "CLOSED_STATUSES",
    "TITLE_MAX",
    "Challenge",
    "ChallengeWinner",
    "CustomerValue",
    "FeedbackAnswer",
    "Idea",
    "IdeaComment",
    "IdeaFollow",
    "IdeaMerge",
    "IdeaMergeComment",
    "IdeaMergeFollow",
    "IdeaMergeVote",
    "IdeaStatus",
    "IdeaStatusChange",
    "IdeaTag",
    "IdeaTagLink",
    "IdeaVote",
    "IdeaVoteDay",
    "IdeaVoter",
    "Importance",
    "ShipFeedback",
]
