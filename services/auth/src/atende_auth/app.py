"""Composition root of the auth service: it publishes security events and consumes nothing."""

from __future__ import annotations

from fastapi import FastAPI
from pymongo import AsyncMongoClient
from redis.asyncio import Redis

from atende_auth.settings import AuthSettings
from atende_core import privacy
from atende_core.bus import Bus, topics
from atende_core.service import Runtime, build_bus, create_service_app, mongo_ready, redis_ready
from atende_core.stores import mongo_client, redis_client

NAME = "auth"


def create_app(
    settings: AuthSettings,
    *,
    redis: Redis | None = None,
    mongo: AsyncMongoClient[dict[str, object]] | None = None,
    bus: Bus | None = None,
) -> FastAPI:
    """Wire the auth service: MongoDB for users and the audit log, Redis for sessions, the bus."""
    redis = redis or redis_client(settings.redis_url)
    mongo = mongo or mongo_client(settings.mongodb_uri)
    bus = bus or build_bus(settings, name=NAME, redis=redis)

    # Auth holds operators, not customers (audit entries carry no PII): it confirms erasures with nothing erased.
    privacy.subscribe(bus, service=NAME)

    async def close_mongo() -> None:
        await mongo.close()

    runtime = Runtime(
        bus=bus,
        publishes_to=[topics.SECURITY_EVENTS],
        checks={"kafka": bus.ping, "redis": redis_ready(redis), "mongodb": mongo_ready(mongo)},
        on_shutdown=[redis.aclose, close_mongo],
    )
    return create_service_app(name=NAME, runtime=runtime)
