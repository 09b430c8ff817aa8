"""Pytest fixtures for integration tests on real infrastructure.

`make test` starts Kafka, Redis and the MongoDB-wire server and exports their addresses; these
fixtures read them and fail (never skip) when they are missing. Each test gets its own topic prefix
and database, so tests never see each other's events.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from pymongo.asynchronous.database import AsyncDatabase
from redis.asyncio import Redis

from atende_core.bus import Bus
from atende_core.stores import mongo_client, redis_client
from atende_testing.tokens import TokenIssuer, jwks_server


def pytest_configure(config: pytest.Config) -> None:
    """Tests run with ENVIRONMENT=test (services refuse to start without ENVIRONMENT; subprocesses inherit it)."""
    os.environ["ENVIRONMENT"] = "test"


def _required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run integration tests through `make test` (it starts the infrastructure)")
    return value


@pytest.fixture(scope="session")
def kafka_bootstrap_servers() -> str:
    """Address of the real Kafka broker."""
    return _required_env("KAFKA_BOOTSTRAP_SERVERS")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of the real Redis server."""
    return _required_env("REDIS_URL")


@pytest.fixture(scope="session")
def mongodb_uri() -> str:
    """URI of the real MongoDB-wire server."""
    return _required_env("MONGODB_URI")


@pytest.fixture
async def topic_prefix(kafka_bootstrap_servers: str) -> AsyncIterator[str]:
    """A prefix that gives this test its own topics and consumer groups; its topics are deleted after it.

    Deleting keeps the one test broker small: hundreds of tests leave thousands of partitions otherwise,
    and a broker that large answers slowly on a small machine.
    """
    prefix = f"t{uuid.uuid4().hex[:10]}."
    yield prefix
    await delete_topics(kafka_bootstrap_servers, prefix)


async def delete_topics(bootstrap_servers: str, prefix: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=10_000)
    try:
        async with asyncio.timeout(30):
            await admin.start()
            names = [name for name in await admin.list_topics() if name.startswith(prefix)]
            if names:
                await admin.delete_topics(names, timeout_ms=10_000)
    except (KafkaError, TimeoutError) as exc:
        logging.getLogger(__name__).warning("could not delete the test's topics: %r", exc)
    finally:
        with contextlib.suppress(KafkaError, TimeoutError):
            await admin.close()


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    """An asyncio Redis client on the test server."""
    client = redis_client(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def mongo_db(mongodb_uri: str) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    """A fresh database, dropped after the test."""
    client = mongo_client(mongodb_uri)
    name = f"test_{uuid.uuid4().hex[:12]}"
    yield client[name]
    await client.drop_database(name)
    await client.close()


@pytest.fixture
async def make_bus(kafka_bootstrap_servers: str, topic_prefix: str, redis: Redis) -> AsyncIterator[Callable[..., Bus]]:
    """Build buses on the test's topic prefix (with Redis idempotency); all are stopped after the test."""
    buses: list[Bus] = []

    def factory(service_name: str = "test", **overrides: Any) -> Bus:
        options: dict[str, Any] = {
            "bootstrap_servers": kafka_bootstrap_servers,
            "service_name": service_name,
            "topic_prefix": topic_prefix,
            "redis": redis,
            "retry_backoff_seconds": 0.01,
        }
        options.update(overrides)
        bus = Bus(**options)
        buses.append(bus)
        return bus

    yield factory
    for bus in buses:
        await bus.stop()


@pytest.fixture
async def token_issuer() -> AsyncIterator[TokenIssuer]:
    """Mints access tokens like the auth service; its JWKS is served at `token_issuer.auth_url`."""
    async with jwks_server() as issuer:
        yield issuer
