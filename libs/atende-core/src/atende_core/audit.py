"""The audit trail, as producers see it: one call per operator action or ERP write, published on
`audit.events`; the auth service alone stores the entries (hash-chained, append-only)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from atende.audit.v1.audit_pb2 import AuditEntryRecorded
from atende_core.bus import Bus, topics

OPERATOR = AuditEntryRecorded.ACTOR_KIND_OPERATOR
BOT = AuditEntryRecorded.ACTOR_KIND_BOT
SYSTEM = AuditEntryRecorded.ACTOR_KIND_SYSTEM


class AuditTrail:
    """Publishes audit entries for one service (`source`)."""

    def __init__(self, bus: Bus, *, source: str) -> None:
        self._bus = bus
        self._source = source

    async def record(
        self,
        *,
        actor_kind: AuditEntryRecorded.ActorKind,
        actor_id: str,
        action: str,
        target: str,
        outcome: str = "ok",
        details: Mapping[str, str] | None = None,
        source_ip: str = "",
        entry_id: str | None = None,
    ) -> str:
        """Publish one entry and return its id; pass `entry_id` derived from the action's own id so a
        retried handler records the action once (auth stores an entry id once)."""
        stamp = Timestamp()
        stamp.FromDatetime(datetime.now(UTC))
        entry = AuditEntryRecorded(
            entry_id=entry_id or str(uuid.uuid4()),
            occurred_at=stamp,
            actor_kind=actor_kind,
            actor_id=actor_id,
            action=action,
            target=target,
            source=self._source,
            outcome=outcome,
            details=dict(details or {}),
            source_ip=source_ip,
        )
        await self._bus.publish(topics.AUDIT_EVENTS, entry, key=actor_id, event_id=entry.entry_id)
        return entry.entry_id
