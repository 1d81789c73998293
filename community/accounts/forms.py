"""Account forms: fields and field checks only; services decide and save."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional


class RegisterForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(), Length(min=3, max=30)],
        description=_l("3 to 30 characters: letters, digits, _ and -."),
        render_kw={"autocomplete": "username"},
    )
    email = StringField(
        _l("Email"), validators=[DataRequired(), Length(max=255)], render_kw={"type": "email"}
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=10, max=1024)],
        description=_l("At least 10 characters."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(FlaskForm):
    login = StringField(
        _l("Username or email"),
        validators=[DataRequired(), Length(max=255)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Remember me"))


class ResetRequestForm(FlaskForm):
    email = StringField(
        _l("Email"), validators=[DataRequired(), Length(max=255)], render_kw={"type": "email"}
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=10, max=1024)],
        description=_l("At least 10 characters."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=10, max=1024)],
        description=_l("At least 10 characters."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ChangeEmailForm(FlaskForm):
    email = StringField(
        _l("New email"), validators=[DataRequired(), Length(max=255)], render_kw={"type": "email"}
    )
    password = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )


class ProfileForm(FlaskForm):
    display_name = StringField(
        _l("Display name"),
        validators=[Optional(), Length(max=64)],
        description=_l("Shown instead of your username where you write."),
    )
    bio = TextAreaField(
        _l("About you"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Markdown: **bold**, *italic*, [links](https://example.com), lists."),
        render_kw={"rows": 6},
    )


class TokenForm(FlaskForm):
    name = StringField(
        _l("Token name"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("For example the name of the script that uses it."),
    )
    days = IntegerField(
        _l("Valid for (days)"),
        default=90,
        validators=[DataRequired(), NumberRange(min=1, max=3650)],
    )


class EraseForm(FlaskForm):
    password = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    confirm = BooleanField(
        _l("I understand that this cannot be undone."),
        validators=[DataRequired(message=_l("Please confirm."))],
    )
