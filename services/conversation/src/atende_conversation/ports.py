"""What the engine needs from the world: hot state, timers, transcripts, and a way to publish."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from atende_conversation.domain.model import ConversationState
from atende_conversation.outbox import Item, Publish


class VersionConflict(Exception):
    """Someone else saved the conversation since it was loaded: load again and redo."""


@dataclass(slots=True)
class Snapshot:
    """A stored state, its version (0 = never saved) and the outbox it left unfinished."""

    state: ConversationState
    version: int = 0
    outbox: list[Item] = field(default_factory=list)
    outbox_saved_at: float = 0.0  # epoch seconds; a fresh outbox is probably being run by another handler


class StateStore(Protocol):
    """Hot conversation state with optimistic versioning."""

    async def load(self, conversation_id: str) -> Snapshot | None:
        """The stored snapshot, or None when the conversation is unknown (or expired)."""

    async def save(
        self, state: ConversationState, outbox: list[Item], *, expected_version: int, saved_at: float = 0.0
    ) -> int:
        """Store state + outbox if the version is still `expected_version`; the new version, or VersionConflict."""

    async def clear_outbox(self, conversation_id: str, *, version: int) -> None:
        """Drop the outbox once it ran, unless the state moved on meanwhile."""


class TimerStore(Protocol):
    """Durable timers: members due at epoch seconds."""

    async def add(self, member: str, due: float) -> None:
        """Schedule (or reschedule) `member`."""

    async def remove(self, member: str) -> None:
        """Forget `member`."""

    async def claim_due(self, now: float, *, limit: int, lease_seconds: float) -> list[str]:
        """Members due by `now`, each pushed `lease_seconds` ahead so only this caller fires it."""


class TranscriptStore(Protocol):
    """Transcripts, sessions (outcome, CSAT) and delivery statuses."""

    async def write_turn(self, doc: dict[str, Any]) -> None:
        """Insert a transcript line once (by its _id)."""

    async def update_session(self, session_id: str, set_fields: dict[str, Any], on_insert: dict[str, Any]) -> None:
        """Upsert a session record."""

    async def record_delivery(self, command_id: str, status: str, at: Any) -> None:
        """Note the delivery status of a bot message."""


class Publisher(Protocol):
    """Publishes serialized events (the bus)."""

    async def publish_all(self, items: Sequence[Publish]) -> None:
        """Publish events in this order; return when the broker acknowledged them all."""
