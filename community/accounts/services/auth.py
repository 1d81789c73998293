"""Getting in and staying safe: confirmation and reset links, login, sessions, passwords,
email changes, roles and suspensions."""

from __future__ import annotations

import datetime as dt
import hashlib

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from community.accounts.models import Role, User
from community.accounts.passwords import (
    dummy_verify,
    hash_password,
    needs_rehash,
    verify_password,
)
from community.accounts.services.members import (
    check_password,
    create_user,
    ensure_free,
    find_by_login,
    in_language_of,
    normalise_email,
)
from community.core.db import utcnow
from community.core.errors import InvalidInput, PermissionDenied
from community.core.mail import send_mail
from community.extensions import db


def register(username: str, email: str, password: str, locale: str | None = None) -> User:
    """Register a member and mail them a confirmation link."""
    user = create_user(username, email, password, locale=locale)
    send_confirmation(user)
    return user


# ---------------------------------------------------------------- signed links


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _load_link(salt: str, token: str, max_age: int, expired: str, invalid: str) -> tuple:
    """The ``(user id, check value)`` a signed link carries, or InvalidInput saying why not."""
    try:
        user_id, check = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise InvalidInput(expired) from exc
    except (BadSignature, ValueError, TypeError) as exc:
        raise InvalidInput(invalid) from exc
    return user_id, check


def _password_fingerprint(user: User) -> str:
    # Changes whenever the password does, which makes a reset link single-use.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    """A signed link token for resetting this user's password."""
    return _serializer("password-reset").dumps([user.id, _password_fingerprint(user)])


def make_confirm_token(user: User) -> str:
    """A signed link token confirming this user's current email address."""
    return _serializer("email-confirm").dumps([user.id, user.email])


def send_confirmation(user: User) -> None:
    """Mail the user a link that confirms their email address."""
    link = url_for("accounts.confirm_email", token=make_confirm_token(user), _external=True)
    with in_language_of(user):
        _send_confirmation(user, link)


def _send_confirmation(user: User, link: str) -> None:
    send_mail(
        user.email,
        _("Confirm your email address"),
        _(
            "Hello %(name)s,\n\nplease confirm your email address by opening this link:\n"
            "%(link)s\n\nIf you did not register, ignore this mail.",
            name=user.username,
            link=link,
        ),
    )


def confirm_email(token: str) -> User:
    """Mark the address confirmed; the link is valid for CONFIRM_TOKEN_MAX_AGE."""
    user_id, email = _load_link(
        "email-confirm",
        token,
        current_app.config["CONFIRM_TOKEN_MAX_AGE"],
        expired=_("This confirmation link has expired."),
        invalid=_("This confirmation link is not valid."),
    )
    user = db.session.get(User, user_id)
    if user is None or user.is_erased or user.email != email:
        raise InvalidInput(_("This confirmation link is not valid."))
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    return user


def request_password_reset(email: str) -> None:
    """Mail a reset link if the address belongs to an account; say nothing otherwise."""
    try:
        email = normalise_email(email)
    except InvalidInput:
        return
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None or user.is_erased:
        return
    link = url_for("accounts.reset_password", token=make_reset_token(user), _external=True)
    minutes = current_app.config["RESET_TOKEN_MAX_AGE"] // 60
    with in_language_of(user):
        _send_reset(user, link, minutes)


def _send_reset(user: User, link: str, minutes: int) -> None:
    send_mail(
        user.email,
        _("Reset your password"),
        _(
            "Hello %(name)s,\n\nto choose a new password, open this link within "
            "%(minutes)d minutes:\n%(link)s\n\nIf you did not ask for this, ignore this mail.",
            name=user.username,
            minutes=minutes,
            link=link,
        ),
    )


def user_for_reset_token(token: str) -> User:
    """The user a reset link is for, if it is genuine, fresh and unused."""
    user_id, fingerprint = _load_link(
        "password-reset",
        token,
        current_app.config["RESET_TOKEN_MAX_AGE"],
        expired=_("This reset link has expired. Please ask for a new one."),
        invalid=_("This reset link is not valid."),
    )
    user = db.session.get(User, user_id)
    if user is None or user.is_erased or _password_fingerprint(user) != fingerprint:
        raise InvalidInput(_("This reset link has already been used or is not valid."))
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link; the link then stops working."""
    user = user_for_reset_token(token)
    _set_password(user, check_password(new_password))
    return user


# ---------------------------------------------------------------- login and sessions


def authenticate(login: str, password: str) -> User:
    """The account for these credentials; suspended and erased accounts are refused."""
    user = find_by_login(login)
    if user is None or user.is_erased:
        dummy_verify(password)
        raise InvalidInput(_("Unknown username or email, or wrong password."), field="password")
    if not verify_password(user.password_hash, password):
        raise InvalidInput(_("Unknown username or email, or wrong password."), field="password")
    if user.is_suspended:
        raise PermissionDenied(suspension_message(user))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def suspension_message(user: User) -> str:
    """Why and until when the user is suspended."""
    until = user.suspended_until.strftime("%Y-%m-%d %H:%M UTC") if user.suspended_until else ""
    return _(
        "Your account is suspended until %(until)s. Reason: %(reason)s",
        until=until,
        reason=user.suspension_reason or _("not given"),
    )


def end_sessions(user: User) -> None:
    """Invalidate every session and remember-me cookie of this user."""
    db.session.execute(
        update(User).where(User.id == user.id).values(session_version=User.session_version + 1)
    )
    db.session.refresh(user, ["session_version"])


def load_session_user(session_id: str) -> User | None:
    """The user of a session cookie id ``"<id>:<version>"`` if it is still current."""
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user


def _set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    end_sessions(user)


def change_password(user: User, current: str, new: str) -> None:
    """Replace the password after checking the current one; other sessions end."""
    if not verify_password(user.password_hash, current):
        raise InvalidInput(_("This is not your current password."), field="current_password")
    _set_password(user, check_password(new, field="new_password"))


def change_email(user: User, password: str, email: str) -> User:
    """Move the account to a new address, which must be confirmed again."""
    if not verify_password(user.password_hash, password):
        raise InvalidInput(_("This is not your current password."), field="password")
    email = normalise_email(email)
    if email == user.email:
        return user
    ensure_free(None, email, exclude=user.id)
    try:
        with db.session.begin_nested():
            user.email = email
            user.email_confirmed_at = None
    except IntegrityError as exc:
        # Lost a race with another account taking the same address.
        raise InvalidInput(_("This email address is already registered."), field="email") from exc
    send_confirmation(user)
    return user


def set_role(user: User, role: str) -> None:
    """Give the user a role; their sessions end so the new rights apply at once."""
    try:
        user.role = Role(role).value
    except ValueError as exc:
        raise InvalidInput(_("Unknown role."), field="role") from exc
    end_sessions(user)


def set_suspension(user: User, until: dt.datetime | None, reason: str | None) -> None:
    """Suspend until ``until`` (or lift with None); sessions and API tokens stop working."""
    user.suspended_until = until
    user.suspension_reason = reason if until else None
    if until is not None:
        end_sessions(user)
