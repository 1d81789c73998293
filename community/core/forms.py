"""Glue between Flask-WTF forms and domain errors."""

from __future__ import annotations

from flask_wtf import FlaskForm

from community.core.errors import DomainError


def attach_error(form: FlaskForm, error: DomainError) -> None:
    """Show a domain error on its form field, or on the form as a whole."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


class ActionForm(FlaskForm):
    """A form with no fields: a CSRF-protected button (logout, mark read, revoke)."""
