"""The runtime shape every service shares: FastAPI app with /healthz, /readyz, /metrics, a lifespan
that starts and stops the bus and other resources, and a `run` that checks infrastructure first.

Internal routes (one design for every service):
- `/healthz` and `/readyz` stay open (probes carry no credential) and reveal nothing but up/ready.
- `/metrics` and every router passed as `internal_routers` need `Authorization: Bearer
  $INTERNAL_API_TOKEN` (constant-time compare; an empty token refuses everyone, fail closed).
- A public-facing service (the gateway) moves health, readiness, metrics and internal routes off its
  public port: `create_internal_app` builds that app, the public app exposes it as `internal_app`,
  and `run(..., internal_port=...)` serves both apps from one process with two uvicorn servers.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import uvicorn
from aiokafka.admin import AIOKafkaAdminClient
from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Response, status
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import SecretStr
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


def require_internal_token(token: SecretStr | None) -> Callable[..., Awaitable[None]]:
    """A dependency admitting only `Authorization: Bearer <token>`; no token configured refuses everyone."""
    expected = (token.get_secret_value() if token is not None else "").encode()

    async def dependency(authorization: Annotated[str | None, Header()] = None) -> None:
        scheme, _, given = (authorization or "").partition(" ")
        if not expected or scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "internal token required", headers={"WWW-Authenticate": "Bearer"}
            )

    return dependency


def health_router(runtime: Runtime, *, internal_token: SecretStr | None = None) -> APIRouter:
    """/healthz (the process lives), /readyz (its dependencies answer): open to probes; /metrics
    (Prometheus): internal token required."""
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

    @router.get("/metrics", dependencies=[Depends(require_internal_token(internal_token))])
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


async def _safe(check: Check) -> bool:
    try:
        return await asyncio.wait_for(check(), timeout=3.0)
    except Exception:  # noqa: BLE001 - a failing check is a "not ready", never a 500
        return False


def create_service_app(
    *,
    name: str,
    runtime: Runtime,
    routers: Sequence[APIRouter] = (),
    internal_routers: Sequence[APIRouter] = (),
    internal_token: SecretStr | None = None,
    health: bool = True,
) -> FastAPI:
    """A FastAPI app whose lifespan runs `runtime` (startup hooks, then the bus; reverse on shutdown).

    `routers` are served as they are; `internal_routers` and /metrics need the internal token.
    `health=False` leaves health, readiness and metrics out (they live on `create_internal_app`)."""

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
    if health:
        app.include_router(health_router(runtime, internal_token=internal_token))
    for router in routers:
        app.include_router(router)
    _include_internal(app, internal_routers, internal_token)
    instrument_app(app)
    return app


def create_internal_app(
    *,
    name: str,
    runtime: Runtime,
    routers: Sequence[APIRouter] = (),
    internal_token: SecretStr | None = None,
) -> FastAPI:
    """The app of a service's internal listener: health, readiness, metrics and internal routes.

    It has no lifespan of its own: the public app's lifespan starts and stops `runtime`."""
    app = FastAPI(title=f"atende-{name}-internal", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(health_router(runtime, internal_token=internal_token))
    _include_internal(app, routers, internal_token)
    return app


def _include_internal(app: FastAPI, routers: Sequence[APIRouter], token: SecretStr | None) -> None:
    for router in routers:
        app.include_router(router, dependencies=[Depends(require_internal_token(token))])


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


class _SignalFreeServer(uvicorn.Server):
    """A uvicorn server that leaves signals to the main server of the process (one handler per signal)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _uvicorn_config(app: Any, *, host: str, port: int, lifespan: Literal["auto", "on", "off"]) -> uvicorn.Config:
    # proxy_headers off: uvicorn would otherwise believe X-Forwarded-For from any loopback peer; the
    # services decide whom to trust themselves (atende_core.http_security.client_address).
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan=lifespan,
        timeout_graceful_shutdown=10,
        proxy_headers=False,
    )


async def serve(app: Any, *, host: str, port: int, internal_port: int | None = None) -> None:
    """Serve `app` (with its lifespan) on `port` and, when `internal_port` is set, its `internal_app`
    (no lifespan) on `internal_port`, until SIGINT/SIGTERM; either server ending stops the other."""
    public = uvicorn.Server(_uvicorn_config(app, host=host, port=port, lifespan="auto"))
    if internal_port is None:
        await public.serve()
        return
    internal_app = getattr(app, "internal_app", None)
    if internal_app is None:
        raise TypeError("an internal port needs an app with an `internal_app`")
    internal = _SignalFreeServer(_uvicorn_config(internal_app, host=host, port=internal_port, lifespan="off"))
    public_task = asyncio.create_task(public.serve())
    # The internal listener opens once the public one is up, so that /readyz never answers 200 for a
    # process whose public port does not take requests yet.
    while not public.started:
        if public_task.done():
            public_task.result()  # a start-up failure surfaces here
            return
        await asyncio.sleep(0.05)
    tasks = {public_task, asyncio.create_task(internal.serve())}
    _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    public.should_exit = internal.should_exit = True
    if pending:
        await asyncio.wait(pending)
    for task in tasks:
        task.result()


def run(
    app_factory: Callable[[], Any],
    *,
    name: str,
    settings: ServiceSettings,
    port: int,
    needs: Sequence[str] = ("kafka", "redis"),
    internal_port: int | None = None,
) -> None:
    """Configure logging and tracing, check infrastructure, then serve the app (and its internal app
    on `internal_port`) until SIGINT/SIGTERM."""
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
    asyncio.run(serve(app_factory(), host=settings.http_host, port=port, internal_port=internal_port))


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
