"""Forum forms: fields and field checks only; the services decide and save.

Titles and bodies carry no length validators here: ``services/common.py`` checks them, so
the pages and the API give the same message on the same field.
"""

from __future__ import annotations

import uuid

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from community.forums.models import CategoryKind, Level
from community.forums.services.common import BODY_MAX, TITLE_MAX

REASON_MAX = 500
TAGS_FIELD_MAX = 200
# The default reactions' labels (models.DEFAULT_REACTIONS) are stored in English and
# translated when shown (``_(rt.label)``); listed here so they are extracted.
DEFAULT_REACTION_LABELS = (_l("Like"), _l("Thanks"), _l("Insightful"), _l("Confused"))
MARKDOWN_HINT = _l("Markdown: **bold**, *italic*, [links](https://example.com), > quotes, lists.")
TAGS_HINT = _l("Up to 5, separated by commas: lower-case letters, digits and hyphens.")


def new_client_key() -> str:
    """The key a topic or reply form carries, so a double submit makes one post."""
    return uuid.uuid4().hex


def split_tags(value: str | None) -> list[str]:
    """The tags typed into a comma-separated field, in order, without empties."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def level_choices() -> list[SelectChoice]:
    return [
        SelectChoice(int(Level.WATCHING), _l("Watching: a notification for every new post")),
        SelectChoice(
            int(Level.TRACKING), _l("Tracking: unread counts, mentions and replies to you")
        ),
        SelectChoice(int(Level.NORMAL), _l("Normal: mentions and replies to you")),
        SelectChoice(int(Level.MUTED), _l("Muted: no notifications")),
    ]


def _client_key_field() -> HiddenField:
    return HiddenField(validators=[Optional(), Regexp(r"^[0-9a-f]{32}$")])


def _body_field(label) -> TextAreaField:
    return TextAreaField(
        label,
        description=MARKDOWN_HINT,
        render_kw={"rows": 10, "maxlength": BODY_MAX},
    )


class TopicForm(FlaskForm):
    title = StringField(
        _l("Title"),
        render_kw={"maxlength": TITLE_MAX, "autocomplete": "off"},
    )
    body = _body_field(_l("Your post"))
    tags = StringField(
        _l("Tags"),
        validators=[Optional(), Length(max=TAGS_FIELD_MAX)],
        description=TAGS_HINT,
        render_kw={"autocomplete": "off"},
    )
    client_key = _client_key_field()
    # Set on the confirm step: the author saw the similar topics and posts anyway.
    confirmed = HiddenField()
    preview = SubmitField(_l("Preview"))
    post = SubmitField(_l("Post topic"))


class ReplyForm(FlaskForm):
    body = _body_field(_l("Your reply"))
    reply_to = HiddenField(validators=[Optional(), Regexp(r"^[0-9]{1,18}$")])
    client_key = _client_key_field()
    preview = SubmitField(_l("Preview"))
    post = SubmitField(_l("Post reply"))


class EditPostForm(FlaskForm):
    # Only shown (and only read) for the first post of a topic.
    title = StringField(_l("Title"), render_kw={"maxlength": TITLE_MAX, "autocomplete": "off"})
    body = _body_field(_l("Your post"))
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save changes"))


class LevelForm(FlaskForm):
    # InputRequired, not DataRequired: MUTED is 0.
    level = SelectField(_l("Notifications"), coerce=int, validators=[InputRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = level_choices()


class AcceptForm(FlaskForm):
    post_id = IntegerField(validators=[DataRequired(), NumberRange(min=1)])


class ReactForm(FlaskForm):
    # The pressed button carries the reaction's name.
    name = StringField(validators=[DataRequired(), Length(max=30)])


class ToggleForm(FlaskForm):
    """Pin/unpin, lock/unlock: the pressed button says which, so a repeat changes nothing."""

    state = SelectField(choices=[SelectChoice("1"), SelectChoice("0")], validators=[DataRequired()])


class OfficialForm(FlaskForm):
    mode = SelectField(
        choices=[SelectChoice("official"), SelectChoice("pinned"), SelectChoice("none")],
        validators=[DataRequired()],
    )


class HideForm(FlaskForm):
    reason = StringField(
        _l("Reason"),
        validators=[DataRequired(), Length(max=REASON_MAX)],
        description=_l("Shown to the author and kept in the audit log."),
        render_kw={"maxlength": REASON_MAX},
    )


class MoveForm(FlaskForm):
    category = SelectField(_l("Move to category"), coerce=int, validate_choice=False)


class TagsForm(FlaskForm):
    tags = StringField(
        _l("Tags"),
        validators=[Optional(), Length(max=TAGS_FIELD_MAX)],
        description=TAGS_HINT,
        render_kw={"autocomplete": "off"},
    )


# ---------------------------------------------------------------- the team's pages


def kind_choices() -> list[SelectChoice]:
    return [
        SelectChoice(CategoryKind.DISCUSSION.value, _l("Discussion")),
        SelectChoice(CategoryKind.QA.value, _l("Questions and answers")),
    ]


class CategoryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    slug = StringField(
        _l("Address"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("Shown in links: /forums/<address>/. Lower-case letters, digits, hyphens."),
        render_kw={"autocomplete": "off"},
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 3}
    )
    kind = SelectField(_l("Kind"), validate_choice=False)
    is_private = BooleanField(
        _l("Private focus group: only invited members, the team and admins see it")
    )
    # "" is "no product"; the service checks that a chosen product exists.
    product_id = SelectField(_l("Product"), validate_choice=False)
    position = IntegerField(
        _l("Position"),
        default=0,
        validators=[Optional(), NumberRange(min=-1_000_000, max=1_000_000)],
        description=_l("Lower numbers come first."),
    )

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = kind_choices()
        self.product_id.choices = [("", _l("No product"))] + [(str(p.id), p.name) for p in products]

    @property
    def product_value(self) -> int | None:
        value = (self.product_id.data or "").strip()
        return int(value) if value.isdigit() else None


class InviteForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(), Length(max=30)],
        render_kw={"autocomplete": "off"},
    )


class ReactionTypeForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=30)],
        description=_l("Used in links and the API; cannot be changed later."),
        render_kw={"autocomplete": "off"},
    )
    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=64)])
    emoji = StringField(_l("Emoji"), validators=[DataRequired(), Length(max=16)])
    is_positive = BooleanField(_l("Positive: gives the author reputation"), default=True)


class ReactionTypeEditForm(FlaskForm):
    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=64)])
    emoji = StringField(_l("Emoji"), validators=[DataRequired(), Length(max=16)])
    is_positive = BooleanField(_l("Positive"))
    is_active = BooleanField(_l("Offered"))
    position = IntegerField(
        _l("Position"), validators=[Optional(), NumberRange(min=0, max=1000)], default=0
    )
