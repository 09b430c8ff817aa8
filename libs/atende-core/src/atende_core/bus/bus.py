"""The Kafka bus every service uses: typed protobuf events, CloudEvents headers, trace context,
commit-after-handling, bounded retries, a dead-letter topic per topic, idempotent handling, metrics.

Usage (in a service's handlers.py)::

    async def on_inbound(event: InboundMessage, envelope: Envelope) -> None: ...

    bus.subscribe(topics.CONVERSATION_INBOUND, on_inbound, group="conversation")
    await bus.start()
    await bus.publish(topics.NLU_REQUESTS, AnalyzeText(...), key=conversation_id)

Delivery is at-least-once; with a Redis client the bus skips an event id a group already handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

from aiokafka import ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from google.protobuf.message import Message
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from redis.asyncio import Redis
from tenacity import AsyncRetrying, retry_if_not_exception_type, stop_after_attempt, wait_exponential_jitter

from atende_core.bus import metrics
from atende_core.bus.codec import Envelope, decode, encode
from atende_core.bus.errors import DecodeError, PermanentError
from atende_core.bus.idempotency import Claim, IdempotencyGuard
from atende_core.bus.security import KafkaSecurity
from atende_core.bus.topics import CATALOG, dlq, retention_ms
from atende_core.tasks import cancelled

log = logging.getLogger(__name__)
_STOP_TIMEOUT_S = 20.0  # graceful handler drain (10 s) plus a little
tracer = trace.get_tracer("atende.bus")

Handler = Callable[[Any, Envelope], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One event to publish with `Bus.publish_many`."""

    topic: str
    event: Message
    key: str
    event_id: str | None = None


class _ClaimBusy(Exception):
    """Another consumer of the group is handling the same event right now; retry later."""


class Bus:
    """A Kafka connection for one service: publish events and run subscribed handlers."""

    def __init__(
        self,
        *,
        bootstrap_servers: str,
        service_name: str,
        topic_prefix: str = "",
        redis: Redis | None = None,
        max_attempts: int = 3,
        retry_backoff_seconds: float = 0.2,
        partitions: int = 3,
        security: KafkaSecurity | None = None,
    ) -> None:
        self._bootstrap = bootstrap_servers
        self._security = security or KafkaSecurity()
        self._service = service_name
        self._prefix = topic_prefix
        self._redis = redis
        self._max_attempts = max_attempts
        self._backoff = retry_backoff_seconds
        self._partitions = partitions
        self._topics: set[str] = set()
        self._committer = _OffsetCommitter()
        self.broker = KafkaBroker(
            bootstrap_servers,
            client_id=f"atende-{service_name}",
            acks="all",
            enable_idempotence=True,
            graceful_timeout=10.0,
            logger=logging.getLogger("faststream"),
            # Per-event logging and dependency injection cost more CPU than the handlers themselves;
            # the bus does its own decoding, metrics and failure logs.
            log_level=logging.DEBUG,
            apply_types=False,
            security=self._security.faststream(),
        )

    def topic(self, name: str) -> str:
        """The physical topic name of a logical one (the test prefix applied)."""
        return self._prefix + name

    async def publish(
        self,
        topic: str,
        event: Message,
        *,
        key: str,
        event_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> str:
        """Publish one event and wait until every in-sync replica has it; returns the event id."""
        event_id, confirmation = await self._enqueue(topic, event, key=key, event_id=event_id, headers=headers)
        await self._confirmed(topic, confirmation)
        return event_id

    async def publish_many(self, events: Sequence[Outgoing]) -> list[str]:
        """Publish several events in this order and wait for all acknowledgements together.

        The idempotent producer keeps the order of events on one partition, so a conversation's
        replies are sent in order without paying one broker round trip each.
        """
        queued = [
            (
                outgoing.topic,
                await self._enqueue(
                    outgoing.topic, outgoing.event, key=outgoing.key, event_id=outgoing.event_id, headers=None
                ),
            )
            for outgoing in events
        ]
        for topic, (_, confirmation) in queued:
            await self._confirmed(topic, confirmation)
        return [event_id for _, (event_id, _) in queued]

    async def _confirmed(self, topic: str, confirmation: asyncio.Future[Any]) -> None:
        try:
            await confirmation
        except Exception:
            metrics.PUBLISH_FAILED.labels(topic).inc()
            raise
        metrics.PUBLISHED.labels(topic).inc()

    async def _enqueue(
        self,
        topic: str,
        event: Message,
        *,
        key: str,
        event_id: str | None,
        headers: dict[str, str] | None,
    ) -> tuple[str, asyncio.Future[Any]]:
        """Hand one event to the producer (in call order) and return its id and broker confirmation."""
        expected = CATALOG.get(topic)
        if expected is not None and event.DESCRIPTOR.full_name not in expected:
            msg = f"{event.DESCRIPTOR.full_name} does not belong on {topic}"
            raise ValueError(msg)
        value, ce_headers = encode(event, source=f"atende/{self._service}", event_id=event_id)
        if headers:
            ce_headers.update(headers)
        with tracer.start_as_current_span(f"{topic} publish", kind=SpanKind.PRODUCER) as span:
            span.set_attribute("messaging.system", "kafka")
            span.set_attribute("messaging.destination.name", topic)
            span.set_attribute("messaging.message.id", ce_headers["ce_id"])
            propagate.inject(ce_headers)
            try:
                confirmation = await self.broker.publish(
                    value, self.topic(topic), key=key.encode(), headers=ce_headers, no_confirm=True
                )
            except Exception:
                metrics.PUBLISH_FAILED.labels(topic).inc()
                raise
        return ce_headers["ce_id"], confirmation

    def subscribe(
        self, topic: str, handler: Handler, *, group: str, idempotent: bool = True, concurrency: int = 1
    ) -> None:
        """Run `handler` for every event on `topic` in consumer `group`, committing after it returns.

        `concurrency` > 1 runs that many consumers of the group in this process: partitions are handled
        in parallel, each partition (so each key) still strictly in order.
        """
        physical = self.topic(topic)
        self._topics.update({topic, dlq(topic)})
        guard = (
            IdempotencyGuard(self._redis, namespace=f"{self._prefix}{group}:{topic}")
            if idempotent and self._redis is not None
            else None
        )
        subscriber = self.broker.subscriber(
            physical,
            # One Kafka group per (service group, topic): subscribers of one service never rebalance each other.
            group_id=f"{self._prefix}{group}.{topic}",
            # Offsets are committed by the bus once handled (see _OffsetCommitter), not one round trip each.
            ack_policy=AckPolicy.MANUAL,
            auto_offset_reset="earliest",
            max_workers=concurrency,
            decoder=_undecoded,
        )

        async def consume(message: KafkaMessage) -> None:
            try:
                await self._consume(message, topic=topic, group=group, handler=handler, guard=guard)
            except BaseException:
                # Not even the DLQ took it: rewind, so the event is handled again rather than lost.
                await message.nack()
                raise
            record = _record(message)
            self._committer.handled(message.consumer, record)
            partition = TopicPartition(record.topic, record.partition)
            consumers = getattr(subscriber, "consumer_subgroup", None) or [subscriber.consumer]
            for consumer in consumers:
                if consumer is None or partition not in consumer.assignment():
                    continue
                highwater = consumer.highwater(partition)
                if highwater is not None:
                    lag = max(highwater - record.offset - 1, 0)
                    metrics.CONSUMER_LAG.labels(topic, str(record.partition), group).set(lag)

        subscriber(consume)

    async def _consume(
        self,
        message: KafkaMessage,
        *,
        topic: str,
        group: str,
        handler: Handler,
        guard: IdempotencyGuard | None,
    ) -> None:
        record = _record(message)
        headers = {k: v.decode(errors="replace") for k, v in (record.headers or ())}
        started = time.perf_counter()
        context = propagate.extract(headers)
        with tracer.start_as_current_span(f"{topic} process", context=context, kind=SpanKind.CONSUMER) as span:
            span.set_attribute("messaging.system", "kafka")
            span.set_attribute("messaging.destination.name", topic)
            span.set_attribute("messaging.consumer.group.name", group)
            try:
                event, envelope = decode(record.value, headers)
            except DecodeError as exc:
                span.set_status(Status(StatusCode.ERROR, str(exc)))
                await self._dead_letter(record, headers, topic=topic, group=group, error=exc, attempts=0)
                return
            envelope = replace(
                envelope,
                topic=topic,
                key=record.key.decode(errors="replace") if record.key else None,
                partition=record.partition,
                offset=record.offset,
            )
            span.set_attribute("messaging.message.id", envelope.id)
            claim_key = envelope.id
            try:
                await self._run_with_retries(handler, event, envelope, guard=guard, claim_key=claim_key, group=group)
            except _Duplicate:
                metrics.DUPLICATES.labels(topic, group).inc()
                return
            except Exception as exc:  # noqa: BLE001 - every failure ends in the DLQ, counted and logged
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                await self._dead_letter(
                    record, headers, topic=topic, group=group, error=exc, attempts=self._max_attempts
                )
                return
            finally:
                metrics.HANDLING_SECONDS.labels(topic, group).observe(time.perf_counter() - started)
        metrics.HANDLED.labels(topic, group).inc()

    async def _run_with_retries(
        self,
        handler: Handler,
        event: Message,
        envelope: Envelope,
        *,
        guard: IdempotencyGuard | None,
        claim_key: str,
        group: str,
    ) -> None:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._max_attempts),
            wait=wait_exponential_jitter(initial=self._backoff, max=5.0),
            retry=retry_if_not_exception_type((PermanentError, _Duplicate)),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                await self._attempt(handler, event, envelope, guard=guard, claim_key=claim_key, group=group)

    async def _attempt(
        self,
        handler: Handler,
        event: Message,
        envelope: Envelope,
        *,
        guard: IdempotencyGuard | None,
        claim_key: str,
        group: str,
    ) -> None:
        claim = await guard.claim(claim_key) if guard else Claim.UNAVAILABLE
        if claim is Claim.DONE:
            raise _Duplicate
        if claim is Claim.IN_PROGRESS:
            raise _ClaimBusy(claim_key)
        if guard and claim is Claim.UNAVAILABLE:
            metrics.IDEMPOTENCY_UNAVAILABLE.labels(group).inc()
        try:
            await handler(event, envelope)
        except Exception as exc:
            metrics.FAILED.labels(envelope.topic, group, type(exc).__name__).inc()
            log.warning(
                "handler failed",
                extra={"event.type": envelope.type, "event.id": envelope.id, "error.type": type(exc).__name__},
            )
            if guard and claim is Claim.ACQUIRED:
                await guard.release(claim_key)
            raise
        if guard and claim is Claim.ACQUIRED:
            await guard.complete(claim_key)

    async def _dead_letter(
        self,
        record: ConsumerRecord[bytes, bytes],
        headers: dict[str, str],
        *,
        topic: str,
        group: str,
        error: BaseException,
        attempts: int,
    ) -> None:
        dlq_headers = {
            **headers,
            "x-error-type": type(error).__name__,
            "x-error-message": str(error)[:500],
            "x-original-topic": topic,
            "x-original-partition": str(record.partition),
            "x-original-offset": str(record.offset),
            "x-failed-group": group,
            "x-attempts": str(attempts),
        }
        await self.broker.publish(record.value or b"", self.topic(dlq(topic)), key=record.key, headers=dlq_headers)
        metrics.DEAD_LETTERED.labels(topic, group).inc()
        log.error(
            "event dead-lettered",
            extra={"event.topic": topic, "error.type": type(error).__name__, "event.offset": record.offset},
        )

    async def ensure_topics(self, topics: Iterable[str] = ()) -> None:
        """Create the subscribed topics, their DLQs and `topics` when missing (keyed ordering needs them)."""
        names = {self.topic(t) for t in (*self._topics, *topics, *(dlq(t) for t in topics))}
        admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap, **self._security.client_kwargs())
        await admin.start()
        try:
            existing = set(await admin.list_topics())
            missing = [self._new_topic(n) for n in sorted(names - existing)]
            if missing:
                # Another replica may create them between our list and our create.
                with contextlib.suppress(TopicAlreadyExistsError):
                    await admin.create_topics(missing)
        finally:
            await admin.close()

    def produces(self, *topics: str) -> None:
        """Declare topics this bus publishes to, so `start` creates them (e.g. from a shared subscriber)."""
        self._topics.update(topics)

    def _new_topic(self, physical: str) -> NewTopic:
        """A topic to create, with the retention of its logical name (docs/privacy.md)."""
        retention = retention_ms(physical.removeprefix(self._prefix))
        configs = {"retention.ms": str(retention)} if retention is not None else {}
        return NewTopic(physical, self._partitions, 1, topic_configs=configs)

    async def start(self, *, publishes_to: Iterable[str] = ()) -> None:
        """Create topics, connect the producer and start every subscriber."""
        await self.ensure_topics(publishes_to)
        await self.broker.start()
        self._committer.start()

    async def stop(self) -> None:
        """Commit what was handled, finish in-flight handlers, flush the producer and disconnect.

        Bounded: each consumer leaves its group with a request a slow broker may not answer for the
        client's whole request timeout, one consumer after the other; a shutdown must not wait on that
        (the group's session timeout frees the partitions anyway).
        """
        await self._committer.stop()
        stopping = asyncio.ensure_future(self.broker.stop())
        stopping.add_done_callback(_report_stop)
        done, _ = await asyncio.wait({stopping}, timeout=_STOP_TIMEOUT_S)
        if not done:
            stopping.cancel()
            log.warning("kafka clients did not stop in time; leaving them", extra={"timeout_s": _STOP_TIMEOUT_S})

    async def ping(self, timeout: float = 2.0) -> bool:
        """True when the Kafka cluster answers a metadata request."""
        try:
            return await asyncio.wait_for(self.broker.ping(timeout), timeout + 1)
        except (TimeoutError, KafkaError):
            return False


class _OffsetCommitter:
    """Commits the offsets of handled events every second.

    Kafka's position only moves past an event after its handler returned (handling is in order per
    partition), so delivery stays at-least-once; what a crash or rebalance replays is at most one
    interval of already-handled events, which the handle-once guard skips. Committing each event
    synchronously instead cost one broker round trip per event (~100 events/s per consumer).
    """

    def __init__(self, interval_seconds: float = 1.0, commit_timeout_seconds: float = 5.0) -> None:
        self._interval = interval_seconds
        self._commit_timeout = commit_timeout_seconds
        self._pending: dict[int, tuple[Any, dict[TopicPartition, int]]] = {}
        self._task: asyncio.Task[None] | None = None

    def handled(self, consumer: Any, record: ConsumerRecord[bytes, bytes]) -> None:
        """Remember that everything up to `record` was handled on its partition."""
        offsets = self._pending.setdefault(id(consumer), (consumer, {}))[1]
        offsets[TopicPartition(record.topic, record.partition)] = record.offset + 1

    def start(self) -> None:
        """Commit in the background until stopped."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="bus-offset-committer")

    async def stop(self) -> None:
        """Stop the background commits and commit what is pending."""
        await cancelled(self._task)
        self._task = None
        await self.flush()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self.flush()

    async def flush(self) -> None:
        """Commit every pending offset (a failure means those events may be handled again, never lost)."""
        pending, self._pending = self._pending, {}
        if not pending:
            return
        commits = {asyncio.ensure_future(consumer.commit(offsets)) for consumer, offsets in pending.values()}
        for commit in commits:
            commit.add_done_callback(_report_commit)
        # Bounded without waiting for the commits to unwind: aiokafka's commit waits for a known group
        # coordinator and may not end promptly when cancelled, and a late commit only means a replay.
        _, late = await asyncio.wait(commits, timeout=self._commit_timeout)
        for commit in late:
            commit.cancel()
        if late:
            log.warning("offset commit timed out; events may be redelivered", extra={"commits": len(late)})


def _warn_if_failed(message: str) -> Callable[[asyncio.Future[None]], None]:
    """A done-callback that logs `message` when the future failed (retrieving its error, so an abandoned
    stop or commit never becomes an unretrieved task exception)."""

    def report(future: asyncio.Future[None]) -> None:
        if not future.cancelled() and (error := future.exception()) is not None:
            log.warning(message, extra={"error.type": type(error).__name__})

    return report


_report_stop = _warn_if_failed("kafka clients stopped with an error")
# A revoked partition or a stopped consumer: those events may be handled again, never lost.
_report_commit = _warn_if_failed("offset commit failed; events may be redelivered")


async def _undecoded(message: KafkaMessage) -> KafkaMessage:
    """Hands the handler FastStream's message itself (the bus decodes protobuf with its envelope)."""
    return message


def _record(message: KafkaMessage) -> ConsumerRecord[bytes, bytes]:
    """The aiokafka record behind a FastStream message (never a batch: subscribers are per message)."""
    return cast("ConsumerRecord[bytes, bytes]", message.raw_message)


class _Duplicate(Exception):
    """The event id was already handled by this group."""
