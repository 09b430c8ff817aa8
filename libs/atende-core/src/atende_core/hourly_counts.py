"""Counts per hour for dashboards, shared by the service that counts and the one that shows them.

    {prefix}stats:<name>:<UTC date>   hash: `<UTC hour 00-23>:<field>` → count; lives TTL_S

A service counts in memory (`count`, no Redis round trip on its hot path) and `flush`es now and
then; a reader asks for one local day (`local_day`: the 24 hours of the ISP's own calendar day,
summed from the one or two UTC days it overlaps) in one pipeline. Counting in UTC hours keeps the
counting service free of the ISP's timezone; a zone with a half-hour offset is read whole hours.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

TTL_S = 40 * 24 * 3600
# Families one service counts and another reads.
SGP_CACHE = "sgp_cache"  # hit, miss: customers' lookups the sgp-adapter answered from its cache, or from SGP


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class HourlyCounts:
    """Counts of one family (e.g. `sgp_cache`: hit, miss) by UTC hour, in one Redis hash per UTC day."""

    def __init__(self, redis: Redis, *, prefix: str, name: str, ttl_s: int = TTL_S) -> None:
        self._redis = redis
        self._base = f"{prefix}stats:{name}:"
        self._ttl = ttl_s
        self._pending: Counter[tuple[str, str]] = Counter()

    def _key(self, day: date) -> str:
        return self._base + day.isoformat()

    def count(self, field: str, *, at: float | None = None, amount: int = 1) -> None:
        """Add to `field` in the hour of `at` (now by default); written by the next `flush`."""
        moment = datetime.fromtimestamp(time.time() if at is None else at, UTC)
        self._pending[(self._key(moment.date()), f"{moment.hour:02d}:{field}")] += amount

    async def add(self, field: str, *, at: float | None = None, amount: int = 1) -> None:
        """Count and write at once (for writers that are not on a hot path)."""
        self.count(field, at=at, amount=amount)
        await self.flush()

    async def flush(self) -> None:
        """Write what was counted; kept for the next flush when Redis does not answer."""
        pending, self._pending = self._pending, Counter()
        if not pending:
            return
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for (key, field), amount in pending.items():
                    pipe.hincrby(key, field, amount)
                for key in {key for key, _ in pending}:
                    pipe.expire(key, self._ttl)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            self._pending.update(pending)
            log.warning("hourly counts not written", extra={"error.type": type(exc).__name__})

    async def run(self, interval_s: float) -> None:
        """Flush every `interval_s` until cancelled, then once more."""
        try:
            while True:
                await asyncio.sleep(interval_s)
                await self.flush()
        finally:
            with contextlib.suppress(RedisError, OSError):
                await asyncio.shield(self.flush())

    async def local_day(self, day: date, zone: ZoneInfo) -> dict[str, list[int]]:
        """Field → 24 counts, one per local hour of `day` in `zone` (a DST day folds or skips one)."""
        start = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
        after = day + timedelta(days=1)
        end = datetime(after.year, after.month, after.day, tzinfo=zone).astimezone(UTC)
        hours: list[datetime] = []
        moment = start.replace(minute=0, second=0, microsecond=0)
        while moment < end:
            hours.append(moment)
            moment += timedelta(hours=1)
        days = sorted({hour.date() for hour in hours})
        async with self._redis.pipeline(transaction=False) as pipe:
            for utc_day in days:
                pipe.hgetall(self._key(utc_day))
            rows = dict(zip(days, await pipe.execute(), strict=True))
        counts: dict[str, list[int]] = {}
        for hour in hours:
            local_hour = hour.astimezone(zone).hour
            prefix = f"{hour.hour:02d}:"
            for raw_field, raw_value in rows[hour.date()].items():
                field = _text(raw_field)
                if field.startswith(prefix):
                    buckets = counts.setdefault(field.removeprefix(prefix), [0] * 24)
                    buckets[local_hour] += int(raw_value)
        return counts
