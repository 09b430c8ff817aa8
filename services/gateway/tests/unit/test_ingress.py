"""The raw ASGI ingress with a recording sink: status codes, what reaches the sink, metrics, logs."""

import asyncio
from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from prometheus_client import REGISTRY

from atende_gateway.app import create_app
from atende_gateway.domain.webhook import sign
from atende_gateway.ingress import WebhookIngress
from atende_gateway.ports import PublishUnavailable
from atende_gateway.settings import GatewaySettings

pytestmark = pytest.mark.unit

SECRET = "unit-secret"
BODY = (
    b'{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":'
    b'{"metadata":{"phone_number_id":"106540352242922"},"messages":[{"text":{"body":"Ol\\u00e1"}}]}}]}]}'
)


class RecordingSink:
    def __init__(self, failure: Exception | None = None) -> None:
        self.published: list[tuple[bytes, str]] = []
        self.failure = failure

    async def publish(self, body: bytes, *, phone_number_id: str) -> None:
        if self.failure is not None:
            raise self.failure
        self.published.append((body, phone_number_id))


def settings(**overrides: Any) -> GatewaySettings:
    return GatewaySettings(whatsapp_app_secret=SECRET, whatsapp_verify_token="verify-me", **overrides)


def client_for(sink: RecordingSink, **overrides: Any) -> httpx.AsyncClient:
    app = create_app(settings(**overrides), sink=sink)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def signed(body: bytes = BODY) -> dict[str, str]:
    return {"X-Hub-Signature-256": sign(body, secret=SECRET.encode()), "Content-Type": "application/json"}


async def test_handshake_answers_the_challenge_as_plain_text() -> None:
    async with client_for(RecordingSink()) as client:
        params = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"}
        response = await client.get("/webhooks/whatsapp", params=params)
        assert response.status_code == 200
        assert response.text == "1158201444"
        assert response.headers["content-type"].startswith("text/plain")
        # The dashboard may register the URL with a trailing slash.
        assert (await client.get("/webhooks/whatsapp/", params=params)).text == "1158201444"
        refused = await client.get("/webhooks/whatsapp", params={**params, "hub.verify_token": "guess"})
        assert refused.status_code == 403
        assert "1158201444" not in refused.text


async def test_a_signed_post_is_published_byte_for_byte_before_200() -> None:
    sink = RecordingSink()
    before = metric("atende_gateway_webhook_requests_total", outcome="accepted")
    async with client_for(sink) as client:
        response = await client.post("/webhooks/whatsapp", content=BODY, headers=signed())
    assert response.status_code == 200
    assert sink.published == [(BODY, "106540352242922")]
    assert metric("atende_gateway_webhook_requests_total", outcome="accepted") == before + 1


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "missing"),
        ({"X-Hub-Signature-256": "sha256=nothex"}, "malformed"),
        ({"X-Hub-Signature-256": sign(BODY, secret=b"wrong")}, "invalid"),
        ({"X-Hub-Signature-256": sign(BODY.replace(b"Ol", b"Oi"), secret=SECRET.encode())}, "invalid"),
    ],
)
async def test_bad_signatures_get_401_are_counted_and_the_body_is_never_logged(
    headers: dict[str, str], reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    sink = RecordingSink()
    before = metric("atende_gateway_webhook_signature_rejected_total", reason=reason)
    async with client_for(sink) as client:
        response = await client.post("/webhooks/whatsapp", content=BODY, headers=headers)
    assert response.status_code == 401
    assert sink.published == []
    assert metric("atende_gateway_webhook_signature_rejected_total", reason=reason) == before + 1
    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "signature rejected" in logged
    assert "Ol\\u00e1" not in logged
    assert "106540352242922" not in logged


async def test_kafka_unavailable_is_503_so_meta_retries() -> None:
    sink = RecordingSink(failure=PublishUnavailable("kafka is not connected"))
    async with client_for(sink) as client:
        response = await client.post("/webhooks/whatsapp", content=BODY, headers=signed())
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"


async def test_a_declared_length_over_the_cap_is_refused_before_reading() -> None:
    sink = RecordingSink()
    async with client_for(sink, webhook_max_body_bytes=1000) as client:
        big = b"x" * 1001
        response = await client.post("/webhooks/whatsapp", content=big, headers=signed(big))
        assert response.status_code == 413
        exact = b"{" + b" " * 998 + b"}"
        assert (await client.post("/webhooks/whatsapp", content=exact, headers=signed(exact))).status_code == 200
    assert sink.published == [(exact, "")]


async def test_a_chunked_body_is_cut_off_at_the_cap_without_reading_the_rest() -> None:
    """No Content-Length (chunked): the ingress stops receiving as soon as the cap is passed."""
    ingress = WebhookIngress(sink=RecordingSink(), app_secret=b"s", verify_token=b"v", max_body_bytes=1000)
    chunks_read = 0

    async def receive() -> dict[str, Any]:
        nonlocal chunks_read
        chunks_read += 1
        return {"type": "http.request", "body": b"x" * 400, "more_body": True}  # endless

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/webhooks/whatsapp", "headers": [], "query_string": b""}
    await asyncio.wait_for(ingress(scope, receive, send), timeout=5)
    assert sent[0]["status"] == 413
    assert chunks_read == 3


async def test_bad_content_length_and_other_methods() -> None:
    ingress = WebhookIngress(sink=RecordingSink(), app_secret=b"s", verify_token=b"v", max_body_bytes=1000)
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    base = {"type": "http", "path": "/webhooks/whatsapp", "query_string": b""}
    await ingress({**base, "method": "POST", "headers": [(b"content-length", b"-1")]}, receive, send)
    await ingress({**base, "method": "PUT", "headers": []}, receive, send)
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [400, 405]


async def test_a_client_that_disconnects_gets_nothing_published() -> None:
    sink = RecordingSink()
    ingress = WebhookIngress(sink=sink, app_secret=b"s", verify_token=b"v", max_body_bytes=1000)

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        raise AssertionError("nothing to answer")

    await ingress({"type": "http", "method": "POST", "path": "/", "headers": [], "query_string": b""}, receive, send)
    assert sink.published == []


async def test_health_and_metrics_live_on_the_internal_app_only() -> None:
    app = create_app(settings(internal_api_token="internal-123"), sink=RecordingSink())
    async with client_for(RecordingSink()) as public:
        for path in ("/healthz", "/readyz", "/metrics"):
            assert (await public.get(path)).status_code == 404
    transport = httpx.ASGITransport(app=app.internal_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://internal") as internal:
        assert (await internal.get("/healthz")).json() == {"status": "ok"}
        assert (await internal.get("/metrics")).status_code == 401
        metrics = await internal.get("/metrics", headers={"Authorization": "Bearer internal-123"})
        assert "atende_gateway_webhook_requests_total" in metrics.text


async def test_the_operator_router_is_behind_the_security_headers() -> None:
    router = APIRouter()

    @router.get("/operator/ping")
    async def ping() -> dict[str, str]:
        return {"pong": "yes"}

    app = create_app(settings(), sink=RecordingSink(), operator_router=router)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
        ok = await client.get("/operator/ping")
        assert ok.json() == {"pong": "yes"}
        assert ok.headers["content-security-policy"].startswith("default-src 'none'")
        assert ok.headers["x-content-type-options"] == "nosniff"


HASH_KEY = "h" * 40  # the board's CPF search key


def test_production_refuses_development_and_placeholder_secrets() -> None:
    from atende_core.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="WHATSAPP_APP_SECRET"):
        GatewaySettings(
            environment="production", whatsapp_verify_token="v" * 40, internal_api_token="i" * 40, pii_hash_key=HASH_KEY
        )
    with pytest.raises(ConfigurationError, match="INTERNAL_API_TOKEN"):
        GatewaySettings(
            environment="production",
            whatsapp_app_secret="a" * 40,
            whatsapp_verify_token="v" * 40,
            internal_api_token="changeme",
            pii_hash_key=HASH_KEY,
        )
    ok = GatewaySettings(
        environment="production",
        whatsapp_app_secret="a" * 40,
        whatsapp_verify_token="v" * 40,
        internal_api_token="i" * 40,
        pii_hash_key=HASH_KEY,
    )
    assert ok.gateway_port == 8080
    with pytest.raises(ConfigurationError, match="PII_HASH_KEY"):
        GatewaySettings(
            environment="production",
            whatsapp_app_secret="a" * 40,
            whatsapp_verify_token="v" * 40,
            internal_api_token="i" * 40,
        )


class SlowProducer:
    """An aiokafka producer stand-in whose acknowledgement never comes (Kafka stalled)."""

    class client:  # noqa: N801 - mirrors the attribute of AIOKafkaProducer
        @staticmethod
        async def fetch_all_metadata() -> None:
            return None

    async def send_and_wait(self, *args: Any, **kwargs: Any) -> None:
        await asyncio.sleep(3600)

    async def stop(self) -> None:
        return None


async def test_the_publisher_answers_unavailable_when_not_connected_or_not_confirmed_in_time() -> None:
    from atende_gateway.adapters.kafka import WebhookPublisher

    offline = WebhookPublisher(
        bootstrap_servers="127.0.0.1:1", timeout_seconds=0.05, max_body_bytes=1000, conversation_id_key=b"k"
    )
    assert not offline.connected
    with pytest.raises(PublishUnavailable, match="kafka is not connected"):
        await offline.publish(BODY, phone_number_id="1")
    assert not await offline.ready()
    stalled = WebhookPublisher(
        bootstrap_servers="unused",
        timeout_seconds=0.05,
        max_body_bytes=1000,
        producer=SlowProducer(),  # type: ignore[arg-type]
        conversation_id_key=b"k",
    )
    await stalled.start()
    assert stalled.connected
    with pytest.raises(PublishUnavailable, match="in time"):
        await asyncio.wait_for(stalled.publish(BODY, phone_number_id="1"), timeout=2)
    assert await stalled.ready()
    await stalled.stop()
    assert not stalled.connected


def test_the_partitioner_matches_kafkas_default_and_remembers_keys() -> None:
    from aiokafka.partitioner import DefaultPartitioner

    from atende_gateway.adapters.kafka import CachedPartitioner

    cached, default = CachedPartitioner(max_keys=2), DefaultPartitioner()
    partitions = [0, 1, 2]
    for key in (b"106540352242922", b"777", b"106540352242922", b"888", b"unknown"):
        assert cached(key, partitions, partitions) == default(key, partitions, partitions)
    assert cached(b"777", [0, 1, 2, 3, 4], [0]) == default(b"777", [0, 1, 2, 3, 4], [0])
