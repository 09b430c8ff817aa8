"""Signing keys in MongoDB (collection `auth_signing_keys`), private halves encrypted by the SecretBox."""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from atende_auth.domain.keys import SigningKey, load_key
from atende_auth.ports import SecretBox, UndecryptableSecret

COLLECTION = "auth_signing_keys"
log = logging.getLogger(__name__)


class MongoKeyStore:
    """StoredKeys over one MongoDB collection."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]], box: SecretBox) -> None:
        self._keys = db[COLLECTION]
        self._box = box

    async def all(self) -> list[SigningKey]:
        """Every stored key that decrypts (one that does not is logged and left out, never used)."""
        keys = []
        async for doc in self._keys.find({}):
            try:
                raw = self._box.decrypt(doc["private_key"], context="signing-key:" + doc["_id"])
            except UndecryptableSecret:
                log.error(
                    "signing key does not decrypt under the configured key; ignored",
                    extra={"event.action": "signing-key-undecryptable", "kid": doc["_id"]},
                )
                continue
            keys.append(
                load_key(
                    kid=doc["_id"], raw_private=raw, created_at=doc["created_at"], activates_at=doc["activates_at"]
                )
            )
        return keys

    async def add(self, key: SigningKey) -> None:
        """Store a new key (its public JWK in clear, for inspection)."""
        await self._keys.insert_one(
            {
                "_id": key.kid,
                "private_key": self._box.encrypt(key.private_bytes(), context="signing-key:" + key.kid),
                "public_jwk": key.public_jwk(),
                "created_at": key.created_at,
                "activates_at": key.activates_at,
            }
        )

    async def remove(self, kids: Collection[str]) -> None:
        """Delete keys nobody needs any more."""
        if kids:
            await self._keys.delete_many({"_id": {"$in": list(kids)}})
