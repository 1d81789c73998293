"""Badge pages: the list, one badge with its holders, the team's award and revoke forms,
the member's choice of title, and the badges section of profiles."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.accounts import profile_sections
from community.accounts import services as accounts
from community.core.forms import submit
from community.core.page_cache import cached_page
from community.core.pagination import parse_cursor
from community.reputation import bp
from community.reputation.badges import BADGES, TIER_LABELS, TIERS
from community.reputation.forms import AwardBadgeForm, RevokeBadgeForm, TitleForm
from community.reputation.services import badges as service


@bp.route("/badges")
@cached_page
def badges():
    counts = service.holder_counts()
    return render_template(
        "reputation/badges.html",
        tiers=[(tier, [b for b in BADGES.values() if b.tier == tier]) for tier in TIERS],
        tier_labels=TIER_LABELS,
        counts=counts,
        held=service.held_keys(current_user),
    )


def _revoke_prefix(user_id: int) -> str:
    return f"revoke-{user_id}"


def _render_badge(key: str, award_form=None, revoke_form=None, revoked_user_id=None, status=200):
    badge = service.get_badge(key)
    page = service.recent_holders(key, parse_cursor(request.args.get("before")))
    is_team = service.can_manage_badges(current_user)
    revoke_forms = {}
    if is_team:
        revoke_forms = {
            a.user_id: RevokeBadgeForm(formdata=None, prefix=_revoke_prefix(a.user_id))
            for a in page.items
        }
        if revoke_form is not None:
            revoke_forms[revoked_user_id] = revoke_form
    held = service.held_keys(current_user)
    return (
        render_template(
            "reputation/badge.html",
            badge=badge,
            tier_label=TIER_LABELS[badge.tier],
            holders=service.holder_counts().get(key, 0),
            page=page,
            holds=key in held,
            is_team=is_team,
            award_form=(award_form or AwardBadgeForm(formdata=None)) if is_team else None,
            revoke_forms=revoke_forms,
            stray_revoke_form=(
                revoke_form
                if revoke_form is not None and all(a.user_id != revoked_user_id for a in page.items)
                else None
            ),
        ),
        status,
    )


@bp.route("/badges/<key>")
@cached_page
def badge(key: str):
    return _render_badge(key)


def _team_only() -> None:
    if not service.can_manage_badges(current_user):
        abort(403)


@bp.route("/badges/<key>/award", methods=["POST"])
@login_required
def award_badge(key: str):
    _team_only()
    service.get_badge(key)
    form = AwardBadgeForm()
    awarded = submit(
        form, lambda: service.award_badge(current_user, key, form.username.data, form.reason.data)
    )
    if awarded.ok:
        flash(_("The badge is awarded to %(name)s.", name=form.username.data.strip()), "success")
        return redirect(url_for(".badge", key=key))
    return _render_badge(key, award_form=form, status=awarded.status)


@bp.route("/badges/<key>/revoke/<int:user_id>", methods=["POST"])
@login_required
def revoke_badge(key: str, user_id: int):
    _team_only()
    service.get_badge(key)
    user = accounts.get_user(user_id)
    form = RevokeBadgeForm(prefix=_revoke_prefix(user_id))
    revoked = submit(form, lambda: service.revoke_badge(current_user, user, key, form.reason.data))
    if revoked.ok:
        flash(_("The badge is revoked."), "success")
        return redirect(url_for(".badge", key=key, before=request.args.get("before")))
    return _render_badge(key, revoke_form=form, revoked_user_id=user_id, status=revoked.status)


@bp.route("/settings/title", methods=["POST"])
@login_required
def choose_title():
    form = TitleForm()
    if submit(form, lambda: service.choose_title(current_user, form.badge.data or None)).ok:
        if current_user.title_badge:
            flash(_("Your title is saved."), "success")
        else:
            flash(_("You show no title now."), "success")
        return redirect(url_for("accounts.profile", username=current_user.username))
    # Show the refusal on the profile, where the chooser lives.
    g.title_form = form
    profile = current_app.view_functions["accounts.profile"]
    return profile(username=current_user.username), 400


# ---------------------------------------------------------------- profile section


def _profile_section(user, viewer) -> dict:
    awards = service.live_awards(user)
    is_self = bool(viewer.is_authenticated and viewer.id == user.id)
    title_form = None
    if is_self:
        title_form = g.pop("title_form", None) or TitleForm(
            formdata=None, data={"badge": user.title_badge or ""}
        )
        title_form.badge.choices = [("", _("No title"))] + [
            (a.badge_key, BADGES[a.badge_key].name) for a in awards
        ]
    return {
        "tiers": [
            (tier, [(BADGES[a.badge_key], a) for a in awards if BADGES[a.badge_key].tier == tier])
            for tier in TIERS
        ],
        "tier_labels": TIER_LABELS,
        "count": len(awards),
        "is_self": is_self,
        "title_form": title_form,
    }


profile_sections.register("badges", "reputation/_profile_badges.html", _profile_section, 20)
