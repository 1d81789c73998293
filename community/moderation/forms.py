"""Admin forms for roles, suspensions and erasing sock-puppet accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput


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


class HideItemForm(FlaskForm):
    """Hide a reviewed item; the reason is shown to its author."""

    reason = StringField(
        _l("Reason (shown to the author)"), validators=[DataRequired(), Length(max=500)]
    )

    def __init__(self, *args, **kwargs):
        # Shares the queue item page with the penalty form: unique field ids.
        kwargs.setdefault("prefix", "hide")
        super().__init__(*args, **kwargs)


class PenaltyForm(FlaskForm):
    """Warn, silence or suspend a member; the reason is shown to them."""

    kind = SelectField(
        _l("Penalty"),
        choices=[
            SelectChoice("warn", _l("Warning: a message they must acknowledge")),
            SelectChoice("silence", _l("Silence: they can read but not post")),
            SelectChoice("suspend", _l("Suspension: they cannot log in")),
        ],
        default="warn",
    )
    days = IntegerField(
        _l("Days"),
        description=_l("Leave empty for the escalating default. Not used for warnings."),
        validators=[Optional(), NumberRange(min=1, max=3650)],
    )
    reason = TextAreaField(
        _l("Reason (shown to the member)"), validators=[DataRequired(), Length(max=500)]
    )
    # The review item the penalty answers, when given from the queue.
    item_id = IntegerField(widget=HiddenInput(), validators=[Optional()])


class PurgeForm(FlaskForm):
    """Purge a spammer: suspend, reverse their votes and reactions, hide what they wrote."""

    reason = StringField(
        _l("Reason (shown to the member and kept in the audit log)"),
        validators=[DataRequired(), Length(max=500)],
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "purge")
        super().__init__(*args, **kwargs)
