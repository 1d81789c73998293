"""Time in the dataset: whole seconds since an origin at midnight UTC.

The timeline ends one hour into the day of seeding (``today``): the shape is fixed, the
dates follow the calendar, so "this week" and "recent" always have data, even on a
Monday. Members join over two years, content is written over the last year.
"""

from __future__ import annotations

import datetime as dt

DAY = 86_400
MEMBER_DAYS = 730
CONTENT_DAYS = 365
# Into the day of seeding: the week board has points even when today is Monday.
END_OFFSET = 3_600
# The newest member joined this long before the end: nobody is in the new-member sandbox.
YOUNGEST_MEMBER = 30 * DAY


class Timeline:
    """Seconds <-> stored values; the strings are what SQLAlchemy stores on SQLite and
    what PostgreSQL's COPY reads for ``timestamp`` and ``date`` columns."""

    def __init__(self, today: dt.date) -> None:
        first_day = today - dt.timedelta(days=MEMBER_DAYS)
        self.origin = dt.datetime.combine(first_day, dt.time(), dt.UTC)
        self.end = MEMBER_DAYS * DAY + END_OFFSET
        self.content_start = (MEMBER_DAYS - CONTENT_DAYS) * DAY
        self.days = MEMBER_DAYS + 1
        self._dates = [(first_day + dt.timedelta(days=d)).isoformat() for d in range(self.days)]
        self._prefixes = [f"{d} " for d in self._dates]
        self._times: list[str] | None = None

    @property
    def end_datetime(self) -> dt.datetime:
        return self.datetime(self.end)

    def datetime(self, seconds: int) -> dt.datetime:
        """An aware UTC datetime, for values passed through the ORM."""
        return self.origin + dt.timedelta(seconds=seconds)

    def stamp(self, seconds: int | None) -> str | None:
        """``YYYY-MM-DD HH:MM:SS.000000`` (None stays None). Seconds past the last day
        (penalties ending later) are formatted the slow way."""
        if seconds is None:
            return None
        day, rest = divmod(seconds, DAY)
        if day >= self.days or seconds < 0:
            return f"{self.datetime(seconds):%Y-%m-%d %H:%M:%S.%f}"
        if self._times is None:
            self._times = [
                f"{h:02d}:{m:02d}:{s:02d}.000000"
                for h in range(24)
                for m in range(60)
                for s in range(60)
            ]
        return self._prefixes[day] + self._times[rest]

    def date(self, seconds: int) -> str:
        """The UTC day of a moment, ``YYYY-MM-DD``."""
        return self._dates[seconds // DAY]

    def day_date(self, day: int) -> str:
        return self._dates[day]
