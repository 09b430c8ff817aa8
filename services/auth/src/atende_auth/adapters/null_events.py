"""Security events where no bus runs (the CLI): written to the log instead of Kafka."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from atende.security.v1.security_pb2 import SecurityEventRecorded

log = logging.getLogger(__name__)


class LoggedSecurityEvents:
    """SecurityEvents that only log the kind and the user."""

    async def record(
        self,
        kind: SecurityEventRecorded.Kind,
        *,
        user_id: str,
        source_ip: str = "",
        user_agent: str = "",
        details: Mapping[str, str] | None = None,
    ) -> None:
        """Log the event (no payload beyond kind and user)."""
        log.info(
            "security event (not published)",
            extra={"event.action": SecurityEventRecorded.Kind.Name(kind), "user.id": user_id},
        )
