"""Glue between Flask-WTF forms and domain errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm

from community.core.errors import DomainError
from community.extensions import db

# Refusals a user can fix in the form; 403 and 404 go to the error pages instead.
FORM_STATUSES = frozenset({400, 409})


def attach_error(form: FlaskForm, error: DomainError) -> None:
    """Show a domain error on its form field, or on the form as a whole."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


@dataclass(frozen=True)
class Submitted:
    ok: bool
    value: Any = None
    status: int = 200  # on refusal: 400, or 409 for a conflict


def submit(form: FlaskForm, action: Callable[[], Any]) -> Submitted:
    """Validate ``form``, run the service call ``action`` and commit once.

    A refusal the user can fix (400, 409) rolls back and lands on its field, keeping what
    they typed; any other DomainError goes on to the error handler.
    """
    if not form.validate_on_submit():
        return Submitted(False, status=400)
    try:
        value = action()
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if error.status not in FORM_STATUSES:
            raise
        attach_error(form, error)
        return Submitted(False, status=error.status)
    return Submitted(True, value)


class ActionForm(FlaskForm):
    """A form with no fields: a CSRF-protected button (logout, mark read, revoke)."""
