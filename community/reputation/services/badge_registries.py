"""Badges in the registries: the member's awards in their data export, and badge
notifications leading to the badge's page."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import select

from community.accounts import services as accounts
from community.accounts.models import User
from community.core import subjects
from community.extensions import db
from community.reputation.models import BadgeAward


def export(user: User) -> dict[str, Any]:
    """The member's badge awards (revoked ones too) and title, for their data export."""
    rows = db.session.scalars(
        select(BadgeAward).where(BadgeAward.user_id == user.id).order_by(BadgeAward.id)
    )
    return {
        "title": user.title_badge,
        "awards": [
            {
                "badge": a.badge_key,
                "awarded_at": a.awarded_at.isoformat(),
                "automatic": a.is_automatic,
                "reason": a.reason,
                "revoked_at": a.revoked_at.isoformat() if a.revoked_at else None,
                "revoke_reason": a.revoke_reason,
            }
            for a in rows
        ],
    }


def _award_urls(award_ids: set[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(BadgeAward.id, BadgeAward.badge_key).where(BadgeAward.id.in_(award_ids))
    )
    return {award_id: url_for("reputation.badge", key=key) for award_id, key in rows}


# A badge notification leads to the badge's page. Erasure deletes nothing here: an
# anonymised account keeps its badges, so the holder counts stay right.
subjects.register("badge_award", urls=_award_urls)
accounts.register_exporter("badges", export)
