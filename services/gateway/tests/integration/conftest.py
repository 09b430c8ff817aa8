"""A running gateway (real Kafka, Redis, a JWKS over a real socket) for the operator API's tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest

from atende_gateway.app import create_app
from atende_gateway.settings import GatewaySettings
from atende_testing import running_server
from atende_testing.tokens import TokenIssuer

GatewayFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def gateway(
    kafka_bootstrap_servers: str, redis_url: str, topic_prefix: str, token_issuer: TokenIssuer
) -> GatewayFactory:
    """`async with gateway(**settings) as client`: the whole gateway on a free port."""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        settings = GatewaySettings(
            kafka_bootstrap_servers=kafka_bootstrap_servers,
            kafka_topic_prefix=topic_prefix,
            redis_url=redis_url,
            auth_url=token_issuer.auth_url,
            **overrides,
        )
        async with running_server(create_app(settings)) as url, httpx.AsyncClient(base_url=url) as client:
            yield client

    return start
