"""Composition root of the gateway: the raw webhook ingress in front of the FastAPI app that serves
health, metrics and (when present) the operator API."""

from __future__ import annotations

import gc
import importlib
import importlib.util
import logging

from fastapi import APIRouter, Depends, FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from atende_core.ids import conversation_id_key
from atende_core.service import Runtime, create_service_app
from atende_gateway.adapters.kafka import WebhookPublisher
from atende_gateway.ingress import WEBHOOK_PATHS, WebhookIngress
from atende_gateway.ports import WebhookSink
from atende_gateway.security import require_bearer
from atende_gateway.settings import GatewaySettings

log = logging.getLogger(__name__)
NAME = "gateway"
OPERATOR_API_MODULE = "atende_gateway.operator_api"


class EdgeApp:
    """Dispatches `/webhooks/whatsapp` straight to the ingress and everything else to the FastAPI app."""

    def __init__(self, *, api: FastAPI, ingress: ASGIApp) -> None:
        self.api = api
        self.ingress = ingress

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in WEBHOOK_PATHS:
            await self.ingress(scope, receive, send)
        else:
            await self.api(scope, receive, send)


def _operator_router(settings: GatewaySettings) -> APIRouter | None:
    """The operator API router when its module is installed (`router`, or `create_router(settings)`)."""
    if importlib.util.find_spec(OPERATOR_API_MODULE) is None:
        return None
    module = importlib.import_module(OPERATOR_API_MODULE)
    factory = getattr(module, "create_router", None)
    router = factory(settings) if callable(factory) else getattr(module, "router", None)
    return router if isinstance(router, APIRouter) else None


async def _freeze_startup_objects() -> None:
    """Move everything allocated at start-up out of the cyclic GC's reach: the ingress allocates a lot
    of short-lived objects, and every full collection would otherwise rescan the whole framework."""
    gc.collect()
    gc.freeze()


def create_app(
    settings: GatewaySettings,
    *,
    sink: WebhookSink | None = None,
    operator_router: APIRouter | None = None,
) -> EdgeApp:
    """Wire the gateway: Kafka publisher (connected in the background), ingress, health, operator API."""
    runtime = Runtime(on_startup=[_freeze_startup_objects])
    if sink is None:
        publisher = WebhookPublisher(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            topic_prefix=settings.kafka_topic_prefix,
            timeout_seconds=settings.webhook_publish_timeout_seconds,
            max_body_bytes=settings.webhook_max_body_bytes,
            linger_ms=settings.webhook_producer_linger_ms,
            record_spans=bool(settings.otel_exporter_otlp_endpoint),
            conversation_id_key=conversation_id_key(settings),
        )
        runtime.on_startup.append(publisher.start)
        runtime.on_shutdown.append(publisher.stop)
        runtime.checks["kafka"] = publisher.ready
        sink = publisher
    api = create_service_app(name=NAME, runtime=runtime)
    router = operator_router
    if router is None and settings.operator_api_enabled:
        router = _operator_router(settings)
    if router is not None:
        api.include_router(router, dependencies=[Depends(require_bearer(settings.operator_api_token))])
        log.info("operator API enabled")
    ingress = WebhookIngress(
        sink=sink,
        app_secret=settings.whatsapp_app_secret.get_secret_value().encode(),
        verify_token=settings.whatsapp_verify_token.get_secret_value().encode(),
        max_body_bytes=settings.webhook_max_body_bytes,
    )
    return EdgeApp(api=api, ingress=ingress)
