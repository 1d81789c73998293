"""Account pages: parse, load or 404, call a service, commit once, render or redirect."""

from community.accounts.views import auth, settings  # noqa: F401
