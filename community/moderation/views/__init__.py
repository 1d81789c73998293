"""Moderation pages: the admin's member pages and audit log (admin.py); the review
queue, flags and penalties arrive beside them."""

from community.moderation.views import admin, flags, penalties, queue  # noqa: F401
