"""Publishes outbox events through the shared bus."""

from __future__ import annotations

from collections.abc import Sequence

from atende_conversation.outbox import Publish
from atende_core.bus import Bus, Outgoing, message_class


class BusPublisher:
    """Re-hydrates serialized events and publishes them with their deterministic ids."""

    def __init__(self, bus: Bus) -> None:
        self._bus = bus

    async def publish_all(self, items: Sequence[Publish]) -> None:
        """Publish in order and wait for every acknowledgement (one broker round trip, not one each)."""
        outgoing = []
        for item in items:
            event = message_class(item.type_name)()
            event.ParseFromString(item.payload)
            outgoing.append(Outgoing(item.topic, event, key=item.key, event_id=item.event_id))
        await self._bus.publish_many(outgoing)
