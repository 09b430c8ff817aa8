"""Runs Redis operations so that Redis being down makes Atende slower, never wrong."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

from atende_sgp_adapter import metrics

logger = logging.getLogger(__name__)
T = TypeVar("T")
_REDIS_ERRORS = (RedisError, OSError, TimeoutError)


class RedisDownError(Exception):
    """Redis is unavailable (or was, moments ago); the caller bypasses the cache."""


class RedisGuard:
    """Wraps a Redis client: errors become :class:`RedisDownError`, a metric and one log line.

    After a failure Redis is skipped for ``retry_after_s`` so that every request does not pay a
    connect timeout; the first success afterwards logs the recovery and runs ``on_recover`` hooks.
    """

    def __init__(self, redis: Redis | None, *, retry_after_s: float = 5.0) -> None:
        self.redis = redis
        self._retry_after_s = retry_after_s
        self._down_until = 0.0
        self._down = False
        self._recover_hooks: list[Callable[[], Awaitable[None]]] = []

    def on_recover(self, hook: Callable[[], Awaitable[None]]) -> None:
        """Run ``hook`` when Redis answers again after an outage."""
        self._recover_hooks.append(hook)

    @property
    def available(self) -> bool:
        """False when there is no client or Redis failed within the back-off window."""
        return self.redis is not None and time.monotonic() >= self._down_until

    async def run(self, op: str, call: Callable[[Redis], Awaitable[T]]) -> T:
        """Run ``call(redis)``; raise :class:`RedisDownError` instead of any Redis/network error."""
        if self.redis is None or not self.available:
            raise RedisDownError(op)
        if self._down:
            await self._recover(op)
        try:
            return await call(self.redis)
        except _REDIS_ERRORS as exc:
            self._failed(op, exc)
            raise RedisDownError(op) from exc

    async def _recover(self, op: str) -> None:
        """After an outage: ping, then run the hooks (e.g. replay invalidations) before serving reads."""
        assert self.redis is not None
        try:
            await self.redis.ping()
        except _REDIS_ERRORS as exc:
            self._failed(op, exc)
            raise RedisDownError(op) from exc
        self._down = False
        logger.info("redis available again", extra={"op": op})
        for hook in self._recover_hooks:
            await hook()

    def _failed(self, op: str, exc: BaseException) -> None:
        metrics.CACHE_REDIS_ERRORS.labels(op).inc()
        self._down_until = time.monotonic() + self._retry_after_s
        if not self._down:
            self._down = True
            logger.warning(
                "redis unavailable; calling the billing system directly",
                extra={"op": op, "error_type": type(exc).__name__},
            )
