"""Handle-once guards backed by Redis: a redelivered event (same id) is skipped.

A key is first *claimed* for a short time while the handler runs, then marked *done* for a long time;
a handler failure releases the claim so the retry can run. Redis down means the check is skipped (the
handler runs, a metric counts it): slower or, at worst, at-least-once, never a lost message.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class Claim(StrEnum):
    """What a claim attempt found."""

    ACQUIRED = "acquired"
    DONE = "done"
    IN_PROGRESS = "in_progress"
    UNAVAILABLE = "unavailable"


class IdempotencyGuard:
    """Claims and completes keys in one Redis namespace."""

    def __init__(
        self, redis: Redis, *, namespace: str, done_ttl_seconds: int = 7 * 24 * 3600, claim_ttl_seconds: int = 60
    ) -> None:
        self._redis = redis
        self._namespace = namespace
        self._done_ttl = done_ttl_seconds
        self._claim_ttl = claim_ttl_seconds

    def _key(self, key: str) -> str:
        return f"idem:{self._namespace}:{key}"

    async def claim(self, key: str) -> Claim:
        """Try to become the one handler of `key`."""
        try:
            if await self._redis.set(self._key(key), "claimed", nx=True, ex=self._claim_ttl):
                return Claim.ACQUIRED
            state = await self._redis.get(self._key(key))
        except (RedisError, OSError):
            log.warning("idempotency store unavailable", extra={"namespace": self._namespace})
            return Claim.UNAVAILABLE
        if state in (b"done", "done"):
            return Claim.DONE
        return Claim.IN_PROGRESS

    async def complete(self, key: str) -> None:
        """Remember `key` as handled for the done TTL."""
        try:
            await self._redis.set(self._key(key), "done", ex=self._done_ttl)
        except (RedisError, OSError):
            log.warning("could not mark event as handled", extra={"namespace": self._namespace})

    async def release(self, key: str) -> None:
        """Give a claim back after a failure, so a retry may claim it again."""
        try:
            await self._redis.delete(self._key(key))
        except (RedisError, OSError):
            log.warning("could not release idempotency claim", extra={"namespace": self._namespace})
