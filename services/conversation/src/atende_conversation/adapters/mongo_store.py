"""Transcripts and session records in MongoDB (collections owned by this service).

`conversation_sessions`: one record per session (start, identification, handoff, outcome, CSAT).
`conversation_turns`: one record per customer, bot or agent line, with delivery status for bot lines.
Neither holds a phone number or a document in clear: the conversation id becomes a keyed hash
(`conversation_key`), the phone is masked, and texts are masked before they get here and encrypted
here (`text`, atende_core.pii, bound to the line's _id: customer text is personal data too, and bot
lines name the customer).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from atende_core.pii import Keyring, PiiDecryptError, is_ciphertext

log = logging.getLogger(__name__)

SESSIONS = "conversation_sessions"
TURNS = "conversation_turns"
# Fields of a transcript line stored as ciphertexts.
TURN_SECRETS = ("text",)


def _dates(fields: dict[str, Any]) -> dict[str, Any]:
    """Outbox documents carry timestamps as ISO text (`*_at` / `at`); store them as dates."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, str) and (key == "at" or key.endswith(("_at", ".at"))) and value:
            out[key] = datetime.fromisoformat(value)
        elif isinstance(value, dict):
            out[key] = _dates(value)
        else:
            out[key] = value
    return out


class MongoTranscriptStore:
    """Writes and reads transcripts and sessions."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]], *, pii: Keyring) -> None:
        self._db = db
        self._pii = pii

    @classmethod
    def from_client(
        cls, client: AsyncMongoClient[dict[str, Any]], database: str, *, pii: Keyring
    ) -> MongoTranscriptStore:
        """A store on `database`."""
        return cls(client[database], pii=pii)

    async def ensure_indexes(self) -> None:
        """Indexes for the reads the API makes."""
        await self._db[TURNS].create_index([("conversation_key", ASCENDING), ("at", ASCENDING)])
        await self._db[SESSIONS].create_index([("conversation_key", ASCENDING), ("started_at", ASCENDING)])

    async def write_turn(self, doc: dict[str, Any]) -> None:
        """Write a line by its deterministic _id: a replay writes the same values again.

        `$set`, not insert-once: a delivery status may land first (the connector can send and hear back
        before this write), and the line then completes the record the status started.
        """
        fields = _dates(doc)
        record_id = fields.pop("_id")
        sealed = self._pii.encrypt_fields(fields, TURN_SECRETS, purpose=f"{TURNS}:{record_id}")
        await self._upsert(TURNS, record_id, {"$set": sealed})

    async def update_session(self, session_id: str, set_fields: dict[str, Any], on_insert: dict[str, Any]) -> None:
        """Upsert a session record."""
        update: dict[str, Any] = {}
        if set_fields:
            update["$set"] = _dates(set_fields)
        if on_insert:
            update["$setOnInsert"] = _dates(on_insert)
        if update:
            await self._upsert(SESSIONS, session_id, update)

    async def record_delivery(self, command_id: str, status: str, at: Any) -> None:
        """Note the delivery status of a bot line (statuses arrive forward-only from the connector).

        Upserted, so a status that overtakes its line's write is kept (see `write_turn`); a command that
        never has a line (a failed read receipt) leaves a record with no conversation, which no
        transcript shows.
        """
        await self._upsert(TURNS, command_id, {"$set": {"delivery": status, "delivery_at": at}})

    async def _upsert(self, collection: str, record_id: str, update: dict[str, Any]) -> None:
        """Apply `update` to a record, creating it when missing."""
        try:
            await self._db[collection].update_one({"_id": record_id}, update, upsert=True)
        except DuplicateKeyError:
            # Two upserts raced to create the record; it exists now, so this one applies as an update.
            await self._db[collection].update_one({"_id": record_id}, update, upsert=True)

    async def transcript(self, conversation_key: str, *, limit: int = 200) -> list[dict[str, Any]]:
        """The last lines of a conversation, oldest first."""
        cursor = self._db[TURNS].find({"conversation_key": conversation_key}).sort("at", -1).limit(limit)
        lines = [self.open_turn(doc) async for doc in cursor]
        return list(reversed(lines))

    def open_turn(self, doc: dict[str, Any]) -> dict[str, Any]:
        """A stored line with its text opened; a line written before encryption keeps its (masked) text,
        one that does not open shows none."""
        opened = dict(doc)
        for name in TURN_SECRETS:
            value = doc.get(name)
            if isinstance(value, str) and is_ciphertext(value):
                try:
                    opened[name] = self._pii.decrypt_fields(doc, [name], purpose=f"{TURNS}:{doc['_id']}")[name]
                except PiiDecryptError:
                    log.warning("transcript line does not open", extra={"error.type": "PiiDecryptError"})
                    opened[name] = ""
        return opened

    async def sessions(self, conversation_key: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """The last sessions of a conversation, newest first."""
        cursor = self._db[SESSIONS].find({"conversation_key": conversation_key}).sort("started_at", -1).limit(limit)
        return [doc async for doc in cursor]
