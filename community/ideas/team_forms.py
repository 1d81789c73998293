"""Forms of the roadmap, challenges, ship feedback and the team's tools: fields and field
checks only; the services decide and save.

As in ``forms.py``, what a service checks (titles, descriptions, the challenge window,
customer values, usernames, idea numbers) carries no check of its own here, so the pages
and the API give the same message on the same field.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import (
    DateTimeLocalField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, Regexp

from community.ideas.forms import MARKDOWN_HINT, importance_choices, importance_value
from community.ideas.models import TITLE_MAX, Importance
from community.ideas.services.common import BODY_MAX
from community.ideas.services.customer_values import SEGMENT_MAX

USERNAME_MAX = 64
# The customer-value CSV: CSV_MAX_ROWS lines of "member,value,segment" fit well within.
CSV_MAX_BYTES = 2 * 1024 * 1024
_ID = re.compile(r"[0-9]{1,18}")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
_BAD_DATETIME = _l("Give a date and a time, like 2026-12-01 09:00.")


def _idea_number(value: object) -> str:
    """An idea's number as sent by a form (ValueError for anything else)."""
    text = str(value).strip()
    if not _ID.fullmatch(text):
        raise ValueError(text)
    return text


def _username_field(label, description=None, id=None) -> StringField:
    return StringField(
        label,
        description=description,
        id=id,
        validators=[Length(max=USERNAME_MAX)],
        render_kw={
            "maxlength": USERNAME_MAX,
            "autocomplete": "off",
            "autocapitalize": "none",
            "spellcheck": "false",
        },
    )


# ---------------------------------------------------------------- ship feedback


# The forms on an idea's page render their own buttons and carry ids of their own
# ("proxy-username", "merge-into"): the page holds several forms.


class FeedbackForm(FlaskForm):
    """The voter's answer to "Did this solve it for you?" (yes, partly or no)."""

    answer = StringField(_l("Did this solve it for you?"), validators=[Length(max=10)])


# ---------------------------------------------------------------- the team's tools on an idea


class ProxyVoteForm(FlaskForm):
    username = _username_field(
        _l("Customer's username"),
        _l("The vote counts as theirs and outside their vote budget; they are told."),
        id="proxy-username",
    )
    importance = SelectField(
        _l("How important is it to them?"), validate_choice=False, id="proxy-importance"
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("data", {"importance": importance_value(Importance.IMPORTANT)})
        super().__init__(*args, **kwargs)
        self.importance.choices = [SelectChoice(v, label) for v, label in importance_choices()]


class MergeForm(FlaskForm):
    into = StringField(
        _l("Merge into idea number"),
        description=_l("The number of the idea this one duplicates, for example 42."),
        id="merge-into",
        # Longer numbers are no idea's (and too big for the database to look up).
        validators=[
            Regexp(
                r"^\s*#?\s*[0-9]{0,18}\s*$",
                message=_l("Give the number of the idea to merge into."),
            )
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 20},
    )


# ---------------------------------------------------------------- challenges


class ChallengeForm(FlaskForm):
    title = StringField(_l("Title"), render_kw={"maxlength": TITLE_MAX, "autocomplete": "off"})
    body = TextAreaField(
        _l("Question"),
        description=MARKDOWN_HINT,
        render_kw={"rows": 8, "maxlength": BODY_MAX},
    )
    # Blank is "not given": the service says that the window needs both ends.
    starts_at = DateTimeLocalField(
        _l("Starts at (UTC)"),
        format=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        invalid_value_message=_BAD_DATETIME,
    )
    ends_at = DateTimeLocalField(
        _l("Ends at (UTC)"),
        format=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        invalid_value_message=_BAD_DATETIME,
    )
    # "" is "any product"; the service checks that a chosen one exists.
    product = SelectField(_l("Product (optional)"), validate_choice=False)
    save = SubmitField(_l("Create challenge"))

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.product.choices = [SelectChoice("", _l("Any product"))] + [
            SelectChoice(str(p.id), p.name) for p in products
        ]


class WinnersForm(FlaskForm):
    """The winning ideas, in the order of the challenge page (most votes first)."""

    # The service checks that each is an idea of this challenge.
    ideas = SelectMultipleField(
        _l("Winning ideas"),
        coerce=_idea_number,
        validate_choice=False,
        invalid_value_message=_l("Choose the winning ideas."),
    )


# ---------------------------------------------------------------- customer values


class CustomerValueForm(FlaskForm):
    username = _username_field(_l("Member's username"))
    # Checked by the service (a whole number in range), with its message on this field.
    value = StringField(
        _l("Customer value"),
        description=_l("A whole number, for example the yearly revenue from this customer."),
        validators=[Length(max=20)],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 20},
    )
    segment = StringField(
        _l("Segment (optional)"),
        description=_l("A group such as their plan: enterprise, business, starter."),
        validators=[Length(max=SEGMENT_MAX)],
        render_kw={"maxlength": SEGMENT_MAX, "autocomplete": "off", "list": "segment-names"},
    )


class CustomerValuesImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        description=_l(
            "One member a line: member,value,segment (member: username or email; "
            "segment optional; a header line is allowed)."
        ),
        validators=[
            FileRequired(message=_l("Choose a CSV file.")),
            FileSize(CSV_MAX_BYTES, message=_l("The file is too large (at most 2 MB).")),
        ],
        render_kw={"accept": ".csv,text/csv,text/plain"},
    )
