"""The gateway over a real socket, publishing to the real Kafka."""

import asyncio
import re
import socket
from typing import Any

import httpx
import pytest

from atende.whatsapp.v1.whatsapp_pb2 import WebhookReceived
from atende_core.bus import Bus, Envelope, topics
from atende_core.ids import conversation_id, conversation_id_key
from atende_core.settings import ServiceSettings
from atende_gateway.app import create_app
from atende_gateway.domain.webhook import sign
from atende_gateway.settings import THREE_MEGABYTES, GatewaySettings
from atende_testing import INTERNAL_HEADERS, INTERNAL_TOKEN, free_port, running_internal, running_server, wait_until

ID_KEY = conversation_id_key(ServiceSettings())
pytestmark = pytest.mark.integration

SECRET = "integration-secret"
PNID = "106540352242922"
# Reference §7.1 with Portuguese text escaped as Meta sends it.
BODY = (
    '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":'
    '{"messaging_product":"whatsapp","metadata":{"display_phone_number":"551140041234",'
    f'"phone_number_id":"{PNID}"}},"contacts":[{{"profile":{{"name":"Jo\\u00e3o"}},"wa_id":"5521998765432"}}],'
    '"messages":[{"from":"5521998765432","id":"wamid.A1","timestamp":"1749416383","type":"text",'
    '"text":{"body":"Ol\\u00e1, cad\\u00ea meu boleto? \\ud83d\\ude4f"}}]},"field":"messages"}]}]}'
).encode()


def gateway_settings(kafka: str, prefix: str, **overrides: Any) -> GatewaySettings:
    return GatewaySettings(
        kafka_bootstrap_servers=kafka,
        kafka_topic_prefix=prefix,
        whatsapp_app_secret=SECRET,
        whatsapp_verify_token="verify-token",
        internal_api_token=INTERNAL_TOKEN,
        **overrides,
    )


def signed(body: bytes) -> dict[str, str]:
    return {"X-Hub-Signature-256": sign(body, secret=SECRET.encode()), "Content-Type": "application/json"}


async def consume_webhooks(make_bus: Any) -> list[tuple[WebhookReceived, Envelope]]:
    received: list[tuple[WebhookReceived, Envelope]] = []

    async def record(event: WebhookReceived, envelope: Envelope) -> None:
        received.append((event, envelope))

    reader: Bus = make_bus("reader")
    reader.subscribe(topics.WHATSAPP_WEBHOOKS, record, group="reader")
    await reader.start()
    return received


async def test_signed_webhooks_are_durable_before_200_and_bad_ones_never_reach_kafka(
    kafka_bootstrap_servers: str, topic_prefix: str, make_bus: Any
) -> None:
    app = create_app(gateway_settings(kafka_bootstrap_servers, topic_prefix))
    async with (
        running_server(app) as url,
        running_internal(app) as internal_url,
        httpx.AsyncClient(base_url=url, timeout=30) as client,
        httpx.AsyncClient(base_url=internal_url, headers=INTERNAL_HEADERS, timeout=30) as internal,
    ):
        await wait_until(lambda: _ready(internal), timeout=60)
        received = await consume_webhooks(make_bus)
        challenge = await client.get(
            "/webhooks/whatsapp",
            params={"hub.mode": "subscribe", "hub.verify_token": "verify-token", "hub.challenge": "987654"},
        )
        assert (challenge.status_code, challenge.text) == (200, "987654")
        for headers in ({}, {"X-Hub-Signature-256": sign(BODY, secret=b"other")}, {"X-Hub-Signature-256": "sha256=x"}):
            assert (await client.post("/webhooks/whatsapp", content=BODY, headers=headers)).status_code == 401
        tampered = BODY.replace(b"boleto", b"bolet0")
        assert (await client.post("/webhooks/whatsapp", content=tampered, headers=signed(BODY))).status_code == 401
        response = await client.post("/webhooks/whatsapp", content=BODY, headers=signed(BODY))
        assert response.status_code == 200
        await wait_until(lambda: received, timeout=30)
        event, envelope = received[0]
        assert event.raw_body == BODY
        assert event.phone_number_id == PNID
        # The pseudonymous conversation id: one customer, one partition, and no phone number on the wire.
        assert envelope.key == conversation_id(phone_number_id=PNID, wa_id="5521998765432", key=ID_KEY)
        assert envelope.type == "atende.whatsapp.v1.WebhookReceived"
        assert event.received_at.seconds > 0
        # The webhook starts the trace that every service downstream continues.
        assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-01", envelope.headers["traceparent"])
        # Only the genuine delivery reached Kafka.
        await asyncio.sleep(0.5)
        assert len(received) == 1
        metrics = (await internal.get("/metrics")).text
        assert 'atende_gateway_webhook_signature_rejected_total{reason="missing"}' in metrics


async def test_a_three_megabyte_body_is_accepted_and_a_larger_one_refused(
    kafka_bootstrap_servers: str, topic_prefix: str, make_bus: Any
) -> None:
    app = create_app(gateway_settings(kafka_bootstrap_servers, topic_prefix))
    async with (
        running_server(app) as url,
        running_internal(app) as internal_url,
        httpx.AsyncClient(base_url=url, timeout=30) as client,
        httpx.AsyncClient(base_url=internal_url, headers=INTERNAL_HEADERS, timeout=30) as internal,
    ):
        await wait_until(lambda: _ready(internal), timeout=60)
        received = await consume_webhooks(make_bus)
        padding = b" " * (THREE_MEGABYTES - len(BODY))
        biggest = BODY[:-1] + padding + b"}"
        assert len(biggest) == THREE_MEGABYTES
        assert (await client.post("/webhooks/whatsapp", content=biggest, headers=signed(biggest))).status_code == 200
        await wait_until(lambda: received, timeout=30)
        assert received[0][0].raw_body == biggest
        too_big = biggest + b" "
        response = await client.post("/webhooks/whatsapp", content=too_big, headers=signed(too_big))
        assert response.status_code == 413

        async def chunks() -> Any:
            for _ in range(4):
                yield b" " * (1024 * 1024)

        # Without Content-Length (chunked), the cap holds while streaming.
        streamed = await client.post("/webhooks/whatsapp", content=chunks(), headers=signed(b"irrelevant"))
        assert streamed.status_code == 413


async def test_kafka_unreachable_answers_503_and_is_not_ready(topic_prefix: str) -> None:
    closed = free_port()  # nobody listens there
    # The operator API (another router) needs Kafka to start; the ingress must not.
    settings = gateway_settings(
        f"127.0.0.1:{closed}", topic_prefix, webhook_publish_timeout_seconds=1.0, operator_api_enabled=False
    )
    app = create_app(settings)
    async with (
        running_server(app) as url,
        running_internal(app) as internal_url,
        httpx.AsyncClient(base_url=url, timeout=30) as client,
        httpx.AsyncClient(base_url=internal_url, headers=INTERNAL_HEADERS, timeout=30) as internal,
    ):
        response = await client.post("/webhooks/whatsapp", content=BODY, headers=signed(BODY))
        assert response.status_code == 503
        ready = await internal.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["kafka"] == "unavailable"
        # Still verifying signatures while degraded.
        assert (await client.post("/webhooks/whatsapp", content=BODY)).status_code == 401
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", closed)) != 0


async def _ready(client: httpx.AsyncClient) -> bool:
    return (await client.get("/readyz")).status_code == 200
