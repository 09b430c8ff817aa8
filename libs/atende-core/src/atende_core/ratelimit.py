"""Rate limits shared by every service, kept in Redis so that all replicas count together.

A thin layer over the `limits` library (moving windows in Redis): callers name a rule ("10/minute")
and the identities it applies to (a user, an address), and get back whether the hit is allowed
and, when it is not, how many seconds to tell the client in `Retry-After`.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RateDecision:
    """The outcome of one hit: allowed, or refused with the seconds until the window frees a slot."""

    allowed: bool
    retry_after_s: int = 0


class RateLimiter:
    """Counts hits per rule and identity in Redis; a Redis failure lets the hit through (fail open)."""

    def __init__(self, *, redis_url: str, key_prefix: str = "") -> None:
        self._storage = RedisStorage(
            f"async+{redis_url}", implementation="redispy", key_prefix=f"{key_prefix}rate_limit", wrap_exceptions=True
        )
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._rules: dict[str, RateLimitItem] = {}

    def _rule(self, rule: str) -> RateLimitItem:
        item = self._rules.get(rule)
        if item is None:
            item = self._rules[rule] = parse(rule)
        return item

    async def hit(self, rule: str, *identities: str) -> RateDecision:
        """Count one hit of `rule` (e.g. "10/minute") for `identities`; refused once the rule is exceeded."""
        item = self._rule(rule)
        try:
            if await self._limiter.hit(item, *identities):
                return RateDecision(allowed=True)
            stats = await self._limiter.get_window_stats(item, *identities)
        except StorageError:
            # Redis down = slower or looser, never locked out of the platform (ARCHITECTURE.md "Data").
            log.warning("rate limit storage unavailable; allowing", extra={"event.action": "rate-limit-fail-open"})
            return RateDecision(allowed=True)
        return RateDecision(allowed=False, retry_after_s=max(1, math.ceil(stats.reset_time - time.time())))

    async def clear(self, rule: str, *identities: str) -> None:
        """Forget the hits of `rule` for `identities` (e.g. after a successful login)."""
        await self._limiter.clear(self._rule(rule), *identities)
