"""The audit chain (pure): entries, their canonical encoding and keyed hash, and the checkpoint.

Entry #n carries the hash of entry #n-1 (`prev_hash`; entry #1 carries `GENESIS_HASH`) and its own
`hash` = HMAC-SHA256(AUDIT_CHAIN_KEY, canonical(fields, sequence, prev_hash)), where the canonical
encoding is sorted-key, compact JSON in UTF-8. The hash is keyed so that someone who can write to the
database but does not hold the key cannot recompute a forged chain (a plain SHA-256 chain only catches
an editor who does not bother to rehash everything after the entry they changed).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64
ACTOR_KINDS = frozenset({"operator", "bot", "system"})
OUTCOMES = frozenset({"ok", "refused", "failed"})
# ISO-8601 UTC with microseconds, fixed width: sorts as text and round-trips exactly (hashed as text).
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def format_time(moment: datetime) -> str:
    """The one text form of an instant in the chain (UTC, microseconds)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


@dataclass(frozen=True, slots=True)
class AuditFields:
    """What an entry says: who did what to what, when, with which outcome (no PII in clear)."""

    entry_id: str
    occurred_at: str
    recorded_at: str
    actor_kind: str
    actor_id: str
    action: str
    target: str
    source: str
    outcome: str
    details: Mapping[str, str] = field(default_factory=dict)
    source_ip: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The fields as plain JSON-able values (details as a plain dict)."""
        return {
            "entry_id": self.entry_id,
            "occurred_at": self.occurred_at,
            "recorded_at": self.recorded_at,
            "actor_kind": self.actor_kind,
            "actor_id": self.actor_id,
            "action": self.action,
            "target": self.target,
            "source": self.source,
            "outcome": self.outcome,
            "details": dict(self.details),
            "source_ip": self.source_ip,
        }


@dataclass(frozen=True, slots=True)
class ChainedEntry:
    """An entry as stored: its fields, its place in the chain and the hashes that bind it there."""

    fields: AuditFields
    sequence: int
    prev_hash: str
    hash: str


def canonical(fields: AuditFields, *, sequence: int, prev_hash: str) -> bytes:
    """The bytes the entry hash covers: sorted-key compact JSON of the fields, sequence and prev_hash."""
    document = {**fields.as_dict(), "sequence": sequence, "prev_hash": prev_hash}
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(fields: AuditFields, *, sequence: int, prev_hash: str, key: bytes) -> str:
    """HMAC-SHA256 (hex) of the canonical encoding under the chain key."""
    return hmac.new(key, canonical(fields, sequence=sequence, prev_hash=prev_hash), hashlib.sha256).hexdigest()


def chain(fields: AuditFields, *, sequence: int, prev_hash: str, key: bytes) -> ChainedEntry:
    """Entry #`sequence` after the entry whose hash is `prev_hash`."""
    if sequence < 1:
        msg = "sequence numbers start at 1"
        raise ValueError(msg)
    digest = entry_hash(fields, sequence=sequence, prev_hash=prev_hash, key=key)
    return ChainedEntry(fields=fields, sequence=sequence, prev_hash=prev_hash, hash=digest)


def hash_matches(entry: ChainedEntry, *, key: bytes, sequence: int | None = None) -> bool:
    """True when `entry.hash` is the keyed hash of its content at `sequence` (default: its own)."""
    at = entry.sequence if sequence is None else sequence
    expected = entry_hash(entry.fields, sequence=at, prev_hash=entry.prev_hash, key=key)
    return hmac.compare_digest(expected, entry.hash)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The chain's head as recorded in a second place: sequence, hash, and a MAC over both."""

    sequence: int
    hash: str
    mac: str


def checkpoint_mac(*, sequence: int, head_hash: str, key: bytes) -> str:
    """MAC of a checkpoint, so one cannot be written for a head that never existed."""
    return hmac.new(key, f"audit-checkpoint:{sequence}:{head_hash}".encode(), hashlib.sha256).hexdigest()


def make_checkpoint(entry: ChainedEntry, *, key: bytes) -> Checkpoint:
    """The checkpoint that says the chain reached `entry`."""
    mac = checkpoint_mac(sequence=entry.sequence, head_hash=entry.hash, key=key)
    return Checkpoint(sequence=entry.sequence, hash=entry.hash, mac=mac)


def checkpoint_is_authentic(checkpoint: Checkpoint, *, key: bytes) -> bool:
    """True when the checkpoint's MAC matches its sequence and hash."""
    expected = checkpoint_mac(sequence=checkpoint.sequence, head_hash=checkpoint.hash, key=key)
    return hmac.compare_digest(expected, checkpoint.mac)
