"""The connector's side of LGPD erasure and export (docs/privacy.md).

What it holds about a person: `wa:sent:<wamid>` (conversation id, command id, recipient) and
`wa:status:<wamid>` of the messages sent to them. Both are found by the conversation ids of an
erasure command (a scan of `wa:sent:*`: erasures are rare, the family is bounded by its TTL).
Dedup markers (`idem:whatsapp-connector:*`) hold message ids only, nothing about the person, and
expire on their own; media are never cached.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redis.asyncio import Redis

from atende_core.pii import Keyring, is_ciphertext
from atende_core.privacy import Subject

_SCAN_COUNT = 1000


def _text(value: Any) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


class ConnectorPrivacy:
    """Finds, erases and exports the sent-message records of a subject's conversations."""

    def __init__(self, redis: Redis, *, prefix: str = "", pii: Keyring | None = None) -> None:
        self._redis = redis
        self._prefix = prefix
        self._pii = pii  # opens the recipient for an export (records are bound to their key's token)

    async def _records(self, subject: Subject) -> dict[str, dict[str, str]]:
        """wamid → the sent record, for the subject's conversations."""
        cids = set(subject.conversation_ids)
        found: dict[str, dict[str, str]] = {}
        if not cids:
            return found
        head = f"{self._prefix}wa:sent:"
        async for key in self._redis.scan_iter(match=head + "*", count=_SCAN_COUNT):
            name = _text(key)
            if _text(await self._redis.hget(name, "conversation_id") or b"") in cids:
                raw = await self._redis.hgetall(name)
                token = name.removeprefix(head)
                record = {_text(k): _text(v) for k, v in raw.items() if _text(k) != "fallback_template"}
                if self._pii is not None and is_ciphertext(record.get("to", "")):
                    record["to"] = self._pii.decrypt_str(record["to"], purpose=f"wa.sent:{token}.to")
                found[token] = record
        return found

    async def erase(self, subject: Subject) -> Mapping[str, int]:
        """Delete the sent records and recorded statuses of the subject's messages."""
        records = await self._records(subject)
        sent = status = 0
        if records:
            sent = int(await self._redis.delete(*[f"{self._prefix}wa:sent:{m}" for m in records]))
            status = int(await self._redis.delete(*[f"{self._prefix}wa:status:{m}" for m in records]))
        return {"redis.sent": sent, "redis.status": status}

    async def export(self, subject: Subject) -> dict[str, Any]:
        """The sent records, with their last recorded delivery status."""
        records = await self._records(subject)
        messages = []
        for wamid, record in sorted(records.items()):
            status = await self._redis.get(f"{self._prefix}wa:status:{wamid}")
            messages.append({"message_id": wamid, **record, "status": int(status) if status is not None else None})
        return {"sent_messages": messages}
