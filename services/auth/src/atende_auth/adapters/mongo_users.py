"""Operator users in MongoDB (collection `auth_users`, owned by auth)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from atende_auth.domain.users import User, username_key
from atende_auth.ports import UsernameTaken
from atende_core.identity import Role

COLLECTION = "auth_users"


def _to_user(doc: dict[str, Any]) -> User:
    return User(
        id=doc["_id"],
        username=doc["username"],
        name=doc["name"],
        role=Role(doc["role"]),
        password_hash=doc["password_hash"],
        active=bool(doc["active"]),
        created_at=doc["created_at"],
        updated_at=doc["updated_at"],
        totp_enabled=bool(doc.get("totp_enabled", False)),
        totp_secret=doc.get("totp_secret"),
        totp_pending_secret=doc.get("totp_pending_secret"),
        totp_last_step=int(doc.get("totp_last_step", -1)),
        recovery_hashes=tuple(doc.get("recovery_hashes") or ()),
        known_ips=tuple(doc.get("known_ips") or ()),
    )


class MongoUserStore:
    """UserStore over one MongoDB collection; the username is unique through its folded key."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._users = db[COLLECTION]

    async def ensure_indexes(self) -> None:
        """The unique case-insensitive username index."""
        await self._users.create_index([("username_key", ASCENDING)], unique=True, name="username_key_unique")

    async def add(self, user: User) -> None:
        """Insert `user`; UsernameTaken on a duplicate username."""
        doc = {
            "_id": user.id,
            "username": user.username,
            "username_key": username_key(user.username),
            "name": user.name,
            "role": user.role.value,
            "password_hash": user.password_hash,
            "active": user.active,
            "totp_enabled": False,
            "totp_last_step": -1,
            "recovery_hashes": [],
            "known_ips": [],
            "created_at": user.created_at,
            "updated_at": user.updated_at,
        }
        try:
            await self._users.insert_one(doc)
        except DuplicateKeyError as exc:
            raise UsernameTaken(user.username) from exc

    async def by_id(self, user_id: str) -> User | None:
        """The user with that id."""
        doc = await self._users.find_one({"_id": str(user_id)})
        return _to_user(doc) if doc else None

    async def by_username(self, username: str) -> User | None:
        """The user with that username, compared case-insensitively."""
        doc = await self._users.find_one({"username_key": username_key(str(username))})
        return _to_user(doc) if doc else None

    async def list(self, roles: Collection[Role]) -> list[User]:
        """Users of these roles, by username."""
        cursor = self._users.find({"role": {"$in": [r.value for r in roles]}}).sort("username_key", ASCENDING)
        return [_to_user(doc) async for doc in cursor]

    async def any_with_role(self, role: Role) -> bool:
        """True when some user (active or not) has `role`."""
        return await self._users.find_one({"role": role.value}, projection={"_id": 1}) is not None

    async def set_password(self, user_id: str, password_hash: str, *, now: datetime) -> None:
        """Store a new password hash."""
        await self._users.update_one({"_id": user_id}, {"$set": {"password_hash": password_hash, "updated_at": now}})

    async def set_profile(
        self, user_id: str, *, now: datetime, name: str | None, role: Role | None, active: bool | None
    ) -> User | None:
        """Change the given fields; the updated user."""
        changes: dict[str, Any] = {"updated_at": now}
        if name is not None:
            changes["name"] = name
        if role is not None:
            changes["role"] = role.value
        if active is not None:
            changes["active"] = active
        doc = await self._users.find_one_and_update(
            {"_id": user_id}, {"$set": changes}, return_document=ReturnDocument.AFTER
        )
        return _to_user(doc) if doc else None

    async def set_pending_totp(self, user_id: str, secret: bytes, *, now: datetime) -> None:
        """Keep a not-yet-confirmed TOTP secret."""
        await self._users.update_one({"_id": user_id}, {"$set": {"totp_pending_secret": secret, "updated_at": now}})

    async def enable_totp(
        self, user_id: str, *, pending: bytes, step: int, recovery_hashes: list[str], now: datetime
    ) -> bool:
        """Promote the pending secret, if it is still the one confirmed."""
        result = await self._users.update_one(
            {"_id": user_id, "totp_pending_secret": pending},
            {
                "$set": {
                    "totp_enabled": True,
                    "totp_secret": pending,
                    "totp_last_step": step,
                    "recovery_hashes": recovery_hashes,
                    "updated_at": now,
                },
                "$unset": {"totp_pending_secret": ""},
            },
        )
        return result.modified_count == 1

    async def disable_totp(self, user_id: str, *, now: datetime) -> None:
        """Forget the TOTP secret and recovery codes."""
        await self._users.update_one(
            {"_id": user_id},
            {
                "$set": {"totp_enabled": False, "totp_last_step": -1, "recovery_hashes": [], "updated_at": now},
                "$unset": {"totp_secret": "", "totp_pending_secret": ""},
            },
        )

    async def claim_totp_step(self, user_id: str, step: int) -> bool:
        """Atomically record `step` as the last used one, only if it is later than the stored one."""
        result = await self._users.update_one(
            {"_id": user_id, "totp_last_step": {"$lt": step}}, {"$set": {"totp_last_step": step}}
        )
        return result.modified_count == 1

    async def use_recovery_code(self, user_id: str, code_hash: str) -> bool:
        """Atomically remove one recovery code digest."""
        result = await self._users.update_one(
            {"_id": user_id, "recovery_hashes": code_hash}, {"$pull": {"recovery_hashes": code_hash}}
        )
        return result.modified_count == 1

    async def remember_ip(self, user_id: str, ip: str, *, keep: int) -> None:
        """Add `ip` to the user's known addresses, keeping the latest `keep`."""
        await self._users.update_one({"_id": user_id}, {"$push": {"known_ips": {"$each": [ip], "$slice": -keep}}})
