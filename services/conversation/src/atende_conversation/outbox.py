"""What a handled input still has to do in the world, saved with the new state before doing it.

The state and its outbox are written in one atomic Redis operation; then the items run; then the
outbox is cleared. A crash in between leaves the outbox in Redis, and the next input for the
conversation (the redelivered one, usually) runs it again first. Every item is idempotent: events carry
deterministic ids, SendMessage a deterministic command_id, timers are set members, transcript writes
are upserts by deterministic _id.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Publish:
    """Publish one protobuf event (already serialized) on a topic, keyed by conversation id."""

    topic: str
    type_name: str
    payload: bytes
    key: str
    event_id: str


@dataclass(frozen=True, slots=True)
class AddTimer:
    """Schedule a timer member at an epoch time."""

    member: str
    due: float


@dataclass(frozen=True, slots=True)
class RemoveTimer:
    """Forget a timer member."""

    member: str


@dataclass(frozen=True, slots=True)
class WriteTurn:
    """Insert one transcript line (upsert by its _id)."""

    doc: dict[str, Any]


@dataclass(frozen=True, slots=True)
class UpdateSession:
    """Upsert the session record: fields to set, and fields only for a new record."""

    session_id: str
    set: dict[str, Any] = field(default_factory=dict)
    set_on_insert: dict[str, Any] = field(default_factory=dict)


Item = Publish | AddTimer | RemoveTimer | WriteTurn | UpdateSession


def to_json(item: Item) -> dict[str, Any]:
    """A JSON-ready dict of an item (payload bytes as base64)."""
    match item:
        case Publish():
            return {
                "t": "pub",
                "topic": item.topic,
                "type": item.type_name,
                "payload": base64.b64encode(item.payload).decode(),
                "key": item.key,
                "id": item.event_id,
            }
        case AddTimer():
            return {"t": "timer+", "member": item.member, "due": item.due}
        case RemoveTimer():
            return {"t": "timer-", "member": item.member}
        case WriteTurn():
            return {"t": "turn", "doc": item.doc}
        case UpdateSession():
            return {"t": "session", "id": item.session_id, "set": item.set, "insert": item.set_on_insert}


def from_json(data: dict[str, Any]) -> Item:
    """The item a `to_json` dict describes."""
    kind = data["t"]
    if kind == "pub":
        return Publish(data["topic"], data["type"], base64.b64decode(data["payload"]), data["key"], data["id"])
    if kind == "timer+":
        return AddTimer(data["member"], float(data["due"]))
    if kind == "timer-":
        return RemoveTimer(data["member"])
    if kind == "turn":
        return WriteTurn(data["doc"])
    if kind == "session":
        return UpdateSession(data["id"], data.get("set", {}), data.get("insert", {}))
    msg = f"unknown outbox item {kind!r}"
    raise ValueError(msg)
