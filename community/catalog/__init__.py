"""The product catalog: what ideas, reviews and forum categories are about."""

from flask import Blueprint

bp = Blueprint("catalog", __name__)

from community.catalog import subjects, views  # noqa: E402, F401
