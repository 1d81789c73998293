"""Moving-window rate limits that book every limit of a budget in one step.

``acquire(bucket, limits)`` books one use of ``bucket`` against each ``(amount,
seconds)`` limit at once (all or none), or says which limit is full and how many
seconds to wait until every limit has room again; ``release`` gives a booking back.
The member limits (``moderation/limits.py``) book before a write and give the
booking back when the write did not succeed: one Redis round trip for a write that
succeeds, whatever the number of limits, and concurrent writes cannot slip past a
limit together.

A window is the list of the bucket's recent uses, newest first, trimmed to the
limit's amount: a limit of ``amount`` per ``seconds`` is full while its
``amount``-th newest use is younger than ``seconds``. With Redis (a ``redis://``
storage URI) every process shares the windows, booked by one Lua script; otherwise
they live in this process (development and tests).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

Limit = tuple[int, float]  # (amount, seconds)

PREFIX = "mitmach:window:"

# KEYS: one list per limit. ARGV: now, then every limit's amount, then every seconds.
# Returns nil when every limit had room (the use is booked in each), else the position
# (from 1) of the limit that has room last and the seconds until it has (as a string:
# Lua numbers become integers).
_ACQUIRE = """
local now = tonumber(ARGV[1])
local n = #KEYS
local wait, full = 0, 0
for i = 1, n do
  local amount, seconds = tonumber(ARGV[1 + i]), tonumber(ARGV[1 + n + i])
  local oldest = redis.call('LINDEX', KEYS[i], amount - 1)
  if oldest and tonumber(oldest) > now - seconds then
    local until_room = tonumber(oldest) + seconds - now
    if until_room > wait then
      wait, full = until_room, i
    end
  end
end
if full > 0 then
  return {full, tostring(wait)}
end
for i = 1, n do
  local amount, seconds = tonumber(ARGV[1 + i]), tonumber(ARGV[1 + n + i])
  redis.call('LPUSH', KEYS[i], ARGV[1])
  redis.call('LTRIM', KEYS[i], 0, amount - 1)
  redis.call('EXPIRE', KEYS[i], math.ceil(seconds))
end
return false
"""

_RELEASE = """
for i = 1, #KEYS do
  redis.call('LREM', KEYS[i], 1, ARGV[1])
end
return 1
"""


@dataclass(frozen=True)
class Full:
    """A refusal: ``limit`` (its position) has room again last, in ``wait`` seconds."""

    limit: int
    wait: float


@dataclass(frozen=True)
class Booking:
    """One booked use: the windows' keys and the stamp it was booked under."""

    keys: tuple[str, ...]
    stamp: str


def _keys(bucket: str, limits: tuple[Limit, ...]) -> tuple[str, ...]:
    return tuple(f"{PREFIX}{bucket}:{amount}/{seconds:g}" for amount, seconds in limits)


def seconds_to_wait(wait: float) -> int:
    """A wait as the whole seconds a client is told (``Retry-After``): at least 1."""
    return max(1, math.ceil(wait))


class RedisWindows:
    """The windows in Redis: one script call books, one gives back."""

    def __init__(self, url: str) -> None:
        import redis

        self._client = redis.Redis.from_url(url)
        self._acquire = self._client.register_script(_ACQUIRE)
        self._release = self._client.register_script(_RELEASE)

    def acquire(self, bucket: str, limits: tuple[Limit, ...]) -> Booking | Full:
        """The booking, or which limit is full and for how long."""
        keys, stamp = _keys(bucket, limits), repr(time.time())
        amounts = [amount for amount, _seconds in limits]
        seconds = [repr(float(s)) for _amount, s in limits]
        full = self._acquire(keys=keys, args=[stamp, *amounts, *seconds])
        return Booking(keys, stamp) if full is None else Full(int(full[0]) - 1, float(full[1]))

    def release(self, booking: Booking) -> None:
        self._release(keys=booking.keys, args=[booking.stamp])

    def clear(self) -> None:
        keys = list(self._client.scan_iter(match=f"{PREFIX}*"))
        if keys:
            self._client.delete(*keys)


class MemoryWindows:
    """The windows of this process (no Redis): the same rules, under a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, deque[float]] = {}

    def acquire(self, bucket: str, limits: tuple[Limit, ...]) -> Booking | Full:
        keys, now = _keys(bucket, limits), time.time()
        with self._lock:
            windows = [self._windows.setdefault(key, deque()) for key in keys]
            full: Full | None = None
            for i, (window, (amount, seconds)) in enumerate(zip(windows, limits, strict=True)):
                if len(window) >= amount and window[amount - 1] > now - seconds:
                    until_room = window[amount - 1] + seconds - now
                    if full is None or until_room > full.wait:
                        full = Full(i, until_room)
            if full is not None:
                return full
            for window, (amount, _seconds) in zip(windows, limits, strict=True):
                window.appendleft(now)
                while len(window) > amount:
                    window.pop()
        return Booking(keys, repr(now))

    def release(self, booking: Booking) -> None:
        stamp = float(booking.stamp)
        with self._lock:
            for key in booking.keys:
                window = self._windows.get(key)
                if window is not None and stamp in window:
                    window.remove(stamp)

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()


def windows_for(storage_uri: str | None) -> Any:
    """The windows for a storage URI: Redis for ``redis://``/``rediss://``, else memory."""
    if storage_uri and storage_uri.startswith(("redis://", "rediss://", "unix://")):
        return RedisWindows(storage_uri)
    return MemoryWindows()
