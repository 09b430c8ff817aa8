"""Hot state and durable timers in Redis.

State: a hash at `conversation:<id>` with `v` (version), `s` (state JSON) and `o` (outbox JSON), TTL 24 h,
written only by a compare-and-set script, so two handlers of one conversation never lose an update.
The id is pseudonymous (atende_core.ids); `s` and `o` hold the customer's number, name, texts and
documents, so both are stored encrypted (atende_core.pii), each bound to its conversation and field.
Timers: one sorted set, `conversation-timers`, scored by due time; a poller claims due members by pushing
them a lease ahead (so a crash mid-fire means it fires again later, never never).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from redis.asyncio import Redis

from atende_conversation.domain.codec import state_from_dict, state_to_dict
from atende_conversation.domain.model import ConversationState
from atende_conversation.outbox import Item, from_json, to_json
from atende_conversation.ports import Snapshot, VersionConflict
from atende_core.pii import Keyring, PiiDecryptError

log = logging.getLogger(__name__)

_SAVE = """
local current = redis.call('HGET', KEYS[1], 'v')
if not current then current = '0' end
if current ~= ARGV[1] then return -1 end
local version = tonumber(current) + 1
redis.call('HSET', KEYS[1], 'v', version, 's', ARGV[2], 'o', ARGV[3], 'oa', ARGV[5])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return version
"""

_CLEAR_OUTBOX = """
if redis.call('HGET', KEYS[1], 'v') == ARGV[1] then redis.call('HSET', KEYS[1], 'o', '') end
return 0
"""

_CLAIM = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(due) do redis.call('ZADD', KEYS[1], 'XX', ARGV[3], member) end
return due
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisStateStore:
    """Conversation snapshots with optimistic versions."""

    def __init__(self, redis: Redis, *, pii: Keyring, prefix: str = "", ttl_seconds: int = 24 * 3600) -> None:
        self._redis = redis
        self._pii = pii
        self._prefix = prefix
        self._ttl = ttl_seconds
        self._save = redis.register_script(_SAVE)
        self._clear = redis.register_script(_CLEAR_OUTBOX)

    def key(self, conversation_id: str) -> str:
        """The Redis key of a conversation."""
        return f"{self._prefix}conversation:{conversation_id}"

    async def load(self, conversation_id: str) -> Snapshot | None:
        """The stored snapshot, or None. A state that does not open (written under a retired key, or
        not by us) counts as expired: a fresh state at the stored version, so the next save replaces it."""
        version, state, outbox, saved_at = await self._redis.hmget(self.key(conversation_id), ["v", "s", "o", "oa"])
        if version is None or state is None:
            return None
        purpose = f"conversation:{conversation_id}"
        try:
            pending = self._pii.decrypt_str(_text(outbox), purpose=f"{purpose}.outbox") if outbox else ""
            opened = self._pii.decrypt_str(_text(state), purpose=f"{purpose}.state")
        except PiiDecryptError:
            log.warning("conversation state does not open; starting afresh", extra={"error.type": "PiiDecryptError"})
            return Snapshot(ConversationState(conversation_id), int(_text(version)))
        items: list[Item] = [from_json(d) for d in json.loads(pending)] if pending else []
        return Snapshot(
            state_from_dict(json.loads(opened)),
            int(_text(version)),
            items,
            float(_text(saved_at)) if saved_at else 0.0,
        )

    async def save(
        self, state: ConversationState, outbox: list[Item], *, expected_version: int, saved_at: float = 0.0
    ) -> int:
        """Compare-and-set state + outbox (stamped `saved_at`); VersionConflict when someone saved first."""
        purpose = f"conversation:{state.conversation_id}"
        payload = self._pii.encrypt_str(
            json.dumps(state_to_dict(state), ensure_ascii=False, separators=(",", ":")), purpose=f"{purpose}.state"
        )
        pending = (
            self._pii.encrypt_str(
                json.dumps([to_json(item) for item in outbox], separators=(",", ":")), purpose=f"{purpose}.outbox"
            )
            if outbox
            else ""
        )
        result = await self._save(
            keys=[self.key(state.conversation_id)],
            args=[str(expected_version), payload, pending, self._ttl, repr(saved_at)],
        )
        if int(result) < 0:
            raise VersionConflict(state.conversation_id)
        return int(result)

    async def clear_outbox(self, conversation_id: str, *, version: int) -> None:
        """Drop the outbox if the state is still at `version`."""
        await self._clear(keys=[self.key(conversation_id)], args=[str(version)])


class RedisTimerStore:
    """Timers in one sorted set, polled by the service."""

    def __init__(self, redis: Redis, *, prefix: str = "") -> None:
        self._redis = redis
        self.key = f"{prefix}conversation-timers"
        self._claim = redis.register_script(_CLAIM)

    async def add(self, member: str, due: float) -> None:
        """Schedule or move `member`."""
        await self._redis.zadd(self.key, {member: due})

    async def remove(self, member: str) -> None:
        """Forget `member`."""
        await self._redis.zrem(self.key, member)

    async def claim_due(self, now: float, *, limit: int, lease_seconds: float) -> list[str]:
        """Due members, leased to this caller."""
        members = await self._claim(keys=[self.key], args=[now, limit, now + lease_seconds])
        return [_text(m) for m in members]
