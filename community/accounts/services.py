"""Account operations: registration, login, passwords, email, profile, tokens, export, erasure.

Services flush and never commit; the view or API handler commits once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from community.accounts.models import ApiToken, Role, User
from community.accounts.passwords import (
    dummy_verify,
    hash_password,
    needs_rehash,
    verify_password,
)
from community.core import content, subjects
from community.core.db import utcnow
from community.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from community.core.mail import send_mail
from community.extensions import db

USERNAME_RE = re.compile(r"^[A-Za-z0-9_-]{3,30}$")
PASSWORD_MIN = 10
PASSWORD_MAX = 1024
DISPLAY_NAME_MAX = 64
BIO_MAX = 5000
TOKEN_NAME_MAX = 64
DELETED_NAME = "deleted user"


# ---------------------------------------------------------------- lookups


def get_user(user_id: int) -> User:
    """The user with this id, or NotFound."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such member."))
    return user


def get_by_username(username: str) -> User:
    """The member with this username (any case), or NotFound; erased accounts are gone."""
    user = db.session.scalar(select(User).where(User.username_key == username.lower()))
    if user is None or user.is_erased:
        raise NotFound(_("No such member."))
    return user


def find_by_login(login: str) -> User | None:
    """The user whose username or email is ``login``, ignoring case."""
    key = login.strip().lower()
    if not key:
        return None
    return db.session.scalar(
        select(User).where(or_(User.username_key == key, User.email == key)).limit(1)
    )


# ---------------------------------------------------------------- content


def mention_urls(candidates: set[str]) -> Mapping[str, str]:
    """Profile URLs of the existing members among lower-cased ``candidates``."""
    if not candidates:
        return {}
    rows = db.session.execute(
        select(User.username_key, User.username).where(
            User.username_key.in_(candidates), User.erased_at.is_(None)
        )
    )
    return {key: url_for("accounts.profile", username=name) for key, name in rows}


def render_markdown(source: str) -> content.Rendered:
    """Safe HTML for a member's Markdown, with @mentions of existing members linked."""
    return content.render(source, mentions=mention_urls)


# ---------------------------------------------------------------- registration


def check_username(username: str) -> str:
    """The username if its form is allowed, else InvalidInput on the field."""
    username = username.strip()
    if not USERNAME_RE.fullmatch(username):
        raise InvalidInput(
            _("3 to 30 characters: letters, digits, _ and - only."), field="username"
        )
    if username.lower().startswith("deleted-"):
        raise InvalidInput(_("This username is reserved."), field="username")
    return username


def normalise_email(email: str) -> str:
    """The email address in canonical lower case, else InvalidInput on the field."""
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput(_("Please enter a valid email address."), field="email") from exc
    return result.normalized.lower()


def check_password(password: str, field: str = "password") -> str:
    """The password if it is long enough, else InvalidInput on ``field``."""
    if len(password) < PASSWORD_MIN:
        raise InvalidInput(_("Use at least %(n)d characters.", n=PASSWORD_MIN), field=field)
    if len(password) > PASSWORD_MAX:
        raise InvalidInput(_("This password is too long."), field=field)
    return password


def _ensure_free(username_key: str | None, email: str | None, exclude: int | None = None) -> None:
    if username_key is not None:
        stmt = select(User.id).where(User.username_key == username_key)
        if db.session.scalar(stmt) not in (None, exclude):
            raise InvalidInput(_("This username is taken."), field="username")
    if email is not None:
        stmt = select(User.id).where(User.email == email)
        if db.session.scalar(stmt) not in (None, exclude):
            raise InvalidInput(_("This email address is already registered."), field="email")


def create_user(
    username: str,
    email: str,
    password: str,
    role: Role = Role.MEMBER,
    locale: str | None = None,
    confirmed: bool = False,
) -> User:
    """A new account; username and email are unique (the database enforces it)."""
    username = check_username(username)
    email = normalise_email(email)
    check_password(password)
    _ensure_free(username.lower(), email)
    user = User(
        username=username,
        username_key=username.lower(),
        email=email,
        password_hash=hash_password(password),
        role=Role(role).value,
        locale=locale if locale in current_app.config["LANGUAGES"] else None,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError as exc:
        # Lost a race with a concurrent registration of the same name or address.
        raise InvalidInput(_("This username or email is taken."), field="username") from exc
    return user


def register(username: str, email: str, password: str, locale: str | None = None) -> User:
    """Register a member and mail them a confirmation link."""
    user = create_user(username, email, password, locale=locale)
    send_confirmation(user)
    return user


# ---------------------------------------------------------------- signed links


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


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
    max_age = current_app.config["CONFIRM_TOKEN_MAX_AGE"]
    try:
        user_id, email = _serializer("email-confirm").loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise InvalidInput(_("This confirmation link has expired.")) from exc
    except (BadSignature, ValueError, TypeError) as exc:
        raise InvalidInput(_("This confirmation link is not valid.")) from exc
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
    max_age = current_app.config["RESET_TOKEN_MAX_AGE"]
    try:
        user_id, fingerprint = _serializer("password-reset").loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise InvalidInput(_("This reset link has expired. Please ask for a new one.")) from exc
    except (BadSignature, ValueError, TypeError) as exc:
        raise InvalidInput(_("This reset link is not valid.")) from exc
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


# ---------------------------------------------------------------- profile and preferences


def update_profile(user: User, display_name: str, bio: str) -> User:
    """Change what the profile shows; the bio is Markdown rendered through the pipeline."""
    display_name = display_name.strip()
    if len(display_name) > DISPLAY_NAME_MAX:
        raise InvalidInput(_("At most %(n)d characters.", n=DISPLAY_NAME_MAX), field="display_name")
    if len(bio) > BIO_MAX:
        raise InvalidInput(_("At most %(n)d characters.", n=BIO_MAX), field="bio")
    user.display_name = display_name
    user.bio_source = bio
    user.bio_html = render_markdown(bio).html if bio.strip() else ""
    return user


def change_email(user: User, password: str, email: str) -> User:
    """Move the account to a new address, which must be confirmed again."""
    if not verify_password(user.password_hash, password):
        raise InvalidInput(_("This is not your current password."), field="password")
    email = normalise_email(email)
    if email == user.email:
        return user
    _ensure_free(None, email, exclude=user.id)
    user.email = email
    user.email_confirmed_at = None
    send_confirmation(user)
    return user


def set_locale(user: User, locale: str) -> None:
    """Remember the member's interface language."""
    if locale not in current_app.config["LANGUAGES"]:
        raise InvalidInput(_("This language is not available."), field="locale")
    user.locale = locale


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


# ---------------------------------------------------------------- API tokens


def _token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new personal API token; the secret is returned once and only its hash is kept."""
    name = name.strip()
    if not name or len(name) > TOKEN_NAME_MAX:
        raise InvalidInput(_("Give the token a name of up to 64 characters."), field="name")
    days = days or current_app.config["API_TOKEN_DAYS"]
    if not 1 <= days <= 3650:
        raise InvalidInput(_("Choose between 1 and 3650 days."), field="days")
    secret = "mm_" + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=_token_digest(secret),
        prefix=secret[:10],
        expires_at=utcnow() + dt.timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def list_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, newest first."""
    stmt = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(db.session.scalars(stmt))


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; someone else's is NotFound."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def user_for_token(secret: str) -> User | None:
    """The active user of a usable token, or None."""
    if not secret.startswith("mm_"):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(secret)))
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    return token.user


# ---------------------------------------------------------------- export and erasure

# Features register what they hold about a user: name -> function(user) -> JSON data.
_exporters: dict[str, Callable[[User], Any]] = {}
# And what erasure must do to their rows (anonymise, fix counts): function(user) -> None.
_erasers: list[Callable[[User], None]] = []


def register_exporter(name: str, export: Callable[[User], Any]) -> None:
    """Include ``export(user)`` under ``name`` in every account export."""
    _exporters[name] = export


def register_eraser(erase: Callable[[User], None]) -> None:
    """Run ``erase(user)`` in the transaction that erases an account."""
    if erase not in _erasers:
        _erasers.append(erase)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_data(user: User) -> dict[str, Any]:
    """Everything Mitmach holds about the user, as JSON-ready data."""
    data: dict[str, Any] = {
        "account": {
            "id": user.id,
            "username": user.username,
            "email": user.email,
            "email_confirmed_at": _iso(user.email_confirmed_at),
            "display_name": user.display_name,
            "bio": user.bio_source,
            "role": user.role,
            "locale": user.locale,
            "created_at": _iso(user.created_at),
        },
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": _iso(t.created_at),
                "expires_at": _iso(t.expires_at),
                "revoked_at": _iso(t.revoked_at),
            }
            for t in list_tokens(user)
        ],
    }
    for name, export in sorted(_exporters.items()):
        data[name] = export(user)
    data["exported_at"] = utcnow().isoformat()
    return data


def erase_account(user: User, password: str) -> None:
    """Anonymise the account for good; what the user wrote stays, counts stay right."""
    if not verify_password(user.password_hash, password):
        raise InvalidInput(_("This is not your current password."), field="password")
    if user.is_admin and _admin_count() <= 1:
        raise Conflict(_("The last administrator cannot erase their account."))
    anonymise(user)


def anonymise(user: User) -> None:
    """Strip personal data, revoke tokens and let every feature anonymise its rows."""
    for erase in _erasers:
        erase(user)
    now = utcnow()
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    user.username = f"deleted-{user.id}"
    user.username_key = f"deleted-{user.id}"
    user.email = f"deleted-{user.id}@invalid.invalid"
    user.display_name = ""
    user.bio_source = ""
    user.bio_html = ""
    user.password_hash = "!"  # noqa: S105 - matches no password
    user.email_confirmed_at = None
    user.locale = None
    user.role = Role.MEMBER.value
    user.erased_at = now
    end_sessions(user)


def _admin_count() -> int:
    stmt = select(func.count(User.id)).where(User.role == Role.ADMIN, User.erased_at.is_(None))
    return db.session.scalar(stmt) or 0


# ---------------------------------------------------------------- subjects


def _profile_urls(user_ids: set[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(User.id, User.username).where(User.id.in_(user_ids), User.erased_at.is_(None))
    )
    return {user_id: url_for("accounts.profile", username=name) for user_id, name in rows}


subjects.register("user_account", urls=_profile_urls)
