"""Sessions (refresh-token families) in MongoDB (collection `auth_sessions`): the current token's
digest and every retired one, so a replayed token is recognised and its family revoked.

A rotation first inserts the old digest as the `_id` of `auth_refresh_rotations`: a unique key is
atomic on every MongoDB-wire server, while a filtered `update_one` is not a compare-and-set on all of
them (FerretDB let two concurrent refreshes with one token both rotate it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from atende_auth.domain.sessions import Session

COLLECTION = "auth_sessions"
ROTATIONS = "auth_refresh_rotations"


def _to_session(doc: dict[str, Any]) -> Session:
    return Session(
        id=doc["_id"],
        user_id=doc["user_id"],
        created_at=doc["created_at"],
        last_refresh_at=doc["last_refresh_at"],
        expires_at=doc["expires_at"],
        ip=doc.get("ip", ""),
        user_agent=doc.get("user_agent", ""),
        amr=tuple(doc.get("amr") or ()),
        revoked_at=doc.get("revoked_at"),
    )


class MongoSessionStore:
    """SessionStore over one MongoDB collection."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._sessions = db[COLLECTION]
        self._rotations = db[ROTATIONS]

    async def ensure_indexes(self) -> None:
        """Lookups by current and retired token digest, and by user."""
        await self._sessions.create_index([("current_hash", ASCENDING)], name="current_hash")
        await self._sessions.create_index([("retired_hashes", ASCENDING)], name="retired_hashes")
        await self._sessions.create_index([("user_id", ASCENDING)], name="user_id")

    async def create(self, session: Session, *, token_hash: str) -> None:
        """Store a new session whose current refresh token has digest `token_hash`."""
        await self._sessions.insert_one(
            {
                "_id": session.id,
                "user_id": session.user_id,
                "created_at": session.created_at,
                "last_refresh_at": session.last_refresh_at,
                "expires_at": session.expires_at,
                "ip": session.ip,
                "user_agent": session.user_agent,
                "amr": list(session.amr),
                "current_hash": token_hash,
                "retired_hashes": [],
                "revoked_at": None,
            }
        )

    async def by_current_token(self, token_hash: str, *, now: datetime) -> Session | None:
        """The live, unexpired session whose current token has this digest."""
        doc = await self._sessions.find_one(
            {"current_hash": token_hash, "revoked_at": None, "expires_at": {"$gt": now}}
        )
        return _to_session(doc) if doc else None

    async def by_retired_token(self, token_hash: str) -> Session | None:
        """The session (live or not) that once had this token."""
        doc = await self._sessions.find_one({"retired_hashes": token_hash})
        return _to_session(doc) if doc else None

    async def rotate(
        self, session_id: str, *, old_hash: str, new_hash: str, now: datetime, expires_at: datetime, ip: str
    ) -> bool:
        """Compare-and-set the current token; the old digest joins the retired ones."""
        try:
            await self._rotations.insert_one({"_id": old_hash, "session_id": session_id, "at": now})
        except DuplicateKeyError:
            return False  # a concurrent refresh with the same token is rotating it
        try:
            result = await self._sessions.update_one(
                {"_id": session_id, "current_hash": old_hash, "revoked_at": None},
                {
                    "$set": {"current_hash": new_hash, "last_refresh_at": now, "expires_at": expires_at, "ip": ip},
                    "$push": {"retired_hashes": old_hash},
                },
            )
        finally:
            # Only a refresh racing this one needs the marker: once updated, the digest is no longer current.
            await self._rotations.delete_one({"_id": old_hash})
        return result.modified_count == 1

    async def get(self, session_id: str) -> Session | None:
        """The session with that id."""
        doc = await self._sessions.find_one({"_id": str(session_id)})
        return _to_session(doc) if doc else None

    async def revoke(self, session_id: str, *, now: datetime) -> bool:
        """Revoke one session; False when it was already revoked or does not exist."""
        result = await self._sessions.update_one(
            {"_id": str(session_id), "revoked_at": None}, {"$set": {"revoked_at": now, "current_hash": None}}
        )
        return result.modified_count == 1

    async def revoke_all(self, user_id: str, *, now: datetime) -> list[str]:
        """Revoke every live session of the user."""
        ids = [d["_id"] async for d in self._sessions.find({"user_id": user_id, "revoked_at": None}, {"_id": 1})]
        if ids:
            await self._sessions.update_many(
                {"_id": {"$in": ids}, "revoked_at": None}, {"$set": {"revoked_at": now, "current_hash": None}}
            )
        return ids

    async def active(self, user_id: str, *, now: datetime) -> list[Session]:
        """The user's live sessions, newest first."""
        cursor = self._sessions.find({"user_id": user_id, "revoked_at": None, "expires_at": {"$gt": now}}).sort(
            "created_at", DESCENDING
        )
        return [_to_session(doc) async for doc in cursor]
