"""The product form; the service checks the slug's form and uniqueness."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from community.catalog.services import CATEGORY_MAX, DESCRIPTION_MAX, NAME_MAX, SLUG_MAX


class ProductForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=NAME_MAX)])
    slug = StringField(
        _l("Address"),
        validators=[DataRequired(), Length(max=SLUG_MAX)],
        description=_l(
            "The end of the product's web address, /products/your-product: lowercase "
            "letters, digits and - only."
        ),
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )
    category = StringField(
        _l("Category"),
        validators=[Length(max=CATEGORY_MAX)],
        description=_l("Groups products on the product list, for example Apps or Hardware."),
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=DESCRIPTION_MAX)],
        description=_l("Markdown: **bold**, *italic*, [links](https://example.com), lists."),
        render_kw={"rows": 8},
    )
