"""The runtime shape every service shares: FastAPI app with /healthz, /readyz, /metrics, a lifespan
that starts and stops the bus and other resources, and a `run` that checks infrastructure first."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pymongo import AsyncMongoClient
from redis.asyncio import Redis

from atende_core.bus import Bus
from atende_core.bus.security import KafkaSecurity
from atende_core.errors import InfrastructureUnavailable
from atende_core.logging import configure_logging
from atende_core.settings import ServiceSettings
from atende_core.telemetry import configure_tracing, instrument_app

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[bool]]
Hook = Callable[[], Awaitable[None]]


@dataclass
class Runtime:
    """What a service's lifespan starts and stops, and what /readyz asks."""

    bus: Bus | None = None
    publishes_to: Sequence[str] = ()
    checks: dict[str, Check] = field(default_factory=dict)
    on_startup: list[Hook] = field(default_factory=list)
    on_shutdown: list[Hook] = field(default_factory=list)


def health_router(runtime: Runtime) -> APIRouter:
    """/healthz (the process lives), /readyz (its dependencies answer), /metrics (Prometheus)."""
    router = APIRouter(include_in_schema=False)

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        names = list(runtime.checks)
        results = await asyncio.gather(*(_safe(runtime.checks[n]) for n in names))
        report = {n: ("ok" if ok else "unavailable") for n, ok in zip(names, results, strict=True)}
        status = 200 if all(results) else 503
        return JSONResponse({"status": "ready" if status == 200 else "not ready", "checks": report}, status)

    @router.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


async def _safe(check: Check) -> bool:
    try:
        return await asyncio.wait_for(check(), timeout=3.0)
    except Exception:  # noqa: BLE001 - a failing check is a "not ready", never a 500
        return False


def create_service_app(*, name: str, runtime: Runtime, routers: Sequence[APIRouter] = ()) -> FastAPI:
    """A FastAPI app whose lifespan runs `runtime` (startup hooks, then the bus; reverse on shutdown)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for hook in runtime.on_startup:
            await hook()
        if runtime.bus is not None:
            await runtime.bus.start(publishes_to=runtime.publishes_to)
        log.info("service started")
        try:
            yield
        finally:
            if runtime.bus is not None:
                await runtime.bus.stop()
            for hook in reversed(runtime.on_shutdown):
                await hook()
            log.info("service stopped")

    app = FastAPI(title=f"atende-{name}", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(health_router(runtime))
    for router in routers:
        app.include_router(router)
    instrument_app(app)
    return app


async def check_infrastructure(
    settings: ServiceSettings, *, kafka: bool = True, redis: bool = True, mongo: bool = False
) -> None:
    """Raise InfrastructureUnavailable with how to start it when a dependency does not answer."""
    from atende_core.stores import mongo_client, redis_client

    hint = "start local infrastructure with `make infra-up` (or set {var} to a running server)"
    if kafka and not await kafka_answers(
        settings.kafka_bootstrap_servers, timeout=10.0, security=settings.kafka_security()
    ):
        raise InfrastructureUnavailable(
            f"Kafka is not reachable at {settings.kafka_bootstrap_servers}: "
            + hint.format(var="KAFKA_BOOTSTRAP_SERVERS")
        )
    if redis:
        client = redis_client(settings.redis_url)
        try:
            await client.ping()
        except Exception as exc:
            raise InfrastructureUnavailable(
                f"Redis is not reachable at {settings.redis_url}: " + hint.format(var="REDIS_URL")
            ) from exc
        finally:
            await client.aclose()
    if mongo:
        mongo_c = mongo_client(settings.mongodb_uri)
        try:
            await mongo_c.admin.command("ping")
        except Exception as exc:
            raise InfrastructureUnavailable(
                "MongoDB is not reachable at the configured MONGODB_URI: " + hint.format(var="MONGODB_URI")
            ) from exc
        finally:
            await mongo_c.close()


async def kafka_answers(bootstrap_servers: str, *, timeout: float, security: KafkaSecurity | None = None) -> bool:
    """True when a Kafka broker at `bootstrap_servers` answers a metadata request within `timeout`."""
    options = security.client_kwargs() if security is not None else {}
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=int(timeout * 1000), **options)
    try:
        await asyncio.wait_for(admin.start(), timeout)
        await asyncio.wait_for(admin.list_topics(), timeout)
    except Exception:  # noqa: BLE001 - any failure means "not reachable", reported by the caller
        return False
    else:
        return True
    finally:
        await admin.close()


def run(
    app_factory: Callable[[], FastAPI],
    *,
    name: str,
    settings: ServiceSettings,
    port: int,
    needs: Sequence[str] = ("kafka", "redis"),
) -> None:
    """Configure logging and tracing, check infrastructure, then serve the app until SIGINT/SIGTERM."""
    configure_logging(service_name=name, level=settings.log_level, environment=settings.environment)
    configure_tracing(service_name=name, otlp_endpoint=settings.otel_exporter_otlp_endpoint)
    try:
        asyncio.run(
            check_infrastructure(settings, kafka="kafka" in needs, redis="redis" in needs, mongo="mongo" in needs)
        )
    except InfrastructureUnavailable as exc:
        log.error("cannot start: %s", exc)
        sys.stderr.write(f"atende-{name}: {exc}\n")
        raise SystemExit(2) from None
    uvicorn.run(
        app_factory(),
        host=settings.http_host,
        port=port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )


def build_bus(settings: ServiceSettings, *, name: str, redis: Redis | None) -> Bus:
    """The bus of service `name`, configured from its settings (Redis gives handle-once)."""
    return Bus(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        service_name=name,
        topic_prefix=settings.kafka_topic_prefix,
        redis=redis,
        max_attempts=settings.bus_max_attempts,
        retry_backoff_seconds=settings.bus_retry_backoff_seconds,
        security=settings.kafka_security(),
    )


def redis_ready(redis: Redis) -> Check:
    """A readiness check that pings Redis."""

    async def check() -> bool:
        return bool(await redis.ping())

    return check


def mongo_ready(client: AsyncMongoClient[Any]) -> Check:
    """A readiness check that pings the MongoDB-wire server."""

    async def check() -> bool:
        await client.admin.command("ping")
        return True

    return check
