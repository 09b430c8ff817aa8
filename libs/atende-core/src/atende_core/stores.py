"""Redis and MongoDB clients (created by composition roots, never at import time)."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient
from redis.asyncio import Redis


def redis_client(url: str) -> Redis:
    """A pooled asyncio Redis client with short timeouts: Redis down must make us slower, not stuck."""
    return Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0, health_check_interval=30)


def mongo_client(uri: str) -> AsyncMongoClient[dict[str, Any]]:
    """A PyMongo async client that fails fast when the server is away."""
    # timeoutMS bounds every operation: a stalled server must fail a handler (retried), never hang it.
    return AsyncMongoClient(uri, serverSelectionTimeoutMS=3000, connectTimeoutMS=3000, timeoutMS=10_000, tz_aware=True)
