"""Redis memories of the connector: dedup claims, recorded statuses, the sent-message index.

Key families (all with a TTL):
    idem:whatsapp-connector:<kind>:<id>   claimed/done markers (IdempotencyGuard), ≥ 7 days
    wa:status:<wamid token>                 recorded delivery status (an integer)
    wa:sent:<wamid token>                   hash: conversation_id, command_id, to, fallback_template
A wamid token is `atende_core.ids.keyed_token` of the wamid: Meta's wamids embed the customer's number.
                                            (`to` and `fallback_template` encrypted, atende_core.pii)
Redis down makes these fail open (logged, counted by the caller): duplicates are possible, losses not.
"""

from __future__ import annotations

import logging
from typing import cast

from redis.asyncio import Redis
from redis.exceptions import RedisError

from atende.whatsapp.v1.whatsapp_pb2 import DeliveryStatus
from atende_core.bus.idempotency import IdempotencyGuard
from atende_core.ids import keyed_token
from atende_core.pii import Keyring, PiiDecryptError
from atende_whatsapp_connector.ports import SentMessage

log = logging.getLogger(__name__)
_UNKNOWN = DeliveryStatus.DELIVERY_STATUS_UNSPECIFIED


def deduplicator(redis: Redis, *, namespace: str, ttl_seconds: int) -> IdempotencyGuard:
    """SET NX claims with a long done-TTL (Meta redelivers for up to 7 days)."""
    return IdempotencyGuard(redis, namespace=namespace, done_ttl_seconds=ttl_seconds, claim_ttl_seconds=60)


class RedisStatusStore:
    """The recorded delivery status of each sent message."""

    def __init__(self, redis: Redis, *, id_key: bytes, prefix: str = "", ttl_seconds: int) -> None:
        self._redis = redis
        self._id_key = id_key
        self._prefix = prefix
        self._ttl = ttl_seconds

    def _key(self, message_id: str) -> str:
        return f"{self._prefix}wa:status:{keyed_token(message_id, key=self._id_key)}"

    async def current(self, message_id: str) -> DeliveryStatus:
        """The recorded status, UNSPECIFIED when none (or Redis is away)."""
        try:
            value = await self._redis.get(self._key(message_id))
        except (RedisError, OSError):
            log.warning("status store unavailable; treating the status as new")
            return _UNKNOWN
        return cast(DeliveryStatus, int(value)) if value is not None else _UNKNOWN

    async def record(self, message_id: str, status: DeliveryStatus) -> None:
        """Record `status` (the state machine already decided it moves forward)."""
        try:
            await self._redis.set(self._key(message_id), int(status), ex=self._ttl)
        except (RedisError, OSError):
            log.warning("could not record a delivery status")


class RedisSentIndex:
    """wamid → what we know about the message we sent (the recipient and the template encrypted)."""

    def __init__(self, redis: Redis, *, pii: Keyring, id_key: bytes, prefix: str = "", ttl_seconds: int) -> None:
        self._redis = redis
        self._pii = pii
        self._id_key = id_key
        self._prefix = prefix
        self._ttl = ttl_seconds

    def _key(self, message_id: str) -> str:
        return f"{self._prefix}wa:sent:{keyed_token(message_id, key=self._id_key)}"

    async def remember(self, message_id: str, sent: SentMessage) -> None:
        """Store the mapping for the index TTL."""
        key = self._key(message_id)
        purpose = f"wa.sent:{keyed_token(message_id, key=self._id_key)}"
        mapping: dict[str, str | bytes] = {
            "conversation_id": sent.conversation_id,
            "command_id": sent.command_id,
            "to": self._pii.encrypt_str(sent.to, purpose=f"{purpose}.to"),
            "fallback_template": self._pii.encrypt_bytes(sent.fallback_template, purpose=f"{purpose}.fallback_template")
            if sent.fallback_template
            else b"",
        }
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hset(key, mapping=mapping)  # type: ignore[arg-type]
                pipe.expire(key, self._ttl)
                await pipe.execute()
        except (RedisError, OSError):
            log.warning("could not index a sent message; its statuses will use the recipient")

    async def lookup(self, message_id: str) -> SentMessage | None:
        """The stored mapping, or None."""
        try:
            fields = await self._redis.hgetall(self._key(message_id))
        except (RedisError, OSError):
            log.warning("sent-message index unavailable")
            return None
        if not fields:
            return None

        def raw(name: bytes) -> bytes:
            value = fields.get(name, b"")
            return value.encode() if isinstance(value, str) else bytes(value)

        purpose = f"wa.sent:{keyed_token(message_id, key=self._id_key)}"
        template = raw(b"fallback_template")
        try:
            return SentMessage(
                conversation_id=raw(b"conversation_id").decode(),
                command_id=raw(b"command_id").decode(),
                to=self._pii.decrypt_str(raw(b"to"), purpose=f"{purpose}.to"),
                fallback_template=self._pii.decrypt_bytes(template, purpose=f"{purpose}.fallback_template")
                if template
                else b"",
            )
        except PiiDecryptError:
            log.warning(
                "sent-message record does not decrypt; treated as unknown", extra={"error.type": "PiiDecryptError"}
            )
            return None
