"""In-memory stores: recorded Graph API requests, media, and the conversations shown on the chat page."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .domain.ids import new_numeric_id
from .domain.phones import digits


def mask_secret(value: str) -> str:
    """Return a secret with only its last four characters visible."""
    return "***" + value[-4:] if len(value) > 8 else "***"


@dataclass
class RecordedRequest:
    """One Graph API call as the simulator received it, and what it answered."""

    seq: int
    at: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    raw_body: str | None
    phone: str | None = None
    kind: str | None = None
    status_code: int | None = None
    response: Any = None
    wamid: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON form served by ``GET /_sim/requests``."""
        return dict(self.__dict__)


class RequestLog:
    """Bounded log of Graph API requests, newest last."""

    def __init__(self, max_items: int) -> None:
        self._items: deque[RecordedRequest] = deque(maxlen=max_items)
        self._seq = 0

    def start(
        self,
        *,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        body: Any,
        raw_body: str | None,
    ) -> RecordedRequest:
        """Record a request as it arrives (the response is filled in later)."""
        self._seq += 1
        kept = {k: v for k, v in headers.items() if k in ("content-type", "user-agent", "authorization")}
        if "authorization" in kept:
            scheme, _, token = kept["authorization"].partition(" ")
            kept["authorization"] = f"{scheme} {mask_secret(token)}"
        record = RecordedRequest(
            seq=self._seq,
            at=datetime.now(UTC).isoformat(),
            method=method,
            path=path,
            query=query,
            headers=kept,
            body=body,
            raw_body=raw_body,
        )
        self._items.append(record)
        return record

    def query(
        self,
        *,
        phone: str | None = None,
        kind: str | None = None,
        path_contains: str | None = None,
        since_seq: int = 0,
        limit: int | None = None,
    ) -> list[RecordedRequest]:
        """Return matching records, oldest first."""
        wanted = digits(phone) if phone else None
        # Records are appended in seq order: a poller asking for what is new reads only the tail.
        newest: list[RecordedRequest] = []
        for record in reversed(self._items):
            if record.seq <= since_seq:
                break
            newest.append(record)
        out = [
            r
            for r in reversed(newest)
            if (wanted is None or r.phone == wanted)
            and (kind is None or r.kind == kind)
            and (path_contains is None or path_contains in r.path)
        ]
        return out[-limit:] if limit else out

    def clear(self) -> None:
        """Forget every record (sequence numbers keep growing)."""
        self._items.clear()


@dataclass
class MediaItem:
    """Uploaded (or generated, or fetched) media bytes."""

    id: str
    data: bytes
    mime_type: str
    filename: str | None
    created_at: float
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        self.sha256 = hashlib.sha256(self.data).hexdigest()

    def info(self, url: str) -> dict[str, Any]:
        """Return the ``GET /{media-id}`` body."""
        return {
            "messaging_product": "whatsapp",
            "url": url,
            "mime_type": self.mime_type,
            "sha256": self.sha256,
            "file_size": len(self.data),
            "id": self.id,
        }


class MediaStore:
    """Media by id, and short-lived signed download URLs like ``lookaside.fbsbx.com`` ones."""

    def __init__(self) -> None:
        self._items: dict[str, MediaItem] = {}
        self._key = secrets.token_bytes(32)

    def add(self, data: bytes, mime_type: str, filename: str | None, now: float) -> MediaItem:
        """Store bytes under a new media id."""
        item = MediaItem(id=new_numeric_id(), data=data, mime_type=mime_type, filename=filename, created_at=now)
        self._items[item.id] = item
        return item

    def get(self, media_id: str) -> MediaItem | None:
        """Return the media with that id."""
        return self._items.get(media_id)

    def exists(self, media_id: str) -> bool:
        """Return whether the media id is known."""
        return media_id in self._items

    def delete(self, media_id: str) -> bool:
        """Delete media; return whether it existed."""
        return self._items.pop(media_id, None) is not None

    def _hash(self, media_id: str, expires: int) -> str:
        return hmac.new(self._key, f"{media_id}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]

    def signed_query(self, media_id: str, expires: int) -> str:
        """Return the query string of a download URL valid until ``expires`` (Unix seconds)."""
        return f"mid={media_id}&ext={expires}&hash={self._hash(media_id, expires)}"

    def check_signature(self, media_id: str, expires: int, given: str) -> bool:
        """Return whether ``given`` is the hash of that URL."""
        return hmac.compare_digest(self._hash(media_id, expires), given)

    def clear(self) -> None:
        """Forget every media item."""
        self._items.clear()


@dataclass
class ChatMessage:
    """One bubble of the chat page."""

    id: str
    wa_id: str
    direction: str  # "in" (customer → business) or "out" (business → customer)
    ts: float
    type: str
    content: dict[str, Any]
    status: str
    error: dict[str, Any] | None = None
    context_id: str | None = None
    read_sent: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON form served to the chat page."""
        return {
            "id": self.id,
            "direction": self.direction,
            "ts": self.ts,
            "type": self.type,
            "content": self.content,
            "status": self.status,
            "error": self.error,
            "context_id": self.context_id,
        }


class ChatStore:
    """Conversations by customer (wa_id digits), with a version counter for cheap polling."""

    def __init__(self) -> None:
        self._convs: dict[str, list[ChatMessage]] = {}
        self._by_id: dict[str, ChatMessage] = {}
        self.names: dict[str, str] = {}
        self.typing_until: dict[str, float] = {}
        self.version = 0

    def touch(self) -> None:
        """Mark that something changed (pollers will refetch)."""
        self.version += 1

    def add(self, message: ChatMessage) -> None:
        """Append a bubble."""
        self._convs.setdefault(message.wa_id, []).append(message)
        self._by_id[message.id] = message
        self.touch()

    def get(self, message_id: str) -> ChatMessage | None:
        """Return the bubble with that wamid."""
        return self._by_id.get(message_id)

    def conversation(self, wa_id: str) -> list[ChatMessage]:
        """Return a customer's bubbles, oldest first."""
        return list(self._convs.get(wa_id, []))

    def customers(self) -> list[str]:
        """Return every customer with at least one bubble."""
        return list(self._convs)

    def clear(self) -> None:
        """Forget every conversation."""
        self._convs.clear()
        self._by_id.clear()
        self.typing_until.clear()
        self.touch()
