"""Ideas forms: fields and field checks only; the services decide and save.

Titles, descriptions, comments, notes and importance carry no checks of their own here:
``services/common.py`` and ``services/voting.py`` check them, so the pages and the API
give the same message on the same field.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from community.ideas.models import TITLE_MAX, Importance
from community.ideas.services.common import BODY_MAX, COMMENT_MAX, NOTE_MAX
from community.ideas.services.statuses import SETTABLE, status_label

TAGS_FIELD_MAX = 200
MARKDOWN_HINT = _l("Markdown: **bold**, *italic*, [links](https://example.com), > quotes, lists.")
TAGS_HINT = _l("Up to 5, separated by commas: lower-case letters, digits and hyphens.")
IMPORTANCE_LABELS = {
    Importance.NICE_TO_HAVE: _l("Nice to have"),
    Importance.IMPORTANT: _l("Important"),
    Importance.CRITICAL: _l("Critical"),
}
_ID = r"^[0-9]{1,18}$"


def importance_value(importance: Importance | int) -> str:
    """The form value of an importance ("nice_to_have", "important", "critical")."""
    return Importance(importance).name.lower()


def importance_choices() -> list[tuple[str, str]]:
    """(form value, label) of each importance, least important first."""
    return [(importance_value(i), str(label)) for i, label in IMPORTANCE_LABELS.items()]


def importance_label(importance: Importance | int) -> str:
    return str(IMPORTANCE_LABELS[Importance(importance)])


def _body_field(label, limit: int, rows: int = 10) -> TextAreaField:
    return TextAreaField(
        label, description=MARKDOWN_HINT, render_kw={"rows": rows, "maxlength": limit}
    )


def _tags_field() -> StringField:
    return StringField(
        _l("Tags"),
        validators=[Optional(), Length(max=TAGS_FIELD_MAX)],
        description=TAGS_HINT,
        render_kw={"autocomplete": "off"},
    )


class IdeaForm(FlaskForm):
    title = StringField(
        _l("Title"),
        description=_l("What should the product do? One sentence."),
        render_kw={"maxlength": TITLE_MAX, "autocomplete": "off"},
    )
    body = _body_field(_l("Description"), BODY_MAX)
    # "" is "not chosen yet"; the service checks that the product exists and is active.
    product = SelectField(
        _l("Product"),
        validate_choice=False,
        validators=[DataRequired(message=_l("Choose the product the idea is for."))],
    )
    tags = _tags_field()
    # The challenge the idea answers (from ?challenge=); the service checks it is open.
    challenge = HiddenField(validators=[Optional(), Regexp(_ID)])
    # Set on the confirm step: the author saw the similar ideas and posts anyway.
    confirmed = HiddenField()
    preview = SubmitField(_l("Preview"))
    post = SubmitField(_l("Post idea"))

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.product.choices = [SelectChoice("", _l("Choose a product"))] + [
            SelectChoice(str(p.id), p.name) for p in products
        ]


class EditIdeaForm(FlaskForm):
    title = StringField(_l("Title"), render_kw={"maxlength": TITLE_MAX, "autocomplete": "off"})
    body = _body_field(_l("Description"), BODY_MAX)
    tags = _tags_field()
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save changes"))


class VoteForm(FlaskForm):
    """A vote, or a new importance for one: the chosen radio button's value."""

    importance = StringField(_l("How important is it to you?"), validators=[Length(max=20)])


class FollowForm(FlaskForm):
    """Follow or unfollow: the pressed button says which, so a repeat changes nothing."""

    following = SelectField(
        choices=[SelectChoice("1"), SelectChoice("0")], validators=[DataRequired()]
    )


class CommentForm(FlaskForm):
    body = _body_field(_l("Your comment"), COMMENT_MAX, rows=5)
    post = SubmitField(_l("Post comment"))


class PinForm(FlaskForm):
    # Empty: unpin.
    comment_id = HiddenField(validators=[Optional(), Regexp(_ID)])


def status_choices() -> list[SelectChoice]:
    return [SelectChoice(s.value, status_label(s)) for s in SETTABLE]


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"), validate_choice=False)
    note = TextAreaField(
        _l("Note to the followers"),
        description=_l("Markdown. Required when declining: say why."),
        render_kw={"rows": 3, "maxlength": NOTE_MAX},
    )
    save = SubmitField(_l("Change status"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = status_choices()
