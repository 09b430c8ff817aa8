"""A replayed payment-promise request never registers a second promise (Redis ledger + SGP's rules)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from redis.asyncio import Redis

from atende_sgp_adapter import usecases
from atende_sgp_adapter.adapters.cache import CachedBillingSystem
from atende_sgp_adapter.adapters.keys import CacheKeys
from atende_sgp_adapter.adapters.promise_ledger import RedisPromiseLedger
from atende_sgp_adapter.adapters.redis_guard import RedisGuard
from atende_sgp_adapter.domain import PaymentPromiseResult, PromiseOutcome, Unavailable
from atende_sgp_adapter.settings import Settings

pytestmark = pytest.mark.integration
PROMISE_PATH = "liberacaopromessa"


def ledger_for(redis: Redis, settings: Settings) -> RedisPromiseLedger:
    keys = CacheKeys(settings.cache_hash_key.get_secret_value().encode(), settings.cache_key_prefix)
    return RedisPromiseLedger(RedisGuard(redis, retry_after_s=0.2), keys, ttl_s=settings.promise_idempotency_ttl_s)


async def test_replay_returns_the_first_result(
    make_cached: Callable[..., CachedBillingSystem], make_settings: Callable[..., Settings], redis: Redis, sim: Any
) -> None:
    settings = make_settings()
    billing, ledger = make_cached(redis), ledger_for(redis, settings)
    first = await usecases.request_payment_promise(billing, ledger, request_id="evt-1", contract_id="90004")
    replay = await usecases.request_payment_promise(billing, ledger, request_id="evt-1", contract_id="90004")
    assert isinstance(first, PaymentPromiseResult)
    assert first.outcome is PromiseOutcome.GRANTED
    assert replay == first
    assert sim.count(PROMISE_PATH) == 1
    ttl = await redis.pttl(f"{settings.cache_key_prefix}sgp_promessa:evt-1")
    assert ttl > 29 * 24 * 3600 * 1000


async def test_concurrent_replays_on_two_replicas_call_sgp_once(
    make_cached: Callable[..., CachedBillingSystem], make_settings: Callable[..., Settings], redis_url: str, sim: Any
) -> None:
    sim.faults(latency_ms=200)
    settings = make_settings()
    clients = [Redis.from_url(redis_url), Redis.from_url(redis_url)]
    try:
        replicas = [(make_cached(c), ledger_for(c, settings)) for c in clients]
        results = await asyncio.gather(
            *(
                usecases.request_payment_promise(b, lg, request_id="evt-2", contract_id="90004")
                for b, lg in replicas * 3
            )
        )
    finally:
        for c in clients:
            await c.aclose()
    assert sim.count(PROMISE_PATH) == 1
    assert all(isinstance(r, PaymentPromiseResult) and r.granted for r in results)


async def test_without_redis_sgp_rules_still_prevent_a_second_promise(
    make_cached: Callable[..., CachedBillingSystem],
    make_settings: Callable[..., Settings],
    private_redis: Any,
    sim: Any,
) -> None:
    settings = make_settings()
    client = Redis.from_url(private_redis.url, socket_timeout=0.25, socket_connect_timeout=0.25)
    try:
        private_redis.stop()
        billing, ledger = make_cached(client), ledger_for(client, settings)
        first = await usecases.request_payment_promise(billing, ledger, request_id="evt-3", contract_id="90004")
        same_replica = await usecases.request_payment_promise(billing, ledger, request_id="evt-3", contract_id="90004")
        other_ledger = ledger_for(client, settings)  # another replica: no shared memory, no Redis
        other_replica = await usecases.request_payment_promise(
            billing, other_ledger, request_id="evt-3", contract_id="90004"
        )
    finally:
        await client.aclose()
    assert isinstance(first, PaymentPromiseResult)
    assert first.granted
    assert same_replica == first
    assert sim.count(PROMISE_PATH) == 2
    assert isinstance(other_replica, PaymentPromiseResult)
    assert other_replica.outcome is PromiseOutcome.NOT_BLOCKED  # SGP refused to unlock twice
    assert sim.contract(90004)["promises_this_month"] == 1


async def test_sgp_down_gives_unavailable_and_a_later_replay_succeeds(
    make_cached: Callable[..., CachedBillingSystem], make_settings: Callable[..., Settings], redis: Redis, sim: Any
) -> None:
    settings = make_settings()
    billing, ledger = make_cached(redis), ledger_for(redis, settings)
    sim.faults(mode="down")
    down = await usecases.request_payment_promise(billing, ledger, request_id="evt-4", contract_id="90004")
    assert isinstance(down, Unavailable)
    sim.faults(mode="ok")
    retried = await usecases.request_payment_promise(billing, ledger, request_id="evt-4", contract_id="90004")
    assert isinstance(retried, PaymentPromiseResult)
    assert retried.granted
