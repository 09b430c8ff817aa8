"""Subscribers: every notice-worthy event is recorded in the log for now (email and Slack come with
their own issue); the consumer group and the acknowledgement policy are the bus defaults
(commit after handling, retries, then the DLQ)."""

from __future__ import annotations

import logging

from google.protobuf.message import Message

from atende_core.bus import Bus, Envelope, topics

log = logging.getLogger(__name__)
GROUP = "notifier"


async def record_notice(event: Message, envelope: Envelope) -> None:
    """Log one notice-worthy event with its type and id."""
    log.info("notice received", extra={"event.type": envelope.type, "event.id": envelope.id})


def register(bus: Bus) -> None:
    """Subscribe the notifier to the topics it listens to (ARCHITECTURE.md)."""
    for topic in (topics.CONVERSATION_EVENTS, topics.CAMPAIGN_EVENTS, topics.SECURITY_EVENTS, topics.NOTIFICATIONS):
        bus.subscribe(topic, record_notice, group=GROUP, idempotent=False)  # a replayed log line harms nobody
