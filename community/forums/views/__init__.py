"""Forum pages: reading, writing, members' one-button actions, the team's tools and the
category and reaction management pages."""

from community.forums.views import acting, manage, moderating, reading, writing  # noqa: F401
