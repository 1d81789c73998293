"""Reputation pages, one module per responsibility."""

from community.reputation.views import badges, history, mavens, privileges  # noqa: F401
