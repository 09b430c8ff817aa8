"""What the connector's use cases need from the world: the Graph API, Redis-backed memories, the
send limiter and the bus. Real adapters live in `adapters/`; tests pass fakes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from google.protobuf.message import Message

from atende.whatsapp.v1.whatsapp_pb2 import DeliveryStatus
from atende_core.bus.idempotency import Claim


@dataclass(frozen=True)
class SendResult:
    """A send the Graph API accepted (mark-as-read has no message id)."""

    message_id: str = ""
    message_status: str = ""


@dataclass(frozen=True)
class SentMessage:
    """What we remember about a message we sent, to map its status webhooks back."""

    conversation_id: str
    command_id: str
    to: str = ""
    # Serialized `Template` to send if the message later fails with 131047 (empty: none).
    fallback_template: bytes = b""


class GraphApi(Protocol):
    """The `/messages` endpoint of the Cloud API."""

    async def send_message(self, phone_number_id: str, payload: dict[str, Any]) -> SendResult:
        """Send one message; raises GraphApiError (adapters.graph) for an error answer."""
        ...


class Deduplicator(Protocol):
    """Set-if-absent claims: each key is handled once for the dedup TTL."""

    async def claim(self, key: str) -> Claim:
        """Try to become the one handler of `key`."""
        ...

    async def complete(self, key: str) -> None:
        """Remember `key` as handled."""
        ...

    async def release(self, key: str) -> None:
        """Give the claim back after a failure, so a retry can claim it."""
        ...


class StatusStore(Protocol):
    """The recorded delivery status of each message we sent."""

    async def current(self, message_id: str) -> DeliveryStatus:
        """The recorded status (UNSPECIFIED when none)."""
        ...

    async def record(self, message_id: str, status: DeliveryStatus) -> None:
        """Record `status` as the message's current one."""
        ...


class SentIndex(Protocol):
    """wamid → conversation and command of the messages we sent."""

    async def remember(self, message_id: str, sent: SentMessage) -> None:
        """Store what we know about a sent message."""
        ...

    async def lookup(self, message_id: str) -> SentMessage | None:
        """What we stored, or None (not ours, or expired)."""
        ...


class SendLimiter(Protocol):
    """Messages-per-second budget of a business number, shared by every replica."""

    async def acquire(self, phone_number_id: str) -> None:
        """Wait until one message may be sent from `phone_number_id`."""
        ...


class Publisher(Protocol):
    """Publishes events (the bus)."""

    async def publish(self, topic: str, event: Message, *, key: str, event_id: str | None = None) -> str:
        """Publish and wait for the broker's confirmation."""
        ...
