"""Product ideas: submit and vote, statuses and roadmap, merges, challenges, priorities."""

from flask import Blueprint

bp = Blueprint("ideas", __name__)

from community.ideas import (  # noqa: E402, F401
    models,
    moderation_targets,
    product_section,
    subjects,
    views,
)
from community.ideas.services import data  # noqa: E402, F401  (export and erasure)
from community.ideas.views import campaigns, team  # noqa: E402, F401
