"""The branding form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class BrandingForm(FlaskForm):
    name = StringField(_l("Community name"), validators=[DataRequired(), Length(max=64)])
    tagline = StringField(_l("Tagline"), validators=[Length(max=200)])
    primary_color = StringField(
        _l("Primary colour"),
        validators=[DataRequired(), Length(min=7, max=7)],
        description=_l("A hex colour such as #2f6f73."),
        render_kw={"type": "color"},
    )
