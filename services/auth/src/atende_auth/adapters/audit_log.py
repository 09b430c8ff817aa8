"""The auth service's own entries in the audit log: published on `audit.events` like every other
producer's (one write path, the same intake checks), stored by auth's audit consumer."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from atende_auth import metrics
from atende_core.audit import OPERATOR, SYSTEM, AuditTrail

log = logging.getLogger(__name__)

# The actor of a change made by the bootstrap command (`atende auth create-admin`), not by an operator.
CLI_ACTOR = "cli:atende-auth"


class TrailAuditLog:
    """AuditLog over AuditTrail; a Kafka failure is logged and counted, the change itself stands."""

    def __init__(self, trail: AuditTrail) -> None:
        self._trail = trail

    async def record(
        self,
        *,
        actor_id: str | None,
        action: str,
        target: str,
        source_ip: str = "",
        details: Mapping[str, str] | None = None,
    ) -> None:
        """Publish one entry; `actor_id` None is the bootstrap command."""
        try:
            await self._trail.record(
                actor_kind=OPERATOR if actor_id else SYSTEM,
                actor_id=actor_id or CLI_ACTOR,
                action=action,
                target=target,
                details=details,
                source_ip=source_ip,
            )
        except Exception as exc:  # noqa: BLE001 - a lost entry is counted and logged; the change is done
            metrics.AUDIT_ENTRIES_FAILED.labels(action).inc()
            log.error(
                "audit entry not published",
                extra={"event.action": "audit-entry-failed", "error.type": type(exc).__name__, "audit.action": action},
            )
