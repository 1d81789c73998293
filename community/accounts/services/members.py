"""Members: lookups, the rules of names, addresses and passwords, creation, profiles."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext

from email_validator import EmailNotValidError, validate_email
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from community.accounts.models import Role, User
from community.accounts.passwords import (
    hash_password,
)
from community.core import content, subjects
from community.core.db import utcnow
from community.core.errors import InvalidInput, NotFound
from community.extensions import db

USERNAME_RE = re.compile(r"^[A-Za-z0-9_-]{3,30}$")
PASSWORD_MIN = 10
PASSWORD_MAX = 1024
DISPLAY_NAME_MAX = 64
BIO_MAX = 5000

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


# ---------------------------------------------------------------- language


def in_language_of(user: User | None) -> AbstractContextManager[object]:
    """Write stored text (a notification, a mail, a hidden reason) in ``user``'s language,
    not that of whoever caused it; the current language for nobody or no preference."""
    return force_locale(user.locale) if user is not None and user.locale else nullcontext()


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


def ensure_free(username_key: str | None, email: str | None, exclude: int | None = None) -> None:
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
    ensure_free(username.lower(), email)
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


# ---------------------------------------------------------------- profile and preferences


# Called with the member after they changed their profile, in the same transaction
# (moderation: the one edit of a profile its flags hid asks for another review).
_PROFILE_EDIT_LISTENERS: list[Callable[[User], None]] = []


def on_profile_edit(listener: Callable[[User], None]) -> None:
    """Have ``listener(user)`` called after every profile change (it may refuse it by
    raising a DomainError: the change is then rolled back with the form)."""
    _PROFILE_EDIT_LISTENERS.append(listener)


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
    for listener in _PROFILE_EDIT_LISTENERS:
        listener(user)
    return user


def set_locale(user: User, locale: str) -> None:
    """Remember the member's interface language."""
    if locale not in current_app.config["LANGUAGES"]:
        raise InvalidInput(_("This language is not available."), field="locale")
    user.locale = locale


# ---------------------------------------------------------------- subjects


def _profile_urls(user_ids: set[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(User.id, User.username).where(User.id.in_(user_ids), User.erased_at.is_(None))
    )
    return {user_id: url_for("accounts.profile", username=name) for user_id, name in rows}


subjects.register("user_account", urls=_profile_urls)
