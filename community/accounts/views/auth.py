"""Getting in: register, log in and out, reset a password, confirm an address."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.accounts import bp, services
from community.accounts.forms import (
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from community.accounts.views.browser import end_browser_session, start_session
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


# ---------------------------------------------------------------- register, login, logout


@bp.route("/auth/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("site.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            # The language they registered in is the one their mails will speak.
            user = services.register(
                form.username.data, form.email.data, form.password.data, str(get_locale())
            )
        except InvalidInput as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            start_session(user)
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
            start_session(user, remember=form.remember.data)
            db.session.commit()
            return redirect(next_url)
    return render_template("accounts/login.html", form=form, next_url=next_url), status


@bp.route("/auth/logout", methods=["POST"])
def logout():
    form = ActionForm()
    if current_user.is_authenticated and form.validate_on_submit():
        services.end_sessions(current_user)
        db.session.commit()
    end_browser_session()
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
            attach_error(form, error)
        else:
            end_browser_session()
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
