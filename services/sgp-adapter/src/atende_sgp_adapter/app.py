"""Composition root of the sgp-adapter: SGP client → Redis cache → use cases → Kafka handlers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from fastapi import FastAPI
from redis.asyncio import Redis

from atende_core import privacy
from atende_core.audit import AuditTrail
from atende_core.bus import Bus, topics
from atende_core.hourly_counts import SGP_CACHE, HourlyCounts
from atende_core.pii import Keyring
from atende_core.service import Runtime, build_bus, create_service_app
from atende_sgp_adapter.adapters.cache import CachedBillingSystem
from atende_sgp_adapter.adapters.keys import CacheKeys
from atende_sgp_adapter.adapters.privacy_store import SgpCachePrivacy
from atende_sgp_adapter.adapters.promise_ledger import RedisPromiseLedger
from atende_sgp_adapter.adapters.sgp import SgpBillingSystem
from atende_sgp_adapter.handlers import SgpRequestHandler, subscribe, subscribe_warming
from atende_sgp_adapter.ports import IspBillingSystem
from atende_sgp_adapter.settings import Settings

logger = logging.getLogger(__name__)
NAME = "sgp-adapter"


def create_app(
    settings: Settings,
    *,
    sgp: IspBillingSystem | None = None,
    redis: Redis | None = None,
    bus: Bus | None = None,
) -> FastAPI:
    """Wire the service; every dependency has a production default and can be replaced by tests."""
    runtime = Runtime()
    if redis is None:
        # Short timeouts: a slow Redis must cost milliseconds, then the cache steps aside.
        redis = Redis.from_url(
            settings.redis_url,
            socket_timeout=settings.redis_socket_timeout_s,
            socket_connect_timeout=settings.redis_socket_timeout_s,
        )
        runtime.on_shutdown.append(redis.aclose)
    if sgp is None:
        sgp_client = SgpBillingSystem.from_settings(settings)
        runtime.on_shutdown.append(sgp_client.aclose)
        sgp = sgp_client
    stats = HourlyCounts(redis, prefix=settings.kafka_topic_prefix, name=SGP_CACHE)
    cache = CachedBillingSystem.from_settings(sgp, redis, settings, stats=stats)
    keys = CacheKeys(settings.cache_hash_key.get_secret_value().encode(), settings.cache_key_prefix)
    ledger = RedisPromiseLedger(cache.guard, keys, ttl_s=settings.promise_idempotency_ttl_s)
    handler = SgpRequestHandler(cache, ledger, ticket_types=settings.sgp_ticket_types)
    if bus is None:
        bus = build_bus(settings, name=NAME, redis=redis)
    subscribe(bus, handler, concurrency=settings.bus_concurrency, audit=AuditTrail(bus, source=NAME))
    privacy.subscribe(bus, service=NAME, store=SgpCachePrivacy(redis, keys, pii=Keyring.from_settings(settings)))
    if settings.cache_warm_on_conversation_start:
        subscribe_warming(bus, cache)
    runtime.bus = bus
    runtime.publishes_to = (topics.SGP_RESULTS, topics.AUDIT_EVENTS)
    runtime.checks["kafka"] = bus.ping

    warming: set[asyncio.Task[Any]] = set()

    async def warm() -> None:
        # In the background: start-up must not wait for SGP.
        task = asyncio.create_task(cache.warm_recent(settings.cache_warm_limit))
        warming.add(task)
        task.add_done_callback(warming.discard)
        warming.add(asyncio.create_task(stats.run(settings.cache_stats_flush_s), name="sgp-cache-stats"))

    async def stop_warming() -> None:
        for task in list(warming):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await cache.aclose()

    runtime.on_startup.append(warm)
    # Kafka is the one readiness check; without Redis or SGP the service still answers (slower, or
    # "unavailable" at once), and taking it out of rotation would only add timeouts upstream.
    runtime.on_shutdown.append(stop_warming)
    app = create_service_app(name=NAME, runtime=runtime, internal_token=settings.internal_api_token)
    app.state.billing = cache
    return app
