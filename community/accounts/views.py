"""Account pages: parse, load or 404, call a service, commit once, render or redirect."""

from __future__ import annotations

import json

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from community.accounts import bp, policy, services
from community.accounts.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    EraseForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
    TokenForm,
)
from community.core.errors import DomainError, InvalidInput
from community.core.forms import ActionForm, attach_error
from community.core.security import safe_next
from community.extensions import db, limiter


def _login_failed() -> bool:
    return bool(g.get("login_failed"))


def _login_account_key() -> str:
    # One bucket per account, whether it is named by username or by email: otherwise each
    # spelling would get its own allowance of failures.
    login = request.form.get("login", "").strip().lower()
    user = services.find_by_login(login)
    return f"login-account:{user.id}" if user is not None else "login-account:" + login


def _login_limit() -> str:
    return current_app.config["LOGIN_FAILURE_LIMIT"]


def _register_limit() -> str:
    return current_app.config["REGISTER_LIMIT"]


def _start_session(user, remember: bool = False) -> None:
    # A fresh session on login: nothing from before survives (no fixation).
    locale = session.get("locale")
    session.clear()
    login_user(user, remember=remember)
    if locale and not user.locale:
        user.locale = locale


def _end_browser_session() -> None:
    # Clear first: logout_user() then marks the remember-me cookie for deletion, which a
    # later session.clear() would forget, leaving the browser holding a stale credential.
    # The chosen language stays with the browser.
    locale = session.get("locale") or current_user.locale
    session.clear()
    logout_user()
    if locale:
        session["locale"] = locale


def _has_remember_cookie() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


# ---------------------------------------------------------------- register, login, logout


@bp.route("/auth/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("site.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register(
                form.username.data, form.email.data, form.password.data, session.get("locale")
            )
            db.session.commit()
        except InvalidInput as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            _start_session(user)
            db.session.commit()
            flash(_("Welcome! We sent you a link to confirm your email address."), "success")
            return redirect(url_for("accounts.profile", username=user.username))
    return render_template("accounts/register.html", form=form)


@bp.route("/auth/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=lambda response: _login_failed())
@limiter.limit(
    _login_limit,
    methods=["POST"],
    key_func=_login_account_key,
    deduct_when=lambda response: _login_failed(),
)
def login():
    next_url = safe_next(request.values.get("next"), url_for("site.home"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.login.data, form.password.data)
        except InvalidInput as error:
            g.login_failed = True
            db.session.rollback()
            attach_error(form, error)
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
            status = error.status
        else:
            _start_session(user, remember=form.remember.data)
            db.session.commit()
            return redirect(next_url)
    return render_template("accounts/login.html", form=form, next_url=next_url), status


@bp.route("/auth/logout", methods=["POST"])
def logout():
    form = ActionForm()
    if current_user.is_authenticated and form.validate_on_submit():
        services.end_sessions(current_user)
        db.session.commit()
    _end_browser_session()
    flash(_("You are logged out."), "info")
    return redirect(url_for("site.home"))


# ---------------------------------------------------------------- password reset


@bp.route("/auth/reset", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(_("If this address belongs to an account, a reset link is on its way."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/auth/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except InvalidInput as error:
        return render_template("accounts/link_invalid.html", message=error.message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
            db.session.commit()
        except InvalidInput as error:
            db.session.rollback()
            error.field = error.field or "password"
            attach_error(form, error)
        else:
            _end_browser_session()
            flash(_("Your password is changed. Please log in."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


# ---------------------------------------------------------------- email confirmation


@bp.route("/auth/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    # The link only shows a button: a GET never changes state (mail scanners follow links).
    form = ActionForm()
    if form.validate_on_submit():
        try:
            services.confirm_email(token)
            db.session.commit()
        except InvalidInput as error:
            db.session.rollback()
            return render_template("accounts/link_invalid.html", message=error.message), 400
        flash(_("Thank you, your email address is confirmed."), "success")
        return redirect(url_for("site.home"))
    return render_template("accounts/confirm.html", form=form)


@bp.route("/auth/confirm", methods=["POST"])
@login_required
def resend_confirmation():
    form = ActionForm()
    if form.validate_on_submit() and current_user.email_confirmed_at is None:
        services.send_confirmation(current_user)
        db.session.commit()
        flash(_("We sent you a new confirmation link."), "info")
    return redirect(url_for("accounts.settings"))


# ---------------------------------------------------------------- profile


@bp.route("/u/<username>")
def profile(username: str):
    user = services.get_by_username(username)
    return render_template(
        "accounts/profile.html",
        user=user,
        can_edit=policy.can_edit_profile(current_user, user),
        show_email=policy.can_see_email(current_user, user),
    )


@bp.route("/settings/profile", methods=["GET", "POST"])
@login_required
def edit_profile():
    form = ProfileForm(
        data={"display_name": current_user.display_name, "bio": current_user.bio_source}
    )
    if form.validate_on_submit():
        try:
            services.update_profile(current_user, form.display_name.data or "", form.bio.data or "")
            db.session.commit()
        except InvalidInput as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("accounts.profile", username=current_user.username))
    return render_template("accounts/edit_profile.html", form=form)


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
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
            db.session.commit()
        except InvalidInput as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            # Other sessions ended with the old version; keep this one alive, and renew
            # its remember-me cookie if it had one (the old cookie is refused now).
            _start_session(current_user._get_current_object(), remember=_has_remember_cookie())
            flash(_("Your password is changed. Other sessions were logged out."), "success")
            return redirect(url_for("accounts.settings"))
    return _render_settings(password_form=form, status=400)


@bp.route("/settings/email", methods=["POST"])
@login_required
def change_email():
    form = ChangeEmailForm(prefix="em")
    if form.validate_on_submit():
        try:
            services.change_email(current_user, form.password.data, form.email.data)
            db.session.commit()
        except InvalidInput as error:
            db.session.rollback()
            attach_error(form, error)
        else:
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
    if form.validate_on_submit():
        try:
            services.erase_account(current_user, form.password.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            _end_browser_session()
            flash(_("Your account is erased. Thank you for having taken part."), "info")
            return redirect(url_for("site.home"))
    return render_template("accounts/data.html", erase_form=form), 400
