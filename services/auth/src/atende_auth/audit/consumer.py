"""The `audit.events` subscriber: decode → admit (refuse or mask) → append to the chain.

Consumer group `auth-audit`, one consumer (the chain is serial anyway). The bus commits an offset only
after the entry is stored, so delivery is at-least-once; the store's unique entry id makes a replay a
counted no-op, hence no Redis handle-once guard (`idempotent=False`). A refused event is counted and
dead-lettered at once (PermanentError); MongoDB being away is retried here for
`AUDIT_STORE_RETRY_S` before the bus's retries and dead-letter topic take over.

The auth service's own actions (user and role changes) go through the topic too, via
`atende_core.audit.AuditTrail`: one write path, the same checks for every producer, and a login or
admin request never fails because the audit store is slow.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from google.protobuf.message import Message
from pymongo import AsyncMongoClient
from pymongo.errors import ConnectionFailure, PyMongoError
from redis.asyncio import Redis
from tenacity import AsyncRetrying, retry_if_exception, stop_after_delay, wait_exponential_jitter

from atende.audit.v1.audit_pb2 import AuditEntryRecorded
from atende_auth.audit import metrics
from atende_auth.audit.chain import AuditFields, format_time
from atende_auth.audit.intake import Rejected, admit
from atende_auth.audit.mirror import RedisCheckpointMirror
from atende_auth.audit.settings import AuditSettings
from atende_auth.audit.store import AppendContention, Appended, MongoAuditStore
from atende_core.bus import Bus, Envelope, PermanentError, topics
from atende_core.service import Runtime

log = logging.getLogger(__name__)
GROUP = "auth-audit"
_KINDS = {
    AuditEntryRecorded.ACTOR_KIND_OPERATOR: "operator",
    AuditEntryRecorded.ACTOR_KIND_BOT: "bot",
    AuditEntryRecorded.ACTOR_KIND_SYSTEM: "system",
}


class AuditStore(Protocol):
    """What the recorder needs from the store."""

    async def append(self, fields: AuditFields) -> Appended: ...


def fields_from_event(event: AuditEntryRecorded, *, recorded_at: datetime) -> AuditFields:
    """The entry's fields from the event (an event without its time gets the time it was recorded)."""
    occurred = event.occurred_at.ToDatetime(tzinfo=UTC) if event.HasField("occurred_at") else recorded_at
    return AuditFields(
        entry_id=event.entry_id,
        occurred_at=format_time(occurred),
        recorded_at=format_time(recorded_at),
        actor_kind=_KINDS.get(event.actor_kind, "unspecified"),
        actor_id=event.actor_id,
        action=event.action,
        target=event.target,
        source=event.source,
        outcome=event.outcome,
        details=dict(event.details),
        source_ip=event.source_ip,
    )


def _fields(event: AuditEntryRecorded, *, recorded_at: datetime) -> AuditFields:
    try:
        return fields_from_event(event, recorded_at=recorded_at)
    except (ValueError, OverflowError):  # a timestamp outside what a datetime holds
        raise Rejected("invalid_occurred_at") from None


def _transient(exc: BaseException) -> bool:
    return isinstance(exc, ConnectionFailure | AppendContention) or (isinstance(exc, PyMongoError) and exc.timeout)


class AuditRecorder:
    """The use case: one incoming audit event becomes (at most) one entry of the chain."""

    def __init__(
        self,
        store: AuditStore,
        *,
        retry_s: float = 60.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._retry_s = retry_s
        self._clock = clock

    async def record(self, event: Message) -> Appended:
        """Admit and store one event; raises PermanentError (counted) when it cannot be an entry."""
        if not isinstance(event, AuditEntryRecorded):
            metrics.REJECTIONS.labels("unexpected_type").inc()
            raise PermanentError(f"{event.DESCRIPTOR.full_name} is not an audit entry")
        try:
            intake = admit(_fields(event, recorded_at=self._clock()))
        except Rejected as exc:
            metrics.REJECTIONS.labels(exc.reason).inc()
            log.warning(
                "audit event refused",
                extra={"event.action": "audit.reject", "event.reason": exc.reason, "audit.source": event.source},
            )
            raise PermanentError(f"audit event refused: {exc.reason}") from exc
        for place in intake.masked:
            metrics.MASKED.labels(place).inc()
        if intake.masked:
            log.warning(
                "personal data masked in an audit event",
                extra={"event.action": "audit.mask", "audit.source": event.source, "audit.masked": list(intake.masked)},
            )
        async for attempt in AsyncRetrying(
            stop=stop_after_delay(self._retry_s),
            wait=wait_exponential_jitter(initial=0.2, max=5.0),
            retry=retry_if_exception(_transient),
            reraise=True,
        ):
            with attempt:
                return await self._store.append(intake.fields)
        raise AssertionError("unreachable")  # pragma: no cover - AsyncRetrying either returns or raises


def subscribe(bus: Bus, recorder: AuditRecorder) -> None:
    """Store every event of `audit.events` (group `auth-audit`, commit after storing)."""

    async def on_entry(event: Message, envelope: Envelope) -> None:
        appended = await recorder.record(event)
        log.debug("audit event handled", extra={"event.id": envelope.id, "audit.stored": appended.stored})

    # Idempotent by the store's unique entry id, so no Redis handle-once round trips.
    bus.subscribe(topics.AUDIT_EVENTS, on_entry, group=GROUP, idempotent=False, concurrency=1)


def install(
    runtime: Runtime,
    *,
    bus: Bus,
    mongo: AsyncMongoClient[Any],
    redis: Redis | None,
    settings: AuditSettings,
) -> MongoAuditStore:
    """Wire the audit log into the auth service: indexes at start-up, the `audit.events` consumer."""
    mirror = RedisCheckpointMirror(redis, key_prefix=settings.kafka_topic_prefix) if redis is not None else None
    store = MongoAuditStore(mongo[settings.mongodb_database], key=settings.audit_key(), mirror=mirror)
    runtime.on_startup.append(store.ensure_indexes)
    subscribe(bus, AuditRecorder(store, retry_s=settings.audit_store_retry_s))
    return store
