"""Moderation: the audit log, roles and suspensions (flags and the queue come later)."""

from flask import Blueprint

bp = Blueprint("moderation", __name__)

from community.moderation import views  # noqa: E402, F401
