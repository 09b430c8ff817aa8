"""Protobuf values with CloudEvents Kafka binary-mode headers (ce_*), and W3C trace context."""

from __future__ import annotations

import importlib
import pkgutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache

from google.protobuf import descriptor_pool, message_factory
from google.protobuf.message import DecodeError as ProtobufDecodeError
from google.protobuf.message import Message

from atende_core.bus.errors import DecodeError

CONTENT_TYPE = "application/x-protobuf"
SPEC_VERSION = "1.0"


@dataclass(frozen=True, slots=True)
class Envelope:
    """The CloudEvents attributes and Kafka coordinates of one consumed event."""

    id: str
    type: str
    source: str
    time: datetime
    topic: str = ""
    key: str | None = None
    partition: int = -1
    offset: int = -1
    headers: Mapping[str, str] = field(default_factory=dict)


@cache
def _load_generated_modules() -> None:
    """Import every generated module so the descriptor pool knows all event types."""
    import atende

    for module in pkgutil.walk_packages(atende.__path__, prefix="atende."):
        if module.name.endswith("_pb2"):
            importlib.import_module(module.name)


@cache
def message_class(type_name: str) -> type[Message]:
    """The generated class of a fully qualified protobuf name, e.g. atende.nlu.v1.AnalyzeText."""
    _load_generated_modules()
    try:
        descriptor = descriptor_pool.Default().FindMessageTypeByName(type_name)
    except KeyError as exc:
        raise DecodeError(f"unknown event type {type_name!r}") from exc
    return message_factory.GetMessageClass(descriptor)


def encode(event: Message, *, source: str, event_id: str | None = None) -> tuple[bytes, dict[str, str]]:
    """Serialize an event and build its CloudEvents headers."""
    headers = {
        "ce_specversion": SPEC_VERSION,
        "ce_id": event_id or str(uuid.uuid4()),
        "ce_type": event.DESCRIPTOR.full_name,
        "ce_source": source,
        "ce_time": datetime.now(UTC).isoformat(),
        "content-type": CONTENT_TYPE,
    }
    return event.SerializeToString(deterministic=True), headers


def decode(value: bytes | None, headers: Mapping[str, str]) -> tuple[Message, Envelope]:
    """Parse a Kafka value whose type is named by its `ce_type` header; DecodeError when impossible."""
    type_name = headers.get("ce_type")
    if not type_name:
        raise DecodeError("missing ce_type header")
    if value is None:
        raise DecodeError("empty value")
    event = message_class(type_name)()
    try:
        event.ParseFromString(value)
    except ProtobufDecodeError as exc:
        raise DecodeError(f"value is not a valid {type_name}") from exc
    try:
        time = datetime.fromisoformat(headers.get("ce_time", ""))
    except ValueError:
        time = datetime.now(UTC)
    envelope = Envelope(
        id=headers.get("ce_id", ""),
        type=type_name,
        source=headers.get("ce_source", ""),
        time=time,
        headers=dict(headers),
    )
    return event, envelope
