"""What the ideas views share: links, refusals, running a form's service call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from community.catalog import services as catalog
from community.catalog.models import Product
from community.core.errors import DomainError, PermissionDenied
from community.core.forms import FORM_STATUSES, attach_error
from community.extensions import db
from community.ideas.models import Idea

# The team's list of who voted shows at most this many (the newest votes).


def idea_url(idea: Idea | int, anchor: str | None = None) -> str:
    idea_id = idea if isinstance(idea, int) else idea.id
    return url_for("ideas.idea", idea_id=idea_id, _anchor=anchor)


def require(allowed: bool) -> None:
    """Refuse with 403 unless ``allowed`` (the services check again)."""
    if not allowed:
        raise PermissionDenied(_("You are not allowed to do this."))


def done(message: str, category: str = "success") -> None:
    """Commit the one transaction of this request and tell the user what happened."""
    db.session.commit()
    flash(message, category)


def check_fields(form: FlaskForm, checks: dict[str, Callable[[Any], Any]]) -> bool:
    """Run field checks (service functions raising InvalidInput on their field) and put
    every refusal on its field; True when all passed."""
    ok = True
    for name, check in checks.items():
        try:
            check(getattr(form, name).data)
        except DomainError as error:
            attach_error(form, error)
            ok = False
    return ok


def form_messages(form: FlaskForm) -> list[str]:
    """Every error of ``form``: its own, then its fields'."""
    messages = [str(m) for m in form.form_errors]
    for name, errors in form.errors.items():
        if name is not None:
            messages.extend(str(m) for m in errors)
    return messages or [_("The form was incomplete. Please try again.")]


@dataclass(frozen=True)
class Outcome:
    value: Any = None
    refused: int | None = None  # the status of a refusal the user can fix (400, 409)


def attempt(form: FlaskForm, action: Callable[[], Any]) -> Outcome:
    """Validate ``form`` and run the service call ``action`` (not committed yet). A
    refusal the user can fix is rolled back and put on the form; 403 and 404 go on to
    the error pages."""
    if not form.validate_on_submit():
        return Outcome(refused=400)
    try:
        value = action()
        db.session.flush()
    except DomainError as error:
        db.session.rollback()
        if error.status not in FORM_STATUSES:
            raise
        attach_error(form, error)
        return Outcome(refused=error.status)
    return Outcome(value=value)


def active_products(viewer: Any) -> list[Product]:
    """The products that take new ideas, in the catalog's order."""
    return catalog.list_products(viewer).active
