"""Subscribers of the campaign scheduler: delivery statuses, SGP audience results and opt-outs found in
conversation events feed campaign progress (the campaign engine comes with its own issue; until then
every event is recorded in the log)."""

from __future__ import annotations

import logging

from google.protobuf.message import Message

from atende_core.bus import Bus, Envelope, topics

log = logging.getLogger(__name__)
GROUP = "campaign-scheduler"


async def record_event(event: Message, envelope: Envelope) -> None:
    """Log one event the campaign engine will use."""
    log.debug("campaign input received", extra={"event.type": envelope.type, "event.id": envelope.id})


def register(bus: Bus) -> None:
    """Subscribe to the topics of ARCHITECTURE.md."""
    for topic in (topics.WHATSAPP_STATUS, topics.SGP_RESULTS, topics.CONVERSATION_EVENTS):
        # A log line written twice after a replay harms nobody: no handle-once guard (two Redis round
        # trips per event, on the busiest topic of the platform).
        bus.subscribe(topic, record_event, group=GROUP, idempotent=False)
