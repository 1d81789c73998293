"""Admin forms for roles, suspensions and erasing sock-puppet accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange


class RoleForm(FlaskForm):
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice("member", _l("Member")),
            SelectChoice("team", _l("Product team")),
            SelectChoice("admin", _l("Administrator")),
        ],
    )


class SuspendForm(FlaskForm):
    days = IntegerField(
        _l("Days"), default=7, validators=[DataRequired(), NumberRange(min=1, max=3650)]
    )
    reason = StringField(
        _l("Reason (shown to the member)"), validators=[DataRequired(), Length(max=500)]
    )
    sock_puppet = BooleanField(
        _l("This is a sock-puppet account: reverse the reputation its votes gave")
    )


class EraseForm(FlaskForm):
    reason = StringField(
        _l("Reason (kept in the audit log)"), validators=[DataRequired(), Length(max=500)]
    )

    def __init__(self, *args, **kwargs):
        # Shares the page with the suspend form: the prefix keeps field ids unique.
        kwargs.setdefault("prefix", "erase")
        super().__init__(*args, **kwargs)
