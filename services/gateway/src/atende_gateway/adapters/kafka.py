"""Durable publishing of verified webhooks to `whatsapp.webhooks`.

This is the hottest path of the platform, so it talks to aiokafka directly instead of through the
service Bus: the Bus opens an OpenTelemetry span and goes through FastStream's publisher layers on
every message, which cost more CPU than the whole rest of the request. What stays the same as the
Bus: the protobuf value and CloudEvents headers (`atende_core.bus.codec.encode`), acks=all with an
idempotent producer, the topic's partitioning, the `atende_bus_messages_published_total` metric,
and the W3C trace context: each webhook starts its trace here with one producer span, so a customer
message is one trace from the webhook to the reply.

The publisher connects in the background, so the gateway serves (answering 503, which makes Meta
retry) while Kafka is away instead of refusing to start; every publish waits for the acks=all
confirmation within a bounded time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.partitioner import DefaultPartitioner
from opentelemetry import trace
from opentelemetry.trace import SpanContext, SpanKind

from atende.whatsapp.v1.whatsapp_pb2 import WebhookReceived
from atende_core.bus import encode, topics
from atende_core.bus import metrics as bus_metrics
from atende_core.bus.security import KafkaSecurity
from atende_core.tasks import cancelled
from atende_gateway.domain.webhook import partition_key
from atende_gateway.ports import PublishUnavailable

log = logging.getLogger(__name__)

SOURCE = "atende/gateway"
UNKNOWN_KEY = "unknown"
# Room for the protobuf wrapper and the CloudEvents headers around the largest body we accept.
_ENVELOPE_OVERHEAD_BYTES = 64 * 1024
_PARTITIONS = 3  # the Bus default: ordering is per key, parallelism per partition
_PUBLISHED = bus_metrics.PUBLISHED.labels(topics.WHATSAPP_WEBHOOKS)
_PUBLISH_FAILED = bus_metrics.PUBLISH_FAILED.labels(topics.WHATSAPP_WEBHOOKS)
_SPAN_NAME = f"{topics.WHATSAPP_WEBHOOKS} publish"
_tracer = trace.get_tracer("atende.gateway")


def _traceparent(context: SpanContext) -> str:
    """The W3C traceparent of a span, formatted directly: the generic propagator costs more than the
    rest of the publish on this path."""
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}"


def _new_traceparent() -> str:
    """A new sampled trace for a webhook when spans are not exported: the services downstream still
    share its trace id (logs carry it), at a fraction of the cost of an SDK span."""
    return f"00-{random.getrandbits(128):032x}-{random.getrandbits(64):016x}-01"


class CachedPartitioner:
    """Kafka's default key partitioner (murmur2, pure Python in aiokafka) remembered per key: webhooks
    are keyed by the few phone-number ids we own, so hashing every message again is wasted CPU."""

    def __init__(self, max_keys: int = 10_000) -> None:
        self._default = DefaultPartitioner()
        self._cache: dict[tuple[bytes, int], int] = {}
        self._max_keys = max_keys

    def __call__(self, key: bytes | None, all_partitions: list[int], available: list[int]) -> int:
        if key is None:
            return int(self._default(key, all_partitions, available))
        cache_key = (key, len(all_partitions))
        partition = self._cache.get(cache_key)
        if partition is None:
            if len(self._cache) >= self._max_keys:
                self._cache.clear()
            partition = self._cache[cache_key] = int(self._default(key, all_partitions, available))
        return partition


class WebhookPublisher:
    """Publishes verified webhook bodies with acks=all and knows whether Kafka is connected."""

    def __init__(
        self,
        *,
        bootstrap_servers: str,
        topic_prefix: str = "",
        timeout_seconds: float,
        max_body_bytes: int,
        linger_ms: int = 5,
        reconnect_max_seconds: float = 10.0,
        producer: AIOKafkaProducer | None = None,
        record_spans: bool = True,
        security: KafkaSecurity | None = None,
        conversation_id_key: bytes,
    ) -> None:
        self._bootstrap = bootstrap_servers
        # TLS/SASL options of every Kafka client this publisher creates (producer and admin).
        self._kafka_options = (security or KafkaSecurity()).client_kwargs()
        self._topic = topic_prefix + topics.WHATSAPP_WEBHOOKS
        self._timeout = timeout_seconds
        self._max_message_bytes = max_body_bytes + _ENVELOPE_OVERHEAD_BYTES
        self._linger_ms = linger_ms
        self._reconnect_max = reconnect_max_seconds
        # A producer passed in is used as is (already started): tests pass stand-ins.
        self._producer: AIOKafkaProducer | None = producer
        self._task: asyncio.Task[None] | None = None
        # Only worth its CPU when spans are exported (OTEL_EXPORTER_OTLP_ENDPOINT set).
        self._record_spans = record_spans
        self._id_key = conversation_id_key

    @property
    def connected(self) -> bool:
        """True once the producer is connected and the topic exists."""
        return self._producer is not None

    async def start(self) -> None:
        """Connect in the background, retrying with backoff until Kafka answers."""
        if self._producer is not None:
            return
        self._task = asyncio.create_task(self._connect(), name="webhook-publisher-connect")

    async def _connect(self) -> None:
        delay = 0.5
        while True:
            producer = AIOKafkaProducer(
                bootstrap_servers=self._bootstrap,
                client_id="atende-gateway",
                acks="all",
                enable_idempotence=True,
                # A few ms of linger lets concurrent webhooks share one produce request (more
                # throughput, and under load lower latency too); Meta's budget is 250 ms.
                linger_ms=self._linger_ms,
                max_batch_size=256 * 1024,
                max_request_size=self._max_message_bytes,
                partitioner=CachedPartitioner(),
                **self._kafka_options,
            )
            try:
                await self._ensure_topic()
                await producer.start()
            except Exception as exc:  # noqa: BLE001 - any failure means "not yet"; keep trying
                with contextlib.suppress(Exception):
                    await producer.stop()
                log.warning(
                    "kafka not reachable; webhooks answer 503 until it is",
                    extra={"error.type": type(exc).__name__, "retry.seconds": delay},
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._reconnect_max)
                continue
            self._producer = producer
            log.info("webhook publisher connected", extra={"topic": self._topic})
            return

    async def _ensure_topic(self) -> None:
        """Create the topic when missing and let it hold messages as large as Meta's biggest webhook."""
        admin = AIOKafkaAdminClient(
            bootstrap_servers=self._bootstrap, client_id="atende-gateway-admin", **self._kafka_options
        )
        await admin.start()
        try:
            configs = {"max.message.bytes": str(self._max_message_bytes)}
            if self._topic not in set(await admin.list_topics()):
                with contextlib.suppress(TopicAlreadyExistsError):
                    await admin.create_topics([NewTopic(self._topic, _PARTITIONS, 1, topic_configs=configs)])
            try:
                await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, self._topic, configs=configs)])
            except Exception as exc:  # noqa: BLE001 - a cluster may forbid it; provisioning then owns it
                log.warning(
                    "could not raise max.message.bytes of the webhooks topic", extra={"error.type": type(exc).__name__}
                )
        finally:
            await admin.close()

    async def stop(self) -> None:
        """Stop connecting, flush the producer and disconnect."""
        await cancelled(self._task)
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()

    async def ready(self) -> bool:
        """Readiness: connected, and the cluster answers a metadata request."""
        producer = self._producer
        if producer is None:
            return False
        try:
            async with asyncio.timeout(2.0):
                await producer.client.fetch_all_metadata()
        except Exception:  # noqa: BLE001 - any failure is "not ready"
            return False
        return True

    async def _send(
        self, producer: AIOKafkaProducer, value: bytes, headers: dict[str, str], *, body: bytes, phone_number_id: str
    ) -> None:
        async with asyncio.timeout(self._timeout):
            await producer.send_and_wait(
                self._topic,
                value,
                key=(partition_key(body, phone_number_id, id_key=self._id_key) or UNKNOWN_KEY).encode(),
                headers=[(name, text.encode()) for name, text in headers.items()],
            )

    async def publish(self, body: bytes, *, phone_number_id: str) -> None:
        """Publish one verified body and wait for acks=all; PublishUnavailable when that fails."""
        producer = self._producer
        if producer is None:
            raise PublishUnavailable("kafka is not connected")
        event = WebhookReceived(raw_body=body, phone_number_id=phone_number_id)
        event.received_at.FromNanoseconds(time.time_ns())
        value, headers = encode(event, source=SOURCE)
        try:
            if self._record_spans:
                with _tracer.start_as_current_span(_SPAN_NAME, kind=SpanKind.PRODUCER) as span:
                    headers["traceparent"] = _traceparent(span.get_span_context())
                    await self._send(producer, value, headers, body=body, phone_number_id=phone_number_id)
            else:
                headers["traceparent"] = _new_traceparent()
                await self._send(producer, value, headers, body=body, phone_number_id=phone_number_id)
        except TimeoutError as exc:
            _PUBLISH_FAILED.inc()
            raise PublishUnavailable("kafka did not confirm in time") from exc
        except Exception as exc:
            _PUBLISH_FAILED.inc()
            raise PublishUnavailable(f"kafka refused the webhook: {type(exc).__name__}") from exc
        _PUBLISHED.inc()
