"""The bus on a real Kafka broker: headers, tracing, dead letters, redelivery."""

from collections.abc import Callable

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from opentelemetry import trace

from atende.nlu.v1.nlu_pb2 import AnalyzeText
from atende_core.bus import Bus, Envelope, Outgoing, PermanentError, encode, topics
from atende_core.telemetry import configure_tracing
from atende_testing import wait_until

pytestmark = pytest.mark.integration

TOPIC = topics.NLU_REQUESTS


@pytest.fixture(autouse=True)
def _tracing() -> None:
    configure_tracing(service_name="bus-tests", otlp_endpoint=None)


async def _read_all(bootstrap: str, topic: str, expected: int) -> list[tuple[bytes | None, dict[str, str]]]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    records: list[tuple[bytes | None, dict[str, str]]] = []
    try:

        async def enough() -> bool:
            batch = await consumer.getmany(timeout_ms=200)
            for items in batch.values():
                records.extend((r.value, {k: v.decode() for k, v in r.headers}) for r in items)
            return len(records) >= expected

        await wait_until(enough, timeout=20)
    finally:
        await consumer.stop()
    return records


async def test_event_crosses_services_with_cloudevents_headers_and_one_trace(
    make_bus: Callable[..., Bus],
) -> None:
    received: list[tuple[AnalyzeText, Envelope, str]] = []

    async def handler(event: AnalyzeText, envelope: Envelope) -> None:
        trace_id = format(trace.get_current_span().get_span_context().trace_id, "032x")
        received.append((event, envelope, trace_id))

    producer, consumer = make_bus("conversation"), make_bus("nlu-gemini")
    consumer.subscribe(TOPIC, handler, group="nlu-gemini")
    await consumer.start()
    await producer.start(publishes_to=[TOPIC])

    with trace.get_tracer("test").start_as_current_span("webhook") as span:
        sent_trace = format(span.get_span_context().trace_id, "032x")
        event_id = await producer.publish(TOPIC, AnalyzeText(request_id="r1", text="sem internet"), key="pn:55")

    await wait_until(lambda: received, timeout=30)
    event, envelope, trace_id = received[0]
    assert event.text == "sem internet"
    assert envelope.id == event_id
    assert envelope.type == "atende.nlu.v1.AnalyzeText"
    assert envelope.source == "atende/conversation"
    assert envelope.key == "pn:55"
    assert {"ce_specversion", "ce_time", "traceparent"} <= set(envelope.headers)
    assert trace_id == sent_trace


async def test_poison_message_is_dead_lettered_and_the_partition_keeps_flowing(
    make_bus: Callable[..., Bus], kafka_bootstrap_servers: str, topic_prefix: str
) -> None:
    handled: list[str] = []

    async def handler(event: AnalyzeText, envelope: Envelope) -> None:
        if event.text == "explode":
            raise RuntimeError("handler bug")
        if event.text == "refuse":
            raise PermanentError("cannot ever work")
        handled.append(event.text)

    bus = make_bus("nlu-gemini", max_attempts=3)
    bus.subscribe(TOPIC, handler, group="nlu-gemini")
    await bus.start()

    raw = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap_servers)
    await raw.start()
    try:
        physical = topic_prefix + TOPIC
        await raw.send_and_wait(
            physical, b"\xff\x00 not protobuf", key=b"same", headers=[("ce_type", b"atende.nlu.v1.AnalyzeText")]
        )
        await raw.send_and_wait(physical, b"", key=b"same", headers=[("ce_type", b"atende.nope.v9.Unknown")])
        for text in ("explode", "refuse", "after the poison"):
            value, headers = encode(AnalyzeText(text=text), source="test")
            await raw.send_and_wait(physical, value, key=b"same", headers=[(k, v.encode()) for k, v in headers.items()])
    finally:
        await raw.stop()

    await wait_until(lambda: handled == ["after the poison"], timeout=30)
    dead = await _read_all(kafka_bootstrap_servers, topic_prefix + topics.dlq(TOPIC), expected=4)
    errors = sorted(h["x-error-type"] for _, h in dead)
    assert errors == ["DecodeError", "DecodeError", "PermanentError", "RuntimeError"]
    attempts = {h["x-error-type"]: h["x-attempts"] for _, h in dead}
    assert attempts["RuntimeError"] == "3"
    assert all(h["x-original-topic"] == TOPIC for _, h in dead)


async def test_redelivered_event_is_handled_once(make_bus: Callable[..., Bus]) -> None:
    handled: list[str] = []

    async def handler(event: AnalyzeText, envelope: Envelope) -> None:
        handled.append(envelope.id)

    bus = make_bus("nlu-gemini")
    bus.subscribe(TOPIC, handler, group="nlu-gemini")
    await bus.start(publishes_to=[TOPIC])
    for _ in range(3):
        await bus.publish(TOPIC, AnalyzeText(text="oi"), key="k", event_id="same-event-id")
    await bus.publish(TOPIC, AnalyzeText(text="marker"), key="k", event_id="marker")
    await wait_until(lambda: "marker" in handled, timeout=30)
    assert handled == ["same-event-id", "marker"]


async def test_publish_refuses_an_event_that_does_not_belong_on_the_topic(make_bus: Callable[..., Bus]) -> None:
    bus = make_bus("x")
    with pytest.raises(ValueError, match="does not belong"):
        await bus.publish(topics.SGP_REQUESTS, AnalyzeText(), key="k")


async def test_concurrent_consumers_keep_each_key_in_order(make_bus: Callable[..., Bus]) -> None:
    seen: dict[str, list[int]] = {}

    async def handler(event: AnalyzeText, envelope: Envelope) -> None:
        seen.setdefault(event.conversation_id, []).append(int(event.text))

    bus = make_bus("nlu-gemini")
    bus.subscribe(TOPIC, handler, group="nlu-gemini", concurrency=3)
    await bus.start(publishes_to=[TOPIC])
    keys = [f"conversation-{n}" for n in range(6)]
    for i in range(20):
        for key in keys:
            await bus.publish(TOPIC, AnalyzeText(conversation_id=key, text=str(i)), key=key)
    await wait_until(lambda: sum(len(v) for v in seen.values()) == 120, timeout=60)
    assert all(seen[key] == list(range(20)) for key in keys)


async def test_publish_many_keeps_the_order_of_one_key(make_bus: Callable[..., Bus]) -> None:
    seen: list[str] = []

    async def handler(event: AnalyzeText, envelope: Envelope) -> None:
        seen.append(event.text)

    bus = make_bus("conversation")
    bus.subscribe(TOPIC, handler, group="nlu-gemini")
    await bus.start(publishes_to=[TOPIC])
    texts = [str(n) for n in range(50)]
    ids = await bus.publish_many([Outgoing(TOPIC, AnalyzeText(text=t), key="one-conversation") for t in texts])
    assert len(set(ids)) == 50
    await wait_until(lambda: len(seen) == 50, timeout=30)
    assert seen == texts
