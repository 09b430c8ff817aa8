"""Composition root of the notifier."""

from __future__ import annotations

from fastapi import FastAPI
from redis.asyncio import Redis

from atende_core import privacy
from atende_core.bus import Bus
from atende_core.service import Runtime, build_bus, create_service_app, redis_ready
from atende_core.stores import redis_client
from atende_notifier import handlers
from atende_notifier.settings import NotifierSettings

NAME = "notifier"


def create_app(settings: NotifierSettings, *, redis: Redis | None = None, bus: Bus | None = None) -> FastAPI:
    """Wire the notifier: Redis for handle-once, the bus and its subscribers."""
    redis = redis or redis_client(settings.redis_url)
    bus = bus or build_bus(settings, name=NAME, redis=redis)
    handlers.register(bus)
    privacy.subscribe(bus, service=NAME)  # keeps nothing about customers yet: confirms, nothing erased
    runtime = Runtime(bus=bus, checks={"kafka": bus.ping, "redis": redis_ready(redis)}, on_shutdown=[redis.aclose])
    return create_service_app(name=NAME, runtime=runtime, internal_token=settings.internal_api_token)
