"""Hourly counts on real Redis: counted by UTC hour, read as the 24 hours of a local day, kept through
a Redis failure until the next flush."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis

from atende_core.hourly_counts import HourlyCounts

pytestmark = pytest.mark.integration
SAO_PAULO = ZoneInfo("America/Sao_Paulo")  # UTC-3, no daylight saving time since 2019


def _at(*parts: int, zone: ZoneInfo = SAO_PAULO) -> float:
    return datetime(*parts, tzinfo=zone).timestamp()


async def test_a_local_day_sums_the_utc_days_it_overlaps(redis: Redis) -> None:
    counts = HourlyCounts(redis, prefix=f"t{uuid.uuid4().hex[:8]}:", name="demo")
    counts.count("hit", at=_at(2026, 3, 2, 0, 10))  # 03:10 UTC
    counts.count("hit", at=_at(2026, 3, 2, 22, 40), amount=2)  # 01:40 UTC the next day
    counts.count("miss", at=_at(2026, 3, 2, 22, 59))
    counts.count("hit", at=_at(2026, 3, 1, 23, 59))  # the day before, locally
    counts.count("hit", at=_at(2026, 3, 3, 0, 0))  # the day after
    await counts.flush()
    day = await counts.local_day(date(2026, 3, 2), SAO_PAULO)
    assert day["hit"][0] == 1
    assert day["hit"][22] == 2
    assert day["miss"][22] == 1
    assert (sum(day["hit"]), sum(day["miss"])) == (3, 1)
    # The same counts seen from UTC: another calendar.
    utc = await counts.local_day(date(2026, 3, 2), ZoneInfo("UTC"))
    assert (utc["hit"][2], utc["hit"][3], sum(utc["hit"])) == (1, 1, 2)
    assert await counts.local_day(date(2026, 4, 1), SAO_PAULO) == {}


async def test_a_dst_day_folds_its_repeated_hour(redis: Redis) -> None:
    new_york = ZoneInfo("America/New_York")  # 2026-11-01: 01:00-02:00 happens twice
    counts = HourlyCounts(redis, prefix=f"t{uuid.uuid4().hex[:8]}:", name="demo")
    counts.count("hit", at=datetime(2026, 11, 1, 5, 30, tzinfo=UTC).timestamp())  # 01:30 EDT
    counts.count("hit", at=datetime(2026, 11, 1, 6, 30, tzinfo=UTC).timestamp())  # 01:30 EST
    await counts.flush()
    day = await counts.local_day(date(2026, 11, 1), new_york)
    assert (day["hit"][1], sum(day["hit"])) == (2, 2)


async def test_counts_wait_for_redis_and_run_flushes_on_stop(redis: Redis, redis_url: str) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}:"
    broken = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    lost = HourlyCounts(broken, prefix=prefix, name="demo")
    lost.count("hit", at=_at(2026, 3, 2, 9, 0))
    await lost.flush()  # Redis away: kept, logged, no error
    await broken.aclose()
    counts = HourlyCounts(redis, prefix=prefix, name="demo")
    counts.count("hit", at=_at(2026, 3, 2, 9, 0), amount=4)
    task = asyncio.create_task(counts.run(3600))
    await asyncio.sleep(0)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert (await counts.local_day(date(2026, 3, 2), SAO_PAULO))["hit"][9] == 4
