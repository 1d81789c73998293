"""Reputation forms: fields and field checks only; services decide and save."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

REASON_MAX = 500


class AwardBadgeForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(), Length(max=30)],
        id="award-username",
        render_kw={"autocomplete": "off"},
    )
    reason = StringField(
        _l("Reason"),
        validators=[DataRequired(), Length(max=REASON_MAX)],
        id="award-reason",
        description=_l("Shown to the member and kept in the audit log."),
    )


class RevokeBadgeForm(FlaskForm):
    reason = StringField(
        _l("Reason for revoking"),
        validators=[DataRequired(), Length(max=REASON_MAX)],
        description=_l("Shown to the member and kept in the audit log."),
    )


class TitleForm(FlaskForm):
    # The choices are the badges the member holds (set by the view); the service decides
    # whether a submitted key may be shown, so a stale or forged choice gets its message.
    badge = SelectField(_l("Badge shown as your title"), validate_choice=False, id="title-badge")
