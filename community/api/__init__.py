"""JSON API v1: thin handlers over the feature services."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from community.api import forums, ideas, moderation, reputation, views  # noqa: E402, F401
