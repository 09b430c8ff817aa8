"""Lockout counters, failed-login bursts and the revoked-session list, in Redis (behind the
deployment's key prefix). Lock ends are stored as timestamps of the injected clock; Redis TTLs
only collect the garbage. Redis down makes the lockout looser, never locks everyone out
(ARCHITECTURE.md "Data"): each call then logs, counts and answers "not locked"."""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime

from redis.asyncio import Redis
from redis.exceptions import RedisError

from atende_auth import metrics
from atende_auth.domain.lockout import BurstPolicy, LockoutPolicy
from atende_core.identity import CLOCK_LEEWAY_S, REVOKED_SESSION_KEY

log = logging.getLogger(__name__)


def _unavailable(action: str, exc: RedisError) -> None:
    metrics.REDIS_UNAVAILABLE.labels(action).inc()
    log.warning(
        "redis unavailable; %s skipped",
        action,
        extra={"event.action": "auth-redis-unavailable", "error.type": type(exc).__name__},
    )


class RedisAttemptGuard:
    """AttemptGuard with one policy per scope kind (`user:…`, `ip:…`)."""

    def __init__(
        self,
        redis: Redis,
        *,
        key_prefix: str,
        policies: dict[str, LockoutPolicy],
        burst: BurstPolicy,
    ) -> None:
        self._redis = redis
        self._prefix = key_prefix + "auth:"
        self._policies = policies
        self._burst = burst

    def _policy(self, scope: str) -> LockoutPolicy:
        return self._policies[scope.partition(":")[0]]

    async def locked_until(self, scope: str, *, now: datetime) -> datetime | None:
        """The end of the scope's current lock, if it is locked."""
        try:
            return await self._locked_until(scope, now=now)
        except RedisError as exc:
            _unavailable("lockout-check", exc)
            return None

    async def failed(self, scope: str, *, now: datetime) -> datetime | None:
        """Count one failure; lock the scope when it reaches the threshold."""
        try:
            return await self._failed(scope, now=now)
        except RedisError as exc:
            _unavailable("lockout-count", exc)
            return None

    async def clear(self, scope: str) -> None:
        """Forget the scope's failures and locks (a successful login)."""
        try:
            await self._redis.delete(*(self._prefix + kind + ":" + scope for kind in ("fails", "strikes", "lock")))
        except RedisError as exc:
            _unavailable("lockout-clear", exc)

    async def burst(self, ip: str, account: str) -> bool:
        """Track distinct accounts failing from `ip`; True once per window when the burst threshold is met."""
        try:
            return await self._burst_seen(ip, account)
        except RedisError as exc:
            _unavailable("burst-count", exc)
            return False

    async def _locked_until(self, scope: str, *, now: datetime) -> datetime | None:
        raw = await self._redis.get(self._prefix + "lock:" + scope)
        if raw is None:
            return None
        until = datetime.fromtimestamp(float(raw), UTC)
        return until if until > now else None

    async def _failed(self, scope: str, *, now: datetime) -> datetime | None:
        policy = self._policy(scope)
        fails_key = self._prefix + "fails:" + scope
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(fails_key)
            pipe.expire(fails_key, policy.window_s, nx=True)
            count, _ = await pipe.execute()
        if int(count) < policy.threshold:
            return None
        strikes_key = self._prefix + "strikes:" + scope
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(strikes_key)
            pipe.expire(strikes_key, policy.strikes_memory_s)
            pipe.delete(fails_key)
            strikes, _, _ = await pipe.execute()
        duration_s = policy.lock_duration_s(int(strikes) - 1)
        until = now.timestamp() + duration_s
        await self._redis.set(self._prefix + "lock:" + scope, repr(until), ex=duration_s + 60)
        return datetime.fromtimestamp(until, UTC)

    async def _burst_seen(self, ip: str, account: str) -> bool:
        key = self._prefix + "burst:" + ip
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.sadd(key, account)
            pipe.expire(key, self._burst.window_s, nx=True)
            pipe.scard(key)
            _, _, distinct = await pipe.execute()
        if int(distinct) < self._burst.distinct_accounts:
            return False
        return bool(await self._redis.set(key + ":reported", "1", ex=self._burst.window_s, nx=True))


class RedisRevocations:
    """Sets the revoked-session key of the identity contract for the access-token lifetime."""

    def __init__(self, redis: Redis, *, key_prefix: str, access_ttl_s: int) -> None:
        self._redis = redis
        self._prefix = key_prefix
        self._ttl_s = math.ceil(access_ttl_s + CLOCK_LEEWAY_S)

    async def revoke(self, session_id: str) -> None:
        """Make every guard refuse the session's access tokens from now on (the session's refresh
        tokens are revoked in MongoDB whatever Redis says; without Redis its access tokens live on
        until they expire, which is logged and counted)."""
        key = self._prefix + REVOKED_SESSION_KEY.format(session_id=session_id)
        try:
            await self._redis.set(key, "1", ex=self._ttl_s)
        except RedisError as exc:
            _unavailable("session-revocation", exc)
