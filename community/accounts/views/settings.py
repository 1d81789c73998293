"""Profiles and the member's settings: account, language, API tokens, data."""

from __future__ import annotations

import json

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.accounts import bp, policy, profile_sections, services
from community.accounts.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    EraseForm,
    ProfileForm,
    TokenForm,
)
from community.accounts.views.browser import end_browser_session, has_remember_cookie, start_session
from community.core.errors import InvalidInput
from community.core.forms import ActionForm, attach_error, submit
from community.core.page_cache import cached_page
from community.core.security import safe_next
from community.extensions import db

# ---------------------------------------------------------------- profile


@bp.route("/u/<username>")
@cached_page
def profile(username: str):
    user = services.get_by_username(username)
    return render_template(
        "accounts/profile.html",
        user=user,
        can_edit=policy.can_edit_profile(current_user, user),
        show_email=policy.can_see_email(current_user, user),
        show_hidden=policy.can_see_hidden_profile(current_user, user),
        extra_sections=profile_sections.load_all(user, current_user),
    )


@bp.route("/settings/profile", methods=["GET", "POST"])
@login_required
def edit_profile():
    form = ProfileForm(
        data={"display_name": current_user.display_name, "bio": current_user.bio_source}
    )
    saved = submit(
        form,
        lambda: services.update_profile(
            current_user, form.display_name.data or "", form.bio.data or ""
        ),
    )
    if saved.ok:
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts.profile", username=current_user.username))
    status = saved.status if request.method == "POST" else 200
    return render_template("accounts/edit_profile.html", form=form), status


# ---------------------------------------------------------------- account settings


def _render_settings(password_form=None, email_form=None, status: int = 200):
    return (
        render_template(
            "accounts/settings.html",
            password_form=password_form or ChangePasswordForm(prefix="pw"),
            email_form=email_form or ChangeEmailForm(prefix="em"),
            resend_form=ActionForm(),
        ),
        status,
    )


@bp.route("/settings/")
@login_required
def settings():
    return _render_settings()


@bp.route("/settings/password", methods=["POST"])
@login_required
def change_password():
    form = ChangePasswordForm(prefix="pw")
    changed = submit(
        form,
        lambda: services.change_password(
            current_user, form.current_password.data, form.new_password.data
        ),
    )
    if changed.ok:
        # Other sessions ended with the old version; keep this one alive, and renew
        # its remember-me cookie if it had one (the old cookie is refused now).
        start_session(current_user._get_current_object(), remember=has_remember_cookie())
        flash(_("Your password is changed. Other sessions were logged out."), "success")
        return redirect(url_for("accounts.settings"))
    return _render_settings(password_form=form, status=400)


@bp.route("/settings/email", methods=["POST"])
@login_required
def change_email():
    form = ChangeEmailForm(prefix="em")
    if submit(
        form, lambda: services.change_email(current_user, form.password.data, form.email.data)
    ).ok:
        flash(_("Your email address is changed. Please confirm it."), "success")
        return redirect(url_for("accounts.settings"))
    return _render_settings(email_form=form, status=400)


@bp.route("/settings/language", methods=["POST"])
def set_language():
    form = ActionForm()
    locale = request.form.get("locale", "")
    back = safe_next(request.form.get("next"), url_for("site.home"))
    if not form.validate_on_submit() or locale not in current_app.config["LANGUAGES"]:
        abort(400)
    session["locale"] = locale
    if current_user.is_authenticated:
        services.set_locale(current_user, locale)
        db.session.commit()
    return redirect(back)


# ---------------------------------------------------------------- API tokens


@bp.route("/settings/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    form = TokenForm()
    new_secret = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                _token, new_secret = services.create_token(
                    current_user, form.name.data, form.days.data
                )
                db.session.commit()
            except InvalidInput as error:
                db.session.rollback()
                attach_error(form, error)
                status = 400
            else:
                form = TokenForm(formdata=None)
        else:
            status = 400
    return (
        render_template(
            "accounts/tokens.html",
            form=form,
            tokens=services.list_tokens(current_user),
            new_secret=new_secret,
            revoke_form=ActionForm(),
        ),
        status,
    )


@bp.route("/settings/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    services.revoke_token(current_user, token_id)
    db.session.commit()
    flash(_("The token is revoked."), "info")
    return redirect(url_for("accounts.tokens"))


# ---------------------------------------------------------------- export and erasure


@bp.route("/settings/data")
@login_required
def data():
    return render_template("accounts/data.html", erase_form=EraseForm())


@bp.route("/settings/data/export.json")
@login_required
def export():
    payload = json.dumps(services.export_data(current_user), indent=2, ensure_ascii=False)
    filename = f"mitmach-{current_user.username}.json"
    return Response(
        payload,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/settings/data/erase", methods=["POST"])
@login_required
def erase():
    form = EraseForm()
    if submit(form, lambda: services.erase_account(current_user, form.password.data)).ok:
        end_browser_session()
        flash(_("Your account is erased. Thank you for having taken part."), "info")
        return redirect(url_for("site.home"))
    return render_template("accounts/data.html", erase_form=form), 400
