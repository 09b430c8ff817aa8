"""Security events on `security.events` (atende.security.v1.SecurityEventRecorded, key user_id)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from google.protobuf.timestamp_pb2 import Timestamp

from atende.security.v1.security_pb2 import SecurityEventRecorded
from atende_auth import metrics
from atende_auth.domain.clock import Clock
from atende_core.bus import Bus, topics

log = logging.getLogger(__name__)


class BusSecurityEvents:
    """Publishes one event per call; a Kafka failure is logged and counted, never fails the login."""

    def __init__(self, bus: Bus, *, clock: Clock) -> None:
        self._bus = bus
        self._clock = clock

    async def record(
        self,
        kind: SecurityEventRecorded.Kind,
        *,
        user_id: str,
        source_ip: str = "",
        user_agent: str = "",
        details: Mapping[str, str] | None = None,
    ) -> None:
        """Publish the event (details must never hold passwords, tokens or codes)."""
        stamp = Timestamp()
        stamp.FromDatetime(self._clock.now())
        event = SecurityEventRecorded(
            user_id=user_id,
            kind=kind,
            occurred_at=stamp,
            source_ip=source_ip,
            user_agent=user_agent[:256],
            details=dict(details or {}),
        )
        kind_name = SecurityEventRecorded.Kind.Name(kind)
        try:
            await self._bus.publish(topics.SECURITY_EVENTS, event, key=user_id or "anonymous")
        except Exception as exc:  # noqa: BLE001 - a lost event is counted and logged; the login goes on
            metrics.SECURITY_EVENTS_FAILED.labels(kind_name).inc()
            log.error(
                "security event not published",
                extra={"event.action": "security-event-failed", "error.type": type(exc).__name__, "kind": kind_name},
            )
            return
        metrics.SECURITY_EVENTS.labels(kind_name).inc()
