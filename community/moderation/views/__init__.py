"""Moderation pages: the admin's member pages and audit log, the review queue, flags
and penalties."""

from community.moderation.views import admin, flags, penalties, queue  # noqa: F401
