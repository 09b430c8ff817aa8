"""Per-number send limiter shared by every replica: GCRA (a token bucket kept as one timestamp) in a
Redis Lua script, on Redis's own clock so replicas with skewed clocks still share one budget; each
caller reserves its slot in one round trip and sleeps until it.

pyrate-limiter 4 has an async Redis GCRA, but it stamps time on the client and its Limiter brings
locks and leaker threads; this is the same algorithm in a dozen lines, waiting instead of dropping.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

from atende_whatsapp_connector import metrics

log = logging.getLogger(__name__)

# KEYS[1]: theoretical arrival time (TAT) of the next message (µs, Redis clock).
# ARGV[1]: emission interval (µs per message); ARGV[2]: burst tolerance (µs).
# Books the caller's slot and returns how many µs to wait for it (0: send now). Reserving instead of
# "try, sleep, retry" keeps the number at its full rate under contention and serves callers in order.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local next_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', next_tat), 'PX', math.ceil((next_tat - now) / 1000) + 1000)
local wait = tat - tolerance - now
if wait < 0 then return 0 end
return wait
"""
# Sleep a hair longer than the reservation: timers may fire a little early, the budget must hold.
_TIMER_MARGIN_SECONDS = 0.001


class RedisSendLimiter:
    """At most `rate_per_second` sends per phone number (plus `burst - 1` back to back), all replicas together."""

    def __init__(self, redis: Redis, *, rate_per_second: float, burst: int = 1, prefix: str = "") -> None:
        self._redis = redis
        self._interval_us = max(1, math.ceil(1_000_000 / rate_per_second))
        self._tolerance_us = (burst - 1) * self._interval_us
        self._prefix = prefix
        self._script = redis.register_script(_GCRA)

    async def acquire(self, phone_number_id: str) -> None:
        """Wait for this number's next slot; with Redis away, go on (Meta's 130429 is the backstop)."""
        key = f"{self._prefix}rate_limit:whatsapp:{phone_number_id}"
        started = time.perf_counter()
        try:
            wait_us = int(await self._script(keys=[key], args=[self._interval_us, self._tolerance_us]))
        except (RedisError, OSError):
            metrics.LIMITER_UNAVAILABLE.inc()
            log.warning("send limiter unavailable; sending without the shared budget")
            return
        if wait_us > 0:
            await asyncio.sleep(wait_us / 1_000_000 + _TIMER_MARGIN_SECONDS)
        metrics.LIMITER_WAIT.observe(time.perf_counter() - started)
