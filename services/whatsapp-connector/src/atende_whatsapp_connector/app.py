"""Composition root of the WhatsApp connector."""

from __future__ import annotations

from fastapi import FastAPI
from redis.asyncio import Redis

from atende.whatsapp.v1.whatsapp_pb2 import Template
from atende_core import privacy
from atende_core.bus import Bus, topics
from atende_core.ids import conversation_id_key
from atende_core.pii import Keyring
from atende_core.secrets import rotating_secret
from atende_core.service import Runtime, build_bus, create_service_app, redis_ready
from atende_core.stores import redis_client
from atende_whatsapp_connector import handlers
from atende_whatsapp_connector.adapters.graph import GraphClient
from atende_whatsapp_connector.adapters.limiter import RedisSendLimiter
from atende_whatsapp_connector.adapters.media import MediaClient
from atende_whatsapp_connector.adapters.privacy_store import ConnectorPrivacy
from atende_whatsapp_connector.adapters.redis_store import RedisSentIndex, RedisStatusStore, deduplicator
from atende_whatsapp_connector.adapters.template_cache import ApprovedTemplates
from atende_whatsapp_connector.api import media_router, templates_router
from atende_whatsapp_connector.sender import MessageSender
from atende_whatsapp_connector.settings import ConnectorSettings
from atende_whatsapp_connector.webhooks import WebhookProcessor

NAME = "whatsapp-connector"


def graph_client(settings: ConnectorSettings) -> GraphClient:
    """The Graph API client configured from settings."""
    return GraphClient(
        base_url=settings.graph_base_url,
        access_token=rotating_secret(settings, "whatsapp_access_token"),
        app_secret=settings.whatsapp_app_secret,
        timeout_seconds=settings.whatsapp_http_timeout_seconds,
        media_hosts=settings.media_host_allowlist,
    )


def create_app(
    settings: ConnectorSettings,
    *,
    redis: Redis | None = None,
    bus: Bus | None = None,
    graph: GraphClient | None = None,
) -> FastAPI:
    """Wire the connector: Redis memories and limiter, Graph client, use cases, subscribers, media API."""
    redis = redis or redis_client(settings.redis_url)
    bus = bus or build_bus(settings, name=NAME, redis=redis)
    graph = graph or graph_client(settings)
    # The topic prefix also isolates Redis keys (parallel test runs share one Redis).
    prefix = settings.kafka_topic_prefix
    dedup = deduplicator(redis, namespace=f"{prefix}{NAME}", ttl_seconds=settings.whatsapp_dedup_ttl_seconds)
    id_key = conversation_id_key(settings)
    pii = Keyring.from_settings(settings)
    index = RedisSentIndex(
        redis,
        pii=pii,
        id_key=id_key,
        prefix=prefix,
        ttl_seconds=settings.whatsapp_sent_index_ttl_seconds,
    )
    webhooks = WebhookProcessor(
        publisher=bus,
        dedup=dedup,
        statuses=RedisStatusStore(
            redis, id_key=id_key, prefix=prefix, ttl_seconds=settings.whatsapp_sent_index_ttl_seconds
        ),
        index=index,
        owned=settings.owned_phone_number_ids,
        stale_after_seconds=settings.whatsapp_stale_after_seconds,
        id_key=id_key,
    )
    default_fallback = (
        Template(
            name=settings.whatsapp_reengagement_template, language=settings.whatsapp_reengagement_template_language
        )
        if settings.whatsapp_reengagement_template
        else None
    )
    sender = MessageSender(
        graph=graph,
        limiter=RedisSendLimiter(
            redis,
            rate_per_second=settings.whatsapp_send_rate_per_second,
            burst=settings.whatsapp_send_burst,
            prefix=prefix,
        ),
        dedup=dedup,
        index=index,
        publisher=bus,
        default_phone_number_id=settings.whatsapp_phone_number_id,
        id_key=id_key,
        default_fallback=default_fallback,
        max_attempts=settings.whatsapp_send_max_attempts,
        retry_initial_seconds=settings.whatsapp_retry_initial_seconds,
        retry_max_seconds=settings.whatsapp_retry_max_seconds,
    )
    handlers.register(bus, webhooks=webhooks, sender=sender, concurrency=settings.whatsapp_consumer_concurrency)
    privacy.subscribe(bus, service=NAME, store=ConnectorPrivacy(redis, prefix=prefix, pii=pii))
    templates = ApprovedTemplates(
        graph,
        redis,
        business_account_id=settings.whatsapp_business_account_id,
        prefix=prefix,
        ttl_s=settings.whatsapp_template_cache_s,
    )
    runtime = Runtime(
        bus=bus,
        publishes_to=[topics.CONVERSATION_INBOUND, topics.WHATSAPP_STATUS, topics.WHATSAPP_OUTBOUND],
        checks={"kafka": bus.ping, "redis": redis_ready(redis)},
        on_shutdown=[graph.aclose, redis.aclose],
    )
    return create_service_app(
        name=NAME,
        runtime=runtime,
        internal_routers=[
            media_router(MediaClient(graph), default_phone_number_id=settings.whatsapp_phone_number_id),
            templates_router(templates),
        ],
        internal_token=settings.internal_api_token,
    )
