"""The Redis cache in front of the real SGP client: TTLs, negative caching, stampedes, invalidation,
warming, metrics, and Redis failing mid-test."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from prometheus_client import REGISTRY
from redis.asyncio import Redis

from atende_core.hourly_counts import SGP_CACHE, HourlyCounts
from atende_sgp_adapter.adapters.cache import CachedBillingSystem
from atende_sgp_adapter.adapters.sgp import SgpBillingSystem
from atende_sgp_adapter.domain import ConnectionState, ContractStatus, PromiseOutcome, TicketRequest
from atende_sgp_adapter.settings import Settings
from atende_sim_sgp.base import DEMO_CUSTOMERS
from atende_testing import wait_until

pytestmark = pytest.mark.integration
MARIA, ANA, JOAO, PAULO = "12345678909", "98765432100", "11144477735", "33344455508"
Make = Callable[..., CachedBillingSystem]


def lookups(family: str, result: str) -> float:
    return REGISTRY.get_sample_value("atende_sgp_cache_lookups_total", {"family": family, "result": result}) or 0.0


def redis_errors() -> float:
    return sum(
        s.value
        for metric in REGISTRY.collect()
        if metric.name == "atende_sgp_cache_redis_errors"
        for s in metric.samples
        if s.name.endswith("_total")
    )


async def keys_of(redis: Redis, prefix: str) -> list[str]:
    return sorted(k.decode() for k in await redis.keys(f"{prefix}*"))


async def test_second_lookup_is_a_hit_and_keys_hold_no_cpf(make_cached: Make, redis: Redis, sim: Any) -> None:
    cache = make_cached(redis)
    hits, misses = lookups("customer", "hit"), lookups("customer", "miss")
    first = await cache.find_customer(MARIA)
    second = await cache.find_customer("123.456.789-09")
    assert first == second
    assert sim.count("consultacliente") == 1
    assert lookups("customer", "hit") == hits + 1
    assert lookups("customer", "miss") == misses + 1
    await cache.list_open_invoices("90000")
    await cache.connection_status("90000")
    await cache.active_outages("1")
    prefix = cache._keys.prefix
    keys = await keys_of(redis, prefix)
    assert all(MARIA not in k for k in keys)
    values = [await redis.get(k) for k in keys if not k.endswith("recentes:contratos")]
    families = {k.removeprefix(prefix).split(":")[0] for k in keys}
    assert {"sgp_cliente", "sgp_faturas", "sgp_acesso", "sgp_manutencao", "sgp_contrato_dono"} <= families
    assert all(b"senha" not in (v or b"") for v in values)
    # Values are ciphertexts: no document, name or address readable at rest.
    customer_value = await redis.get(cache._keys.customer(MARIA))
    assert customer_value.startswith(b"pii1")
    assert all(MARIA.encode() not in (v or b"") and b"DEMO" not in (v or b"").upper() for v in values)
    ttl = {k.removeprefix(prefix).split(":")[0]: await redis.pttl(k) for k in keys}
    assert 1_790_000 < ttl["sgp_cliente"] <= 1_800_000
    assert 290_000 < ttl["sgp_faturas"] <= 300_000
    assert 50_000 < ttl["sgp_acesso"] <= 60_000
    assert 50_000 < ttl["sgp_manutencao"] <= 60_000


async def test_lookups_are_counted_for_the_console_by_hour(
    make_sgp: Callable[..., SgpBillingSystem], make_settings: Callable[..., Settings], redis: Redis, sim: Any
) -> None:
    settings = make_settings()
    stats = HourlyCounts(redis, prefix=settings.cache_key_prefix, name=SGP_CACHE)
    cache = CachedBillingSystem.from_settings(make_sgp(), redis, settings, stats=stats)
    try:
        await cache.find_customer(MARIA)  # miss (its read-ahead is not a lookup)
        await cache.find_customer(MARIA)  # hit
        await cache.find_customer("00000000191")  # miss, then cached as unknown
        await cache.find_customer("00000000191")  # negative hit
        await stats.flush()
    finally:
        await cache.aclose()
    [key] = await redis.keys(f"{settings.cache_key_prefix}stats:{SGP_CACHE}:*")
    counts: dict[str, int] = {}
    for field, value in (await redis.hgetall(key)).items():
        name = field.decode().split(":")[1]
        counts[name] = counts.get(name, 0) + int(value)
    assert counts == {"hit": 2, "miss": 2}


async def test_a_value_that_does_not_open_is_a_miss_not_an_error(make_cached: Make, redis: Redis, sim: Any) -> None:
    cache = make_cached(redis)
    first = await cache.find_customer(MARIA)
    key = cache._keys.customer(MARIA)
    # A value moved from another key (or written in clear before encryption) does not open there.
    await redis.set(key, await redis.get(cache._keys.connection("90000")) or b"{}")
    assert await cache.find_customer(MARIA) == first
    assert sim.count("consultacliente") == 2  # loaded again from SGP
    assert await cache.find_customer(MARIA) == first
    assert sim.count("consultacliente") == 2  # and cached again, readable


async def test_unknown_documents_are_cached_briefly(make_cached: Make, redis: Redis, sim: Any) -> None:
    cache = make_cached(redis, cache_ttl_not_found_s=0.4)
    negative = lookups("customer", "negative_hit")
    assert await cache.find_customer("52998224725") is None
    assert await cache.find_customer("52998224725") is None
    assert sim.count("consultacliente") == 2  # digits, then the mask; once
    assert lookups("customer", "negative_hit") == negative + 1
    key = cache._keys.customer("52998224725")
    assert 0 < await redis.pttl(key) <= 400
    await wait_until(lambda: _gone(redis, key), timeout=5)
    assert await cache.find_customer("52998224725") is None
    assert sim.count("consultacliente") == 4


async def _gone(redis: Redis, key: str) -> bool:
    return not await redis.exists(key)


async def test_entries_expire_by_family_ttl(make_cached: Make, redis: Redis, sim: Any) -> None:
    cache = make_cached(redis, cache_ttl_connection_s=0.3)
    await cache.connection_status("90000")
    await cache.connection_status("90000")
    assert sim.count("verificaacesso") == 1
    await wait_until(lambda: _gone(redis, cache._keys.connection("90000")), timeout=5)
    await cache.connection_status("90000")
    assert sim.count("verificaacesso") == 2


async def test_promise_invalidates_every_key_of_the_customer(make_cached: Make, redis: Redis, sim: Any) -> None:
    cache = make_cached(redis)
    before = await cache.find_customer(ANA)
    assert before is not None
    assert before.contracts[0].status is ContractStatus.SUSPENDED
    assert (await cache.connection_status("90004")).state is ConnectionState.BLOCKED
    await cache.list_open_invoices("90004")
    result = await cache.request_payment_promise("90004")
    assert result.outcome is PromiseOutcome.GRANTED
    remaining = [
        k for k in await keys_of(redis, cache._keys.prefix) if "cliente" in k or "faturas" in k or "acesso" in k
    ]
    assert remaining == []
    after = await cache.find_customer(ANA)
    assert after is not None
    assert after.contracts[0].status is ContractStatus.ACTIVE
    assert after.contracts[0].promises_this_month == 1
    assert (await cache.connection_status("90004")).state is ConnectionState.ONLINE


async def test_ticket_invalidates_all_contracts_of_the_customer(make_cached: Make, redis: Redis) -> None:
    cache = make_cached(redis)
    customer = await cache.find_customer(JOAO)
    assert customer is not None
    for contract in customer.contracts:
        await cache.list_open_invoices(contract.contract_id)
    await cache.open_ticket("90001", TicketRequest(text="Lentidão"))
    assert not await redis.exists(cache._keys.customer(JOAO))
    for contract in customer.contracts:
        assert not await redis.exists(cache._keys.invoices(contract.contract_id))


async def test_contract_lookup_answers_from_the_owners_cached_entry(make_cached: Make, redis: Redis, sim: Any) -> None:
    cache = make_cached(redis)
    customer = await cache.find_customer(JOAO)
    assert customer is not None
    calls, hits = sim.count("consultacliente"), lookups("customer", "hit")
    seen = await cache.find_customer_by_contract("90001")
    assert seen == customer
    assert sim.count("consultacliente") == calls
    assert lookups("customer", "hit") == hits + 1
    # After a write the owner's entry is gone: the contract lookup asks SGP again.
    await cache.open_ticket("90001", TicketRequest(text="Sem conexão"))
    assert await cache.find_customer_by_contract("90001") is not None
    assert sim.count("consultacliente") == calls + 1


async def test_warming_a_cached_customer_reloads_what_expired(make_cached: Make, redis: Redis, sim: Any) -> None:
    cache = make_cached(redis, cache_ttl_connection_s=0.3, cache_ttl_outages_s=0.3)
    demo = DEMO_CUSTOMERS[0]
    customer = await cache.find_customer(demo.cpf)
    assert customer is not None
    contract_id = customer.contracts[0].contract_id
    connection, outages = cache._keys.connection(contract_id), cache._keys.outages()
    await wait_until(lambda: redis.exists(connection, outages), timeout=5)  # read ahead after the miss
    await wait_until(lambda: _gone(redis, connection), timeout=5)
    await wait_until(lambda: _gone(redis, outages), timeout=5)
    checks, invoices = sim.count("verificaacesso"), sim.count("titulos")
    # The customer writes again from the registered number: the status they may ask next is read again.
    assert await cache.warm_for_phone("5598988881000") == 1  # its registered mobile
    await wait_until(lambda: _both(redis, connection, outages), timeout=5)
    assert sim.count("verificaacesso") == checks + 1
    assert sim.count("titulos") == invoices  # still cached: not read again


async def _both(redis: Redis, *keys: str) -> bool:
    return bool(await redis.exists(*keys) == len(keys))


async def test_one_sgp_call_per_key_across_replicas(make_cached: Make, redis_url: str, sim: Any) -> None:
    sim.faults(latency_ms=300)
    clients = [Redis.from_url(redis_url) for _ in range(3)]
    try:
        replicas = [make_cached(c) for c in clients]
        results = await asyncio.gather(*(replicas[i % 3].find_customer(PAULO) for i in range(30)))
    finally:
        for c in clients:
            await c.aclose()
    assert len({r.model_dump_json() for r in results if r}) == 1
    assert sim.count("consultacliente") == 1


async def test_warm_and_warm_recent(make_cached: Make, redis: Redis, sim: Any) -> None:
    cache = make_cached(redis)
    assert await cache.warm([MARIA, JOAO, "52998224725"]) == 2
    assert await redis.exists(cache._keys.customer(MARIA))
    assert await redis.exists(cache._keys.invoices("90003"))
    calls = sim.count("consultacliente")
    await cache.find_customer(JOAO)
    assert sim.count("consultacliente") == calls
    # A restarted replica with an empty cache warms the recently active customers.
    await redis.delete(*[k for k in await redis.keys(f"{cache._keys.prefix}sgp_*") if b"recentes" not in k])
    assert set(await cache.recent_contracts(10)) == {"90000", "90001", "90002", "90003"}
    restarted = make_cached(redis)
    assert await restarted.warm_recent() == 2
    assert await redis.exists(cache._keys.customer(JOAO))


async def test_redis_killed_mid_test_still_answers(make_cached: Make, private_redis: Any, sim: Any) -> None:
    client = Redis.from_url(private_redis.url, socket_timeout=0.25, socket_connect_timeout=0.25)
    cache = make_cached(client)
    try:
        warm = await cache.find_customer(ANA)
        errors = redis_errors()
        private_redis.stop()
        again = await cache.find_customer(ANA)
        assert again == warm
        invoices = await cache.list_open_invoices("90004")
        assert invoices
        granted = await cache.request_payment_promise("90004")
        assert granted.outcome is PromiseOutcome.GRANTED
        after = await cache.find_customer(ANA)
        assert after is not None
        assert after.contracts[0].status is ContractStatus.ACTIVE  # fresh from SGP, not stale
        assert redis_errors() > errors
        assert lookups("customer", "bypass") > 0
    finally:
        await client.aclose()


async def test_redis_hanging_then_back_replays_invalidations(make_cached: Make, private_redis: Any, sim: Any) -> None:
    client = Redis.from_url(private_redis.url, socket_timeout=0.25, socket_connect_timeout=0.25)
    cache = make_cached(client)
    try:
        stale = await cache.find_customer(ANA)
        assert stale is not None
        private_redis.pause()
        granted = await cache.request_payment_promise("90004")  # invalidation cannot reach Redis
        assert granted.granted
        private_redis.resume()

        async def fresh() -> bool:
            customer = await cache.find_customer(ANA)
            return customer is not None and customer.contracts[0].status is ContractStatus.ACTIVE

        await wait_until(fresh, timeout=5)
        assert await client.exists(cache._keys.customer(ANA))  # cached again, with the new status
    finally:
        await client.aclose()
