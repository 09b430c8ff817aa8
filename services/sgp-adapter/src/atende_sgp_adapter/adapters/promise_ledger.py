"""Idempotency ledger for payment promises: Redis with an in-process fallback."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import OrderedDict

from atende_sgp_adapter.adapters.keys import CacheKeys
from atende_sgp_adapter.adapters.redis_guard import RedisDownError, RedisGuard
from atende_sgp_adapter.domain.models import PaymentPromiseResult

_PENDING = json.dumps({"state": "pending"})


class RedisPromiseLedger:
    """Stores each promise result by request id (long TTL) and claims ids before calling SGP.

    While Redis is down a bounded in-process map keeps replays on this replica safe; across
    replicas SGP's own quota answer is the last guard.
    """

    def __init__(
        self, guard: RedisGuard, keys: CacheKeys, *, ttl_s: float, pending_ttl_s: float = 60.0, local_max: int = 10_000
    ) -> None:
        self._guard = guard
        self._keys = keys
        self._ttl_ms = max(int(ttl_s * 1000), 1)
        self._pending_ms = max(int(pending_ttl_s * 1000), 1)
        self._local: OrderedDict[str, PaymentPromiseResult | None] = OrderedDict()
        self._local_max = local_max

    def _remember_local(self, request_id: str, value: PaymentPromiseResult | None) -> None:
        self._local[request_id] = value
        self._local.move_to_end(request_id)
        while len(self._local) > self._local_max:
            self._local.popitem(last=False)

    async def get(self, request_id: str) -> PaymentPromiseResult | None:
        """The stored result, if this request already completed."""
        local = self._local.get(request_id)
        if local is not None:
            return local
        try:
            raw = await self._guard.run("get", lambda r: r.get(self._keys.promise(request_id)))
        except RedisDownError:
            return None
        if raw is None:
            return None
        data = json.loads(raw)
        if data.get("state") != "done":
            return None
        return PaymentPromiseResult.model_validate(data["result"])

    async def claim(self, request_id: str) -> bool:
        """Mark ``request_id`` in progress; False when someone else already has it."""
        if request_id in self._local:
            return False
        self._remember_local(request_id, None)
        try:
            return bool(
                await self._guard.run(
                    "set",
                    lambda r: r.set(self._keys.promise(request_id), _PENDING, nx=True, px=self._pending_ms),
                )
            )
        except RedisDownError:
            return True

    async def release(self, request_id: str) -> None:
        """Drop a claim whose call failed, so a replay may try again."""
        self._local.pop(request_id, None)
        with contextlib.suppress(RedisDownError):
            await self._guard.run("delete", lambda r: r.delete(self._keys.promise(request_id)))

    async def put(self, request_id: str, result: PaymentPromiseResult) -> None:
        """Store the final result for ``request_id``."""
        self._remember_local(request_id, result)
        value = json.dumps({"state": "done", "result": result.model_dump(mode="json")})
        with contextlib.suppress(RedisDownError):
            await self._guard.run("set", lambda r: r.set(self._keys.promise(request_id), value, px=self._ttl_ms))

    async def wait(self, request_id: str, timeout_s: float) -> PaymentPromiseResult | None:
        """Wait (bounded) for a result another worker is producing."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            result = await self.get(request_id)
            if result is not None:
                return result
            await asyncio.sleep(0.05)
        return None
