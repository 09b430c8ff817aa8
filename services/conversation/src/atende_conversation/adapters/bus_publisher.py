"""Publishes outbox events through the shared bus."""

from __future__ import annotations

from atende_core.bus import Bus, message_class


class BusPublisher:
    """Re-hydrates a serialized event and publishes it with its deterministic id."""

    def __init__(self, bus: Bus) -> None:
        self._bus = bus

    async def publish_raw(self, topic: str, type_name: str, payload: bytes, *, key: str, event_id: str) -> None:
        """Publish one event and wait for the broker's acknowledgement."""
        event = message_class(type_name)()
        event.ParseFromString(payload)
        await self._bus.publish(topic, event, key=key, event_id=event_id)
