"""Composition root of the gateway.

Public port (`GATEWAY_PORT`): the raw webhook ingress, the operator API, the `/auth/*` proxy, the
agents' web console at `/console/` and the OpenAPI document (logged-in operators only; Swagger UI
over it at /console/api-docs), behind the
security-headers and CORS middleware.
Internal port (`GATEWAY_INTERNAL_PORT`, `EdgeApp.internal_app`): /healthz, /readyz and /metrics
(the last with `INTERNAL_API_TOKEN`).
"""

from __future__ import annotations

import gc
import logging
from typing import Any

import httpx
from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from atende_core.http_security import SecurityHeaders
from atende_core.identity import JWKS_PATH, TokenVerifier
from atende_core.ids import conversation_id_key
from atende_core.operator_auth import OperatorGuard
from atende_core.ratelimit import RateLimiter
from atende_core.service import Runtime, create_internal_app, create_service_app
from atende_core.stores import redis_client
from atende_gateway import auth_proxy, operator_api
from atende_gateway.adapters.kafka import WebhookPublisher
from atende_gateway.console import web
from atende_gateway.docs import document_webhook, openapi_document, serve_api_docs
from atende_gateway.ingress import WEBHOOK_PATHS, WebhookIngress
from atende_gateway.ports import WebhookSink
from atende_gateway.settings import GatewaySettings

log = logging.getLogger(__name__)
NAME = "gateway"


class EdgeApp:
    """Dispatches `/webhooks/whatsapp` straight to the ingress and everything else, through the security
    headers and CORS middleware, to the FastAPI app; `internal_app` is served on the internal port."""

    def __init__(self, *, api: FastAPI, ingress: ASGIApp, internal_app: FastAPI, settings: GatewaySettings) -> None:
        self.api = api
        self.ingress = ingress
        self.internal_app = internal_app
        # The webhook answers Meta (empty or text/plain bodies), not a browser: it skips the middleware.
        self._browser_facing = SecurityHeaders(
            api,
            cors_origins=settings.cors_origins,
            hsts=settings.gateway_behind_https,
            trusted_proxies=settings.trusted_proxies,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in WEBHOOK_PATHS:
            await self.ingress(scope, receive, send)
        else:
            await self._browser_facing(scope, receive, send)


async def _freeze_startup_objects() -> None:
    """Move everything allocated at start-up out of the cyclic GC's reach: the ingress allocates a lot
    of short-lived objects, and every full collection would otherwise rescan the whole framework."""
    gc.collect()
    gc.freeze()


def create_guard(settings: GatewaySettings, *, runtime: Runtime) -> OperatorGuard:
    """The operator guard: tokens verified from auth's JWKS, revocations read from Redis."""
    redis = redis_client(settings.redis_url)
    runtime.on_shutdown.append(redis.aclose)
    verifier = TokenVerifier(jwks_url=settings.auth_url.rstrip("/") + JWKS_PATH)
    return OperatorGuard(verifier=verifier, redis=redis, key_prefix=settings.kafka_topic_prefix)


def create_app(
    settings: GatewaySettings,
    *,
    sink: WebhookSink | None = None,
    operator_router: APIRouter | None = None,
    guard: OperatorGuard | None = None,
    limiter: RateLimiter | None = None,
    auth_client: httpx.AsyncClient | None = None,
) -> EdgeApp:
    """Wire the gateway: Kafka publisher (connected in the background), ingress, operator API, auth proxy,
    health on the internal app."""
    runtime = Runtime(on_startup=[_freeze_startup_objects])
    if sink is None:
        publisher = WebhookPublisher(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            topic_prefix=settings.kafka_topic_prefix,
            timeout_seconds=settings.webhook_publish_timeout_seconds,
            max_body_bytes=settings.webhook_max_body_bytes,
            linger_ms=settings.webhook_producer_linger_ms,
            record_spans=bool(settings.otel_exporter_otlp_endpoint),
            security=settings.kafka_security(),
            conversation_id_key=conversation_id_key(settings),
        )
        runtime.on_startup.append(publisher.start)
        runtime.on_shutdown.append(publisher.stop)
        runtime.checks["kafka"] = publisher.ready
        sink = publisher
    guard = guard or create_guard(settings, runtime=runtime)
    limiter = limiter or RateLimiter(redis_url=settings.redis_url, key_prefix=settings.kafka_topic_prefix)
    api = create_service_app(name=NAME, runtime=runtime, health=False)
    api.include_router(auth_proxy.create_router(settings, client=auth_client))
    router = operator_router
    if router is None and settings.operator_api_enabled:
        router = operator_api.create_router(settings, guard=guard, limiter=limiter)
    if router is not None:
        api.include_router(router)
        log.info("operator API enabled")
    document_webhook(api)
    _serve_openapi(api, guard)
    # Before the console's static mount, which would otherwise answer /console/api-docs.
    serve_api_docs(api)
    web.mount(api)
    ingress = WebhookIngress(
        sink=sink,
        app_secret=settings.whatsapp_app_secret.get_secret_value().encode(),
        verify_token=settings.whatsapp_verify_token.get_secret_value().encode(),
        max_body_bytes=settings.webhook_max_body_bytes,
    )
    internal = create_internal_app(name=NAME, runtime=runtime, internal_token=settings.internal_api_token)
    return EdgeApp(api=api, ingress=ingress, internal_app=internal, settings=settings)


def _serve_openapi(api: FastAPI, guard: OperatorGuard) -> None:
    """`GET /openapi.json`, for logged-in operators only (any role)."""
    cache: dict[str, Any] = {}

    @api.get("/openapi.json", include_in_schema=False, dependencies=[Depends(guard.require())])
    async def openapi() -> JSONResponse:
        if "doc" not in cache:
            cache["doc"] = openapi_document(api)
        return JSONResponse(cache["doc"])
