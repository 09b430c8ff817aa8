"""Subscribers of the connector. Both use the bus defaults (commit after handling, bounded retries, then
the dead-letter topic) except the bus's handle-once by event id: the use cases dedup by WhatsApp id and by
command id themselves (Meta's duplicates are different events with the same wamid, so they must), and a
redelivered event meets the same claim, so the bus's two extra Redis round trips per event bought nothing."""

from __future__ import annotations

from atende_core.bus import Bus, topics
from atende_whatsapp_connector.sender import MessageSender
from atende_whatsapp_connector.webhooks import WebhookProcessor

GROUP = "whatsapp-connector"


def register(bus: Bus, *, webhooks: WebhookProcessor, sender: MessageSender, concurrency: int = 1) -> None:
    """Subscribe to verified webhooks and to send commands (`concurrency` partitions at a time each)."""
    bus.subscribe(topics.WHATSAPP_WEBHOOKS, webhooks.handle, group=GROUP, concurrency=concurrency, idempotent=False)
    # Sends of different conversations overlap (the shared limiter keeps the number's rate); one
    # conversation's commands stay on one partition, so in order.
    bus.subscribe(topics.WHATSAPP_OUTBOUND, sender.handle, group=GROUP, concurrency=concurrency, idempotent=False)
