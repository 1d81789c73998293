"""Branding: what the site is called and how it looks."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import g
from flask_babel import gettext as _
from sqlalchemy import select

from community.accounts.models import User
from community.core.errors import InvalidInput, PermissionDenied
from community.extensions import db
from community.moderation.services import audit
from community.site import policy
from community.site.models import SiteSettings

COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
# Buttons print white text on the primary colour: WCAG AA asks 4.5:1 for normal text.
MIN_CONTRAST = 4.5


def contrast_with_white(color: str) -> float:
    """The WCAG contrast ratio of white on ``color`` (#rrggbb)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


@dataclass(frozen=True)
class Branding:
    name: str
    tagline: str
    primary_color: str


DEFAULT_BRANDING = Branding(name="Mitmach", tagline="", primary_color="#2f6f73")


def branding() -> Branding:
    """The site's branding (defaults until an admin sets it), read once per request."""
    if "branding" not in g:
        row = db.session.scalar(select(SiteSettings).where(SiteSettings.id == 1))
        g.branding = Branding(row.name, row.tagline, row.primary_color) if row else DEFAULT_BRANDING
    return g.branding


def update_branding(actor: User, name: str, tagline: str, primary_color: str) -> Branding:
    """Change name, tagline and colour (audited)."""
    if not policy.can_edit_branding(actor):
        raise PermissionDenied(_("Only administrators can change the branding."))
    name, tagline, primary_color = name.strip(), tagline.strip(), primary_color.strip()
    if not 1 <= len(name) <= 64:
        raise InvalidInput(_("Between 1 and 64 characters."), field="name")
    if len(tagline) > 200:
        raise InvalidInput(_("At most %(n)d characters.", n=200), field="tagline")
    if not COLOR_RE.fullmatch(primary_color):
        raise InvalidInput(_("A colour like #2f6f73."), field="primary_color")
    if contrast_with_white(primary_color) < MIN_CONTRAST:
        raise InvalidInput(
            _("Choose a darker colour: white text on it must stay readable."),
            field="primary_color",
        )
    row = db.session.get(SiteSettings, 1)
    before = Branding(row.name, row.tagline, row.primary_color) if row else DEFAULT_BRANDING
    if row is None:
        row = SiteSettings(id=1, name=name, tagline=tagline, primary_color=primary_color)
        db.session.add(row)
    else:
        row.name, row.tagline, row.primary_color = name, tagline, primary_color
    db.session.flush()
    after = Branding(name, tagline, primary_color.lower())
    row.primary_color = after.primary_color
    audit(actor, "site.branding", None, {"before": before.__dict__, "after": after.__dict__})
    g.pop("branding", None)
    return after
