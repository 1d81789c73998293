"""Purge a spammer in one action: suspend them, take back every vote and reaction they
cast, and hide everything they wrote.

Each part goes through its owner's own service, so every counter moves the way it
always does: the suspension is a penalty (``penalties.suspend_member``); votes go back
through the vote reversers features and the reputation ledger register with accounts
(``reverse_votes_of``: the reputation each vote gave is reversed, the forums remove the
reactions with their counts); hiding goes through each registered target's
``hide_all_by`` (moderation.targets). Nothing is deleted: the team can restore items.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from community.accounts.models import User
from community.accounts.services.lifecycle import reverse_votes_of
from community.core.errors import PermissionDenied
from community.moderation import policy, targets
from community.moderation.services import audit
from community.moderation.services.penalties import check_reason, suspend_member

PURGE_DAYS = 3650


@dataclass
class PurgeReport:
    """What one purge did."""

    penalty_id: int
    votes_reversed: int = 0
    # kind -> how many items were hidden
    hidden: dict[str, int] = field(default_factory=dict)

    @property
    def total_hidden(self) -> int:
        return sum(self.hidden.values())


def purge(actor: User, user: User, reason: str, days: int = PURGE_DAYS) -> PurgeReport:
    """Suspend the member (10 years unless told otherwise), reverse every vote and
    reaction they cast with the reputation it gave, and hide everything they wrote in
    every registered kind (team; never against the team; audited "member.purge" with the
    numbers). Counters end exactly as a recount would make them."""
    if not policy.can_penalize(actor, user):
        raise PermissionDenied(_("You cannot purge this member."))
    reason = check_reason(reason)
    penalty = suspend_member(actor, user, reason, days=days)
    report = PurgeReport(penalty_id=penalty.id)
    report.votes_reversed = reverse_votes_of(user)
    for kind, target in targets.kinds().items():  # in the order features registered
        hidden = target.hide_all_by(actor, user, reason)
        if hidden:
            report.hidden[kind] = hidden
    audit(
        actor,
        "member.purge",
        user,
        {
            "reason": reason,
            "penalty_id": penalty.id,
            "votes_reversed": report.votes_reversed,
            "hidden": report.hidden,
        },
    )
    return report
