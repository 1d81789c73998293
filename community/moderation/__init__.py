"""Moderation: the audit log, roles, flags, the review queue and penalties."""

from flask import Blueprint

bp = Blueprint("moderation", __name__)

from community.moderation import views  # noqa: E402, F401, I001

# After the views: by then the ledgers it calls are importable (no import cycle).
from community.moderation import profiles  # noqa: E402, F401, I001
