"""The conversation service's side of LGPD erasure and export (docs/privacy.md).

Collections (owned by this service):
    privacy_subject_links   one record per CPF/CNPJ lookup a conversation made: the document's blind
                            index, the conversation id, the phone's blind index, and (once SGP answered)
                            the customer and contract ids. Found by `document_index`; expires with the
                            transcripts.
    privacy_erasures        the erasure log: one record per erasure request with what it resolved to
                            (blind indexes and pseudonymous ids only), kept for good, so an erasure can
                            be re-applied after a backup restore and a replayed command resolves the same.

Erasure deletes the conversation's Redis state and timers, its transcript lines and session records,
and the links. Aggregated metrics (Prometheus counters) hold no person and stay.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from redis.asyncio import Redis

from atende_conversation.adapters.mongo_store import SESSIONS, TURNS
from atende_conversation.domain.codec import state_to_dict
from atende_conversation.ports import StateStore
from atende_core.crypto import blind_index
from atende_core.privacy import Subject

LINKS = "privacy_subject_links"
ERASURES = "privacy_erasures"
EXPORT_MAX_LINES = 2000  # per conversation: an export answer must fit in one Kafka record


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class ConversationPrivacy:
    """Links documents to conversations, resolves privacy commands, erases and exports."""

    def __init__(
        self,
        *,
        db: AsyncDatabase[dict[str, Any]],
        redis: Redis,
        states: StateStore,
        state_key: Callable[[str], str],
        timers_key: str,
        conversation_key: Callable[[str], str],
        index_key: bytes,
        open_line: Callable[[dict[str, Any]], dict[str, Any]] = dict,
    ) -> None:
        self._db = db
        self._redis = redis
        self._states = states
        self._state_key = state_key
        self._timers_key = timers_key
        self._conversation_key = conversation_key
        self._open_line = open_line  # transcript texts are stored encrypted (MongoTranscriptStore.open_turn)
        self._index_key = index_key

    async def ensure_indexes(self) -> None:
        """Lookups by document index and by conversation id."""
        await self._db[LINKS].create_index([("document_index", ASCENDING)])
        await self._db[LINKS].create_index([("conversation_id", ASCENDING)])

    # --- links, from the conversation's own SGP traffic --------------------------------------------

    async def link_lookup(self, *, request_id: str, conversation_id: str, document: str) -> None:
        """A conversation asked SGP about `document`: that conversation holds data about its owner."""
        phone_index = ""
        snapshot = await self._states.load(conversation_id)
        if snapshot is not None and snapshot.state.reply_to:
            phone_index = blind_index(snapshot.state.reply_to, self._index_key)
        fields: dict[str, Any] = {
            "document_index": blind_index(document, self._index_key),
            "conversation_id": conversation_id,
            "linked_at": datetime.now(UTC),
        }
        if phone_index:
            fields["phone_index"] = phone_index
        await self._db[LINKS].update_one({"_id": request_id}, {"$set": fields}, upsert=True)

    async def link_result(
        self, *, request_id: str, conversation_id: str, customer_id: str, contract_ids: list[str]
    ) -> None:
        """SGP found the customer of a lookup: remember their ids (the answer may overtake the request)."""
        await self._db[LINKS].update_one(
            {"_id": request_id},
            {
                "$set": {"customer_id": customer_id, "contract_ids": contract_ids, "conversation_id": conversation_id},
                "$setOnInsert": {"linked_at": datetime.now(UTC)},
            },
            upsert=True,
        )

    # --- privacy.Resolver and privacy.PersonalData ------------------------------------------------

    async def resolve(self, subject: Subject, *, erasure: bool) -> Subject:
        """Every conversation, phone index and contract linked to the document; erasures are logged once
        and a replay resolves to what was logged (the links are gone by then)."""
        if erasure:
            logged = await self._db[ERASURES].find_one({"_id": subject.request_id})
            if logged is not None:
                return subject.merged(
                    phone_indexes=logged.get("phone_indexes", []),
                    conversation_ids=logged.get("conversation_ids", []),
                    contract_ids=logged.get("contract_ids", []),
                )
        links = [link async for link in self._db[LINKS].find({"document_index": subject.document_index})]
        resolved = subject.merged(
            phone_indexes=[link["phone_index"] for link in links if link.get("phone_index")],
            conversation_ids=[link["conversation_id"] for link in links if link.get("conversation_id")],
            contract_ids=[c for link in links for c in link.get("contract_ids", [])],
        )
        if erasure:
            await self._db[ERASURES].update_one(
                {"_id": subject.request_id},
                {
                    "$setOnInsert": {
                        "document_index": subject.document_index,
                        "phone_indexes": list(resolved.phone_indexes),
                        "conversation_ids": list(resolved.conversation_ids),
                        "contract_ids": list(resolved.contract_ids),
                        "resolved_at": datetime.now(UTC),
                    }
                },
                upsert=True,
            )
        return resolved

    async def erase(self, subject: Subject) -> Mapping[str, int]:
        """Delete state, timers, transcripts, sessions and links of the subject's conversations."""
        cids = list(subject.conversation_ids)
        keys = [self._conversation_key(cid) for cid in cids]
        erased = {"redis.state": 0, "redis.timers": 0, "mongo.turns": 0, "mongo.sessions": 0, "mongo.links": 0}
        if cids:
            erased["redis.state"] = int(await self._redis.delete(*[self._state_key(cid) for cid in cids]))
            erased["redis.timers"] = await self._remove_timers(set(cids))
            erased["mongo.turns"] = (
                await self._db[TURNS].delete_many({"conversation_key": {"$in": keys}})
            ).deleted_count
            sessions = await self._db[SESSIONS].delete_many({"conversation_key": {"$in": keys}})
            erased["mongo.sessions"] = sessions.deleted_count
            by_conversation = await self._db[LINKS].delete_many({"conversation_id": {"$in": cids}})
            erased["mongo.links"] += by_conversation.deleted_count
        by_document = await self._db[LINKS].delete_many({"document_index": subject.document_index})
        erased["mongo.links"] += by_document.deleted_count
        return erased

    async def _remove_timers(self, cids: set[str]) -> int:
        """Timer members are `<token>|<kind>|<conversation id>`."""
        doomed = [
            member
            async for member, _ in self._redis.zscan_iter(self._timers_key, count=1000)
            if _text(member).split("|", 2)[-1] in cids
        ]
        return int(await self._redis.zrem(self._timers_key, *doomed)) if doomed else 0

    async def export(self, subject: Subject) -> dict[str, Any]:
        """Each conversation's current state, sessions and transcript lines, and the links themselves."""
        conversations = []
        for cid in subject.conversation_ids:
            key = self._conversation_key(cid)
            snapshot = await self._states.load(cid)
            turns = self._db[TURNS].find({"conversation_key": key}).sort("at", ASCENDING).limit(EXPORT_MAX_LINES)
            conversations.append(
                {
                    "conversation_id": cid,
                    "state": state_to_dict(snapshot.state) if snapshot is not None else None,
                    "sessions": [doc async for doc in self._db[SESSIONS].find({"conversation_key": key})],
                    "transcript": [self._open_line(doc) async for doc in turns],
                }
            )
        links = [doc async for doc in self._db[LINKS].find({"document_index": subject.document_index}, {"_id": 0})]
        return {"conversations": conversations, "identifications": links}
