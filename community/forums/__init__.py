"""Customer forums: categories, topics and posts, Q&A, reactions, watching, focus groups."""

from flask import Blueprint

bp = Blueprint("forums", __name__)

from community.forums import (  # noqa: E402, F401
    moderation_targets,
    product_section,
    profile_section,
    subjects,
    views,
)
from community.forums.services import data  # noqa: E402, F401  (export and erasure)
