"""Admin forms for roles and suspensions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
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
