"""Ideas pages: the list, an idea's page, writing and editing, members' one-button
actions and the team's tools on an idea."""

from community.ideas.views import acting, reading, writing  # noqa: F401
