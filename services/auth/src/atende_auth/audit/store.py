"""The audit log in MongoDB (auth's collections): append-only, hash-chained, one chain for all replicas.

`audit_entries`: one document per entry, `_id` = its sequence number as 12 zero-padded digits (so a
sequence is taken once, text order is chain order, and lookups hit the `_id` index: FerretDB's SQLite
backend looks integer `_id`s up by scanning), and a unique index on `entry_id` (so a replayed event is
stored once). There is no update or delete here.
`audit_checkpoints`: the head (`_id: "head"`: sequence, hash, MAC), moved forward after each append; it
catches a truncated tail (with its copy outside MongoDB, see `mirror`) and hints where the next append goes.

Concurrent replicas never fork the chain: each append computes entry #n+1 from the head it read and
inserts it under `_id` n+1; a replica that lost the race gets a duplicate key, re-reads the head and
tries again.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing, suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from atende_auth.audit import metrics
from atende_auth.audit.chain import (
    GENESIS_HASH,
    AuditFields,
    ChainedEntry,
    Checkpoint,
    chain,
    format_time,
    make_checkpoint,
)
from atende_auth.audit.verification import BreakKind, ChainBreak, ChainVerifier, Verification

log = logging.getLogger(__name__)
ENTRIES = "audit_entries"
CHECKPOINTS = "audit_checkpoints"
HEAD = "head"
_CONFLICT_BACKOFF_S = 0.01
_FIELDS = ("entry_id", "occurred_at", "recorded_at", "actor_kind", "actor_id", "action", "target", "source", "outcome")


class AppendContention(Exception):
    """Other writers kept taking the next sequence number; the event is retried by the bus."""


@dataclass(frozen=True, slots=True)
class Appended:
    """Whether this call stored the entry (False: its entry id was already stored) and, if so, the entry."""

    stored: bool
    entry: ChainedEntry | None = None


def document_id(sequence: int) -> str:
    """The `_id` of entry #`sequence`."""
    return f"{sequence:012d}"


def to_document(entry: ChainedEntry) -> dict[str, Any]:
    """The stored form of an entry."""
    return {
        "_id": document_id(entry.sequence),
        **entry.fields.as_dict(),
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def from_document(doc: Mapping[str, Any]) -> ChainedEntry:
    """An entry from its stored form; never raises, so a tampered document is reported, not a crash."""
    raw_id = doc.get("_id")
    sequence = int(raw_id) if isinstance(raw_id, str) and len(raw_id) == 12 and raw_id.isdigit() else 0
    raw_details = doc.get("details")
    details = {str(k): str(v) for k, v in raw_details.items()} if isinstance(raw_details, Mapping) else {}
    values = {name: str(doc.get(name, "")) for name in _FIELDS}
    fields = AuditFields(**values, details=details, source_ip=str(doc.get("source_ip", "")))
    return ChainedEntry(
        fields=fields, sequence=sequence, prev_hash=str(doc.get("prev_hash", "")), hash=str(doc.get("hash", ""))
    )


def _checkpoint(doc: Mapping[str, Any] | None) -> Checkpoint | None:
    if doc is None:
        return None
    sequence = doc.get("sequence")
    return Checkpoint(
        sequence=sequence if isinstance(sequence, int) else -1,
        hash=str(doc.get("hash", "")),
        mac=str(doc.get("mac", "")),
    )


class CheckpointMirror(Protocol):
    """A copy of the head checkpoint kept outside MongoDB (see `mirror.RedisCheckpointMirror`)."""

    async def advance(self, checkpoint: Checkpoint) -> None: ...

    async def read(self) -> Checkpoint | None: ...


class MongoAuditStore:
    """Appends entries to the chain and reads them back; nothing here rewrites or removes an entry."""

    def __init__(
        self,
        db: AsyncDatabase[dict[str, Any]],
        *,
        key: bytes,
        mirror: CheckpointMirror | None = None,
        max_attempts: int = 50,
    ) -> None:
        self._entries = db[ENTRIES]
        self._checkpoints = db[CHECKPOINTS]
        self._key = key
        self._mirror = mirror
        self._max_attempts = max_attempts

    async def ensure_indexes(self) -> None:
        """The unique entry id (replays stored once) and the fields `atende audit list` filters on."""
        await self._entries.create_index([("entry_id", ASCENDING)], unique=True, name="entry_id_unique")
        await self._entries.create_index([("occurred_at", ASCENDING)], name="occurred_at")
        await self._entries.create_index([("actor_id", ASCENDING), ("occurred_at", ASCENDING)], name="actor")
        await self._entries.create_index([("action", ASCENDING), ("occurred_at", ASCENDING)], name="action")

    async def append(self, fields: AuditFields) -> Appended:
        """Store `fields` as the next entry, unless its entry id is already stored.

        No look-up by entry id first (the MongoDB-wire server scans for it): the insert itself hits
        the unique indexes, and a duplicate key is told apart by the document at the sequence we tried.
        """
        started = time.perf_counter()
        for attempt in range(self._max_attempts):
            sequence, head_hash = await self._head()
            entry = chain(fields, sequence=sequence + 1, prev_hash=head_hash, key=self._key)
            try:
                await self._entries.insert_one(to_document(entry))
            except DuplicateKeyError:
                taken = await self._entries.find_one({"_id": document_id(entry.sequence)}, projection={"entry_id": 1})
                if taken is None or taken.get("entry_id") == fields.entry_id:
                    # The sequence was free, so the entry id was not (a replay), or another replica just
                    # stored this very event there.
                    metrics.DUPLICATES.labels(fields.source).inc()
                    return Appended(stored=False)
                # Another writer took this sequence number: read the head again. (If the entry id is
                # stored too, the next attempt meets a free sequence and ends as a duplicate.)
                metrics.APPEND_CONFLICTS.inc()
                # A little random backoff, so replicas racing for the head do not keep colliding.
                await asyncio.sleep(random.uniform(0, _CONFLICT_BACKOFF_S * min(attempt + 1, 5)))
                continue
            checkpoint = await self._advance_checkpoint(entry)
            if self._mirror is not None:
                await self._mirror.advance(checkpoint)
            metrics.STORED.labels(fields.source).inc()
            metrics.APPEND_SECONDS.observe(time.perf_counter() - started)
            # The log pipeline keeps a copy of every head: a third witness against a truncated tail.
            log.info(
                "audit entry stored",
                extra={
                    "event.action": "audit.append",
                    "audit.sequence": entry.sequence,
                    "audit.hash": entry.hash,
                    "audit.action": fields.action,
                },
            )
            return Appended(stored=True, entry=entry)
        raise AppendContention(f"no free sequence number after {self._max_attempts} attempts")

    async def _head(self) -> tuple[int, str]:
        """The last stored entry's sequence and hash: from the checkpoint, then forward past any it lags."""
        checkpoint = _checkpoint(await self._checkpoints.find_one({"_id": HEAD}))
        if checkpoint is None or checkpoint.sequence < 0:
            last = await self._entries.find_one({}, sort=[("_id", DESCENDING)], projection={"hash": 1})
            if last is None:
                return 0, GENESIS_HASH
            return from_document(last).sequence, str(last["hash"])
        sequence, head_hash = checkpoint.sequence, checkpoint.hash
        while following := await self._entries.find_one({"_id": document_id(sequence + 1)}, projection={"hash": 1}):
            sequence, head_hash = sequence + 1, str(following["hash"])
        return sequence, head_hash

    async def _advance_checkpoint(self, entry: ChainedEntry) -> Checkpoint:
        """Move the head checkpoint to `entry` unless another writer already moved it further."""
        checkpoint = make_checkpoint(entry, key=self._key)
        # A duplicate key: the head is already past this entry (the filter missed, the upsert collided).
        with suppress(DuplicateKeyError):
            await self._checkpoints.update_one(
                {"_id": HEAD, "sequence": {"$lt": checkpoint.sequence}},
                {"$set": {"sequence": checkpoint.sequence, "hash": checkpoint.hash, "mac": checkpoint.mac}},
                upsert=True,
            )
        return checkpoint

    async def checkpoint(self) -> Checkpoint | None:
        """The stored head checkpoint, if any."""
        return _checkpoint(await self._checkpoints.find_one({"_id": HEAD}))

    async def entries(self, *, batch_size: int = 500) -> AsyncGenerator[ChainedEntry, None]:
        """Every entry in sequence order."""
        async for doc in self._entries.find({}, sort=[("_id", ASCENDING)], batch_size=batch_size):
            yield from_document(doc)

    async def find(
        self,
        *,
        since: datetime | None = None,
        actor_id: str | None = None,
        action: str | None = None,
        limit: int = 100,
    ) -> list[ChainedEntry]:
        """Entries in sequence order, filtered by time (occurred at or after `since`), actor and action."""
        query: dict[str, Any] = {}
        if since is not None:
            query["occurred_at"] = {"$gte": format_time(since)}
        if actor_id:
            query["actor_id"] = actor_id
        if action:
            query["action"] = action
        cursor = self._entries.find(query, sort=[("_id", ASCENDING)], limit=limit)
        return [from_document(doc) async for doc in cursor]

    async def verify(self, *, expected: Checkpoint | None = None) -> Verification:
        """Walk the whole chain against the stored checkpoint, its copy, and `expected` (one kept elsewhere)."""
        stored = await self.checkpoint()
        mirrored = await self._mirror.read() if self._mirror is not None else None
        checkpoints = [c for c in (stored, mirrored, expected) if c is not None]
        verifier = ChainVerifier(key=self._key, checkpoints=checkpoints)
        async with aclosing(self.entries()) as entries:
            async for entry in entries:
                verifier.feed(entry)
                if not verifier.wants_more:
                    break
        result = verifier.finish()
        if stored is None and result.intact and result.entries > 0:
            return _missing_checkpoint(result)
        return result


def _missing_checkpoint(result: Verification) -> Verification:
    broken = ChainBreak(
        result.head_sequence,
        BreakKind.CHECKPOINT,
        "the head checkpoint is missing: a truncated tail could not be detected",
    )
    return Verification(
        entries=result.entries,
        head_sequence=result.head_sequence,
        head_hash=result.head_hash,
        checkpoints=result.checkpoints,
        broken=broken,
    )
