"""Forum pages: reading, writing, members' one-button actions, the team's tools and the
category and reaction management pages."""

from community.forums.views import (  # noqa: F401
    acting,
    fragments,
    manage,
    moderating,
    queue_tools,
    reading,
    writing,
)
