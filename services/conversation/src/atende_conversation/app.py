"""Composition root of the conversation service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from pymongo import AsyncMongoClient
from redis.asyncio import Redis

from atende_conversation import handlers
from atende_conversation.adapters.bus_publisher import BusPublisher
from atende_conversation.adapters.mongo_store import SESSIONS, TURNS, MongoTranscriptStore
from atende_conversation.adapters.privacy_store import LINKS, ConversationPrivacy
from atende_conversation.adapters.redis_store import RedisStateStore, RedisTimerStore
from atende_conversation.api import conversation_router
from atende_conversation.engine import ConversationEngine, Keyer
from atende_conversation.settings import ConversationSettings
from atende_conversation.timers import TimerPoller
from atende_core.bus import Bus
from atende_core.pii import Keyring
from atende_core.retention import MongoRetention, Retention
from atende_core.service import Runtime, build_bus, create_service_app, mongo_ready, redis_ready
from atende_core.stores import mongo_client, redis_client

NAME = "conversation"


def create_app(
    settings: ConversationSettings,
    *,
    redis: Redis | None = None,
    mongo: AsyncMongoClient[dict[str, Any]] | None = None,
    bus: Bus | None = None,
) -> FastAPI:
    """Wire the conversation service: Redis state and timers, MongoDB transcripts, the bus, the engine."""
    redis = redis or redis_client(settings.redis_url)
    mongo = mongo or mongo_client(settings.mongodb_uri)
    bus = bus or build_bus(settings, name=NAME, redis=redis)
    pii = Keyring.from_settings(settings)
    states = RedisStateStore(
        redis, pii=pii, prefix=settings.redis_key_prefix, ttl_seconds=settings.conversation_state_ttl_seconds
    )
    timers = RedisTimerStore(redis, prefix=settings.redis_key_prefix)
    transcripts = MongoTranscriptStore.from_client(mongo, settings.mongodb_database, pii=pii)
    engine = ConversationEngine(
        states=states,
        timers=timers,
        transcripts=transcripts,
        publisher=BusPublisher(bus),
        policy=settings.policy(),
        keyer=Keyer(settings.pii_hash_key.get_secret_value()),
    )
    handlers.register(bus, engine)
    privacy = ConversationPrivacy(
        db=mongo[settings.mongodb_database],
        redis=redis,
        states=states,
        state_key=states.key,
        timers_key=timers.key,
        conversation_key=engine.conversation_key,
        index_key=settings.pii_hash_key.get_secret_value().encode(),
        open_line=transcripts.open_turn,
    )
    handlers.register_privacy(bus, privacy, service=NAME)
    retention = MongoRetention(
        mongo[settings.mongodb_database],
        retention_rules(settings),
        purge_interval_s=settings.retention_purge_interval_s,
    )
    poller = TimerPoller(
        timers,
        engine,
        interval_seconds=settings.timer_poll_interval_seconds,
        lease_seconds=settings.timer_lease_seconds,
    )

    async def close_mongo() -> None:
        await mongo.close()

    runtime = Runtime(
        bus=bus,
        publishes_to=handlers.PUBLISHES_TO,
        checks={"kafka": bus.ping, "redis": redis_ready(redis), "mongodb": mongo_ready(mongo)},
        on_startup=[transcripts.ensure_indexes, privacy.ensure_indexes, retention.start],
        on_shutdown=[retention.stop, redis.aclose, close_mongo],
    )
    app = create_service_app(
        name=NAME,
        runtime=runtime,
        internal_routers=[conversation_router(engine=engine, states=states, transcripts=transcripts)],
        internal_token=settings.internal_api_token,
    )
    inner_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        # Timers publish, so they run only while the bus is up: start after it, stop before it.
        async with inner_lifespan(app) as state:
            await poller.start()
            try:
                yield state
            finally:
                await poller.stop()

    app.router.lifespan_context = lifespan
    app.state.engine = engine
    app.state.poller = poller
    app.state.privacy = privacy
    app.state.retention = retention
    return app


def retention_rules(settings: ConversationSettings) -> list[Retention]:
    """How long transcripts, sessions and the links to a CPF live (docs/privacy.md)."""
    ttl_s = settings.transcript_retention_s
    return [
        Retention(TURNS, "at", ttl_s),
        Retention(TURNS, "delivery_at", ttl_s),  # a status whose line was never written
        Retention(SESSIONS, "started_at", ttl_s),
        Retention(LINKS, "linked_at", ttl_s),
    ]
