"""Moving windows that book every limit of a budget in one step, in this process and in
Redis (the member rate limits' storage; ``TEST_REDIS_URL``, by default database 12 of
the local Redis, which every machine of the project runs, CI included)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from community.core.rate_windows import Booking, Full, MemoryWindows, RedisWindows, windows_for

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/12")


@pytest.fixture(params=["memory", "redis"])
def windows(request) -> Iterator[Any]:
    store = MemoryWindows() if request.param == "memory" else RedisWindows(REDIS_URL)
    yield store
    store.clear()


@pytest.fixture()
def bucket() -> str:
    return f"test-{uuid.uuid4().hex}"


def test_a_limit_books_up_to_its_amount_then_says_how_long_to_wait(windows, bucket):
    limits = ((2, 60.0),)
    assert isinstance(windows.acquire(bucket, limits), Booking)
    assert isinstance(windows.acquire(bucket, limits), Booking)

    full = windows.acquire(bucket, limits)

    assert isinstance(full, Full)
    assert full.limit == 0
    assert 59 < full.wait <= 60


def test_buckets_are_apart(windows, bucket):
    windows.acquire(bucket, ((1, 60.0),))

    assert isinstance(windows.acquire(bucket + "-other", ((1, 60.0),)), Booking)


def test_a_refusal_names_the_limit_with_room_last_and_books_nothing(windows, bucket):
    minute, hour = (3, 60.0), (1, 3600.0)
    assert isinstance(windows.acquire(bucket, (minute, hour)), Booking)

    full = windows.acquire(bucket, (minute, hour))

    assert isinstance(full, Full)
    assert full.limit == 1
    assert 3599 < full.wait <= 3600
    # The refused use took nothing from the minute's window: two more fit there.
    assert isinstance(windows.acquire(bucket, (minute,)), Booking)
    assert isinstance(windows.acquire(bucket, (minute,)), Booking)
    assert isinstance(windows.acquire(bucket, (minute,)), Full)


def test_a_released_booking_frees_its_place_in_every_limit(windows, bucket):
    limits = ((1, 60.0), (5, 3600.0))
    booking = windows.acquire(bucket, limits)
    assert isinstance(windows.acquire(bucket, limits), Full)

    windows.release(booking)

    assert isinstance(windows.acquire(bucket, limits), Booking)
    assert isinstance(windows.acquire(bucket, ((5, 3600.0),)), Booking)  # 2 of 5 booked


def test_a_window_moves_on(windows, bucket):
    limits = ((1, 0.05),)
    windows.acquire(bucket, limits)
    assert isinstance(windows.acquire(bucket, limits), Full)

    time.sleep(0.1)

    assert isinstance(windows.acquire(bucket, limits), Booking)


def test_the_storage_uri_picks_the_store():
    assert isinstance(windows_for("memory://"), MemoryWindows)
    assert isinstance(windows_for(None), MemoryWindows)
    assert isinstance(windows_for("redis://127.0.0.1:6379/12"), RedisWindows)
