"""What the webhook ingress needs from the world."""

from __future__ import annotations

from typing import Protocol

from atende_core.errors import AtendeError


class PublishUnavailable(AtendeError):
    """Kafka did not confirm the webhook in time (or is not connected): answer 503 so Meta retries."""


class WebhookSink(Protocol):
    """Durable storage of verified webhook bodies (Kafka in production)."""

    async def publish(self, body: bytes, *, phone_number_id: str) -> None:
        """Store `body` durably or raise PublishUnavailable."""
        ...
