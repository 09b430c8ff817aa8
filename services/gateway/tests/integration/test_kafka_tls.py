"""The gateway's webhook publisher through a real broker's TLS listener (KAFKA_SECURITY_PROTOCOL=SSL)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaConsumer

from atende.whatsapp.v1.whatsapp_pb2 import WebhookReceived
from atende_core.bus import topics
from atende_core.ids import conversation_id_key
from atende_gateway.adapters.kafka import WebhookPublisher
from atende_gateway.settings import GatewaySettings
from atende_testing import wait_until
from atende_testing.kafka_tls import TlsBroker, tls_kafka_broker

pytestmark = pytest.mark.integration
log = logging.getLogger(__name__)

PNID = "106540352242922"
BODY = b'{"object":"whatsapp_business_account","entry":[]}'


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsBroker]:
    with tls_kafka_broker(tmp_path_factory.mktemp("kafka-tls"), password=secrets.token_urlsafe(16)) as running:
        log.warning("TLS test broker listening after %.1fs", running.start_s)
        yield running


async def test_webhook_publisher_publishes_through_tls(broker: TlsBroker) -> None:
    prefix = f"tls-{secrets.token_hex(4)}."
    settings = GatewaySettings(
        kafka_bootstrap_servers=broker.ssl_bootstrap,
        kafka_topic_prefix=prefix,
        kafka_security_protocol="SSL",
        kafka_ssl_ca_file=broker.tls.ca_file,
        whatsapp_app_secret="integration-secret",
        whatsapp_verify_token="verify-token",
    )
    security = settings.kafka_security()
    publisher = WebhookPublisher(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        topic_prefix=settings.kafka_topic_prefix,
        timeout_seconds=10.0,
        max_body_bytes=settings.webhook_max_body_bytes,
        security=security,
        conversation_id_key=conversation_id_key(settings),
    )
    await publisher.start()
    try:
        await wait_until(lambda: publisher.connected, timeout=30)
        await publisher.publish(BODY, phone_number_id=PNID)
    finally:
        await publisher.stop()

    consumer = AIOKafkaConsumer(
        prefix + topics.WHATSAPP_WEBHOOKS,
        bootstrap_servers=broker.ssl_bootstrap,
        auto_offset_reset="earliest",
        group_id=None,
        enable_auto_commit=False,
        **security.client_kwargs(),
    )
    await consumer.start()
    received: list[WebhookReceived] = []
    try:

        async def arrived() -> bool:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                for record in records:
                    event = WebhookReceived()
                    event.ParseFromString(record.value or b"")
                    received.append(event)
            return bool(received)

        await wait_until(arrived, timeout=20)
    finally:
        await consumer.stop()
    assert [(e.raw_body, e.phone_number_id) for e in received] == [(BODY, PNID)]
