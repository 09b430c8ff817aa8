"""The agents' handoff inbox: a Redis read model fed by `conversation.events` (and the customer messages
of handed-over conversations from `conversation.inbound`).

Keys (prefix configurable, for tests):
    handoffs                    sorted set: conversation id → time the handoff was requested (queue order)
    handoff:<conversation id>   hash: status (queued | claimed), reason, within_business_hours, customer_name,
                                last_message, requested_at, agent_id, claimed_at, phone_number_id, wa_id
    handoff:<conversation id>:lines   list of the last lines (JSON: role, text, at), newest last
Entries live 7 days at most; a released or closed conversation leaves the inbox at once. Claims are
atomic (a Lua script), so two agents never both own a conversation. Texts are masked (CPF, phone) and,
with the customer's name and number, encrypted (atende_core.pii, bound to the conversation and field);
conversation ids are pseudonymous (atende_core.ids), so the reply's recipient comes from `wa_id`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.message import Message
from redis.asyncio import Redis

from atende.conversation.v1 import conversation_pb2 as conv
from atende_core.bus import Bus, Envelope, topics
from atende_core.masking import mask_text
from atende_core.pii import Keyring, PiiDecryptError
from atende_core.settings import ServiceSettings

log = logging.getLogger(__name__)

ENTRY_TTL_SECONDS = 7 * 24 * 3600
MAX_LINES = 20
QUEUED = "queued"
CLAIMED = "claimed"
# Hash fields held as ciphertexts and shown to agents (`wa_id`, also encrypted, is read only to reply).
SHOWN_SECRETS = ("customer_name", "last_message")

# KEYS[1] entry, KEYS[2] queue; ARGV agent, now, ttl. 1 claimed, 0 unknown, -1 someone else has it.
_CLAIM = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local owner = redis.call('HGET', KEYS[1], 'agent_id')
if redis.call('HGET', KEYS[1], 'status') == 'claimed' and owner and owner ~= '' and owner ~= ARGV[1] then
  return -1
end
redis.call('HSET', KEYS[1], 'status', 'claimed', 'agent_id', ARGV[1], 'claimed_at', ARGV[2])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
"""

# KEYS[1] entry, KEYS[2] queue, KEYS[3] lines; ARGV agent, member. 1 released, 0 unknown, -1 not the owner.
_RELEASE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HGET', KEYS[1], 'status') ~= 'claimed' or redis.call('HGET', KEYS[1], 'agent_id') ~= ARGV[1] then
  return -1
end
redis.call('DEL', KEYS[1], KEYS[3])
redis.call('ZREM', KEYS[2], ARGV[2])
return 1
"""

# KEYS[1] entry; ARGV from, to, now, ttl. 1 moved, 0 unknown, -1 not claimed by `from`.
_REASSIGN = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HGET', KEYS[1], 'status') ~= 'claimed' or redis.call('HGET', KEYS[1], 'agent_id') ~= ARGV[1] then
  return -1
end
redis.call('HSET', KEYS[1], 'agent_id', ARGV[2], 'claimed_at', ARGV[3])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return 1
"""


class NotInInbox(Exception):
    """The conversation is not waiting for (or with) an agent."""


class ClaimedByAnother(Exception):
    """Another agent owns the conversation."""


@dataclass(frozen=True, slots=True)
class Handoff:
    """One conversation in the inbox."""

    conversation_id: str
    status: str
    reason: str = ""
    within_business_hours: bool = True
    customer_name: str = ""
    last_message: str = ""
    requested_at: float = 0.0
    agent_id: str = ""
    claimed_at: float = 0.0
    lines: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON for the operator API."""
        return {
            "conversation_id": self.conversation_id,
            "status": self.status,
            "reason": self.reason,
            "within_business_hours": self.within_business_hours,
            "customer_name": self.customer_name,
            "last_message": self.last_message,
            "requested_at": self.requested_at,
            "agent_id": self.agent_id or None,
            "claimed_at": self.claimed_at or None,
            "lines": self.lines,
        }


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class HandoffInbox:
    """Reads and writes the inbox."""

    def __init__(self, redis: Redis, *, pii: Keyring, prefix: str = "", ttl_seconds: int = ENTRY_TTL_SECONDS) -> None:
        self._redis = redis
        self._pii = pii
        self._prefix = prefix
        self._ttl = ttl_seconds
        self._queue = f"{prefix}handoffs"
        self._claim = redis.register_script(_CLAIM)
        self._release = redis.register_script(_RELEASE)
        self._reassign = redis.register_script(_REASSIGN)
        self._on_requested: list[Callable[[conv.HandoffRequested, Envelope], Awaitable[None]]] = []

    @property
    def ttl_s(self) -> int:
        return self._ttl

    def on_requested(self, listener: Callable[[conv.HandoffRequested, Envelope], Awaitable[None]]) -> None:
        """Call `listener(event, envelope)` once a requested handoff is in the inbox (e.g. to assign it)."""
        self._on_requested.append(listener)

    @classmethod
    def from_settings(cls, redis: Redis, settings: ServiceSettings) -> HandoffInbox:
        """The inbox of a deployment (key prefix and PII keys from its settings)."""
        return cls(redis, pii=Keyring.from_settings(settings), prefix=settings.kafka_topic_prefix)

    def _seal(self, conversation_id: str, field: str, value: str) -> str:
        return self._pii.encrypt_str(value, purpose=f"handoff:{conversation_id}.{field}")

    def _open(self, conversation_id: str, field: str, value: str) -> str:
        if not value:
            return ""
        try:
            return self._pii.decrypt_str(value, purpose=f"handoff:{conversation_id}.{field}")
        except PiiDecryptError:
            log.warning("inbox field does not open", extra={"error.type": "PiiDecryptError", "field": field})
            return ""

    def entry_key(self, conversation_id: str) -> str:
        """The Redis hash of a conversation's inbox entry."""
        return f"{self._prefix}handoff:{conversation_id}"

    def _lines(self, conversation_id: str) -> str:
        return f"{self._prefix}handoff:{conversation_id}:lines"

    # --- read model updates (from events) ---------------------------------------------------------

    async def requested(self, event: conv.HandoffRequested) -> None:
        """A conversation asks for an agent (a claimed one keeps its agent)."""
        cid = event.conversation_id
        at = event.occurred_at.ToMicroseconds() / 1e6 if event.HasField("occurred_at") else time.time()
        key = self.entry_key(cid)
        status = await self._redis.hget(key, "status")
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                key,
                mapping={
                    "conversation_id": cid,
                    "status": _text(status) if status else QUEUED,
                    "reason": event.reason,
                    "within_business_hours": "1" if event.within_business_hours else "0",
                    "customer_name": self._seal(cid, "customer_name", event.customer_name),
                    "last_message": self._seal(cid, "last_message", mask_text(event.last_message)),
                    "requested_at": repr(at),
                    "phone_number_id": event.phone_number_id,
                    "wa_id": self._seal(cid, "wa_id", event.wa_id),
                },
            )
            pipe.expire(key, self._ttl)
            pipe.zadd(self._queue, {cid: at}, nx=True)
            await pipe.execute()
        if event.last_message:
            await self.add_line(cid, "customer", event.last_message, at)

    async def accepted(self, conversation_id: str, agent_id: str) -> None:
        """An agent claimed it (the event echoes what the operator API already wrote)."""
        await self._claim(keys=[self.entry_key(conversation_id), self._queue], args=[agent_id, time.time(), self._ttl])

    async def removed(self, conversation_id: str) -> None:
        """Released or closed: out of the inbox."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(self.entry_key(conversation_id), self._lines(conversation_id))
            pipe.zrem(self._queue, conversation_id)
            await pipe.execute()

    async def add_line(self, conversation_id: str, role: str, text: str, at: float | None = None) -> None:
        """Keep a line of a conversation that is in the inbox (others are ignored)."""
        if not await self._redis.exists(self.entry_key(conversation_id)):
            return
        plain = json.dumps({"role": role, "text": mask_text(text), "at": at or time.time()}, ensure_ascii=False)
        line = self._seal(conversation_id, "line", plain)
        key = self._lines(conversation_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, line)
            pipe.ltrim(key, -MAX_LINES, -1)
            pipe.expire(key, self._ttl)
            await pipe.execute()

    # --- queries and agent actions ----------------------------------------------------------------

    async def get(self, conversation_id: str) -> Handoff | None:
        """One entry with its recent lines."""
        raw = await self._redis.hgetall(self.entry_key(conversation_id))
        if not raw:
            return None
        stored = await self._redis.lrange(self._lines(conversation_id), 0, -1)
        lines = [json.loads(line) for x in stored if (line := self._open(conversation_id, "line", _text(x)))]
        return self._handoff(conversation_id, raw, lines)

    async def list(self, *, status: str | None = None, limit: int = 100) -> list[Handoff]:
        """Entries in queue order (oldest request first), optionally by status."""
        members = await self._redis.zrange(self._queue, 0, -1)
        async with self._redis.pipeline(transaction=False) as pipe:
            for member in members:
                pipe.hgetall(self.entry_key(_text(member)))
            rows = await pipe.execute()
        handoffs: list[Handoff] = []
        stale: list[str] = []
        for member, raw in zip(members, rows, strict=True):
            if not raw:
                stale.append(_text(member))  # the entry expired: drop it from the queue too
                continue
            handoff = self._handoff(_text(member), raw, [])
            if status is None or handoff.status == status:
                handoffs.append(handoff)
        if stale:
            await self._redis.zrem(self._queue, *stale)
        return handoffs[:limit]

    async def claim(self, conversation_id: str, agent_id: str) -> Handoff:
        """Make `agent_id` the owner; NotInInbox or ClaimedByAnother otherwise."""
        result = await self._claim(
            keys=[self.entry_key(conversation_id), self._queue], args=[agent_id, time.time(), self._ttl]
        )
        if int(result) == 0:
            raise NotInInbox(conversation_id)
        if int(result) < 0:
            raise ClaimedByAnother(conversation_id)
        handoff = await self.get(conversation_id)
        if handoff is None:
            raise NotInInbox(conversation_id)
        return handoff

    async def recipient(self, conversation_id: str) -> tuple[str, str]:
        """(phone_number_id, wa_id) an agent's reply goes to; NotInInbox when unknown."""
        pnid, wa_id = await self._redis.hmget(self.entry_key(conversation_id), ["phone_number_id", "wa_id"])
        number = self._open(conversation_id, "wa_id", _text(wa_id)) if wa_id else ""
        if not pnid or not number:
            raise NotInInbox(conversation_id)
        return _text(pnid), number

    async def owner(self, conversation_id: str) -> str | None:
        """The agent who claimed it; NotInInbox when it is not in the inbox."""
        status, agent = await self._redis.hmget(self.entry_key(conversation_id), ["status", "agent_id"])
        if status is None:
            raise NotInInbox(conversation_id)
        return _text(agent) if _text(status) == CLAIMED and agent else None

    async def release(self, conversation_id: str, agent_id: str) -> None:
        """The owner hands the conversation back to the bot."""
        result = await self._release(
            keys=[self.entry_key(conversation_id), self._queue, self._lines(conversation_id)],
            args=[agent_id, conversation_id],
        )
        if int(result) == 0:
            raise NotInInbox(conversation_id)
        if int(result) < 0:
            raise ClaimedByAnother(conversation_id)

    async def reassign(self, conversation_id: str, from_agent: str, to_agent: str) -> None:
        """Move a claimed conversation from `from_agent` to `to_agent` (a supervisor's decision)."""
        result = await self._reassign(
            keys=[self.entry_key(conversation_id)], args=[from_agent, to_agent, time.time(), self._ttl]
        )
        if int(result) == 0:
            raise NotInInbox(conversation_id)
        if int(result) < 0:
            raise ClaimedByAnother(conversation_id)

    # --- bus wiring -------------------------------------------------------------------------------

    async def on_conversation_event(self, event: Message, envelope: Envelope) -> None:
        """Keep the inbox in step with conversation facts."""
        match event:
            case conv.HandoffRequested():
                await self.requested(event)
                for listener in self._on_requested:
                    await listener(event, envelope)
            case conv.HandoffAccepted():
                await self.accepted(event.conversation_id, event.agent_id)
            case conv.AgentReplied():
                await self.add_line(event.conversation_id, "agent", event.text)
            case conv.HandoffReleased() | conv.ConversationClosed():
                await self.removed(event.conversation_id)
            case _:
                pass

    async def on_inbound(self, event: conv.InboundMessage, envelope: Envelope) -> None:
        """A customer line, kept only for conversations in the inbox."""
        kind = event.WhichOneof("content")
        if kind == "text":
            text = event.text.body
        elif kind == "interactive_reply":
            text = event.interactive_reply.title
        else:
            text = f"[{kind}]"
        await self.add_line(event.conversation_id, "customer", text)

    def subscribe(self, bus: Bus) -> None:
        """Feed this read model from the bus (call before the bus starts)."""
        bus.subscribe(topics.CONVERSATION_EVENTS, self.on_conversation_event, group="gateway-inbox")
        bus.subscribe(topics.CONVERSATION_INBOUND, self.on_inbound, group="gateway-inbox-lines")

    def _handoff(self, conversation_id: str, stored: dict[Any, Any], lines: list[dict[str, Any]]) -> Handoff:
        raw = {_text(k): _text(v) for k, v in stored.items()}
        for name in SHOWN_SECRETS:
            raw[name] = self._open(conversation_id, name, raw.get(name, ""))
        return _handoff(raw, lines)


def _handoff(raw: dict[str, str], lines: list[dict[str, Any]]) -> Handoff:
    return Handoff(
        conversation_id=raw.get("conversation_id", ""),
        status=raw.get("status", QUEUED),
        reason=raw.get("reason", ""),
        within_business_hours=raw.get("within_business_hours", "1") == "1",
        customer_name=raw.get("customer_name", ""),
        last_message=raw.get("last_message", ""),
        requested_at=float(raw.get("requested_at") or 0),
        agent_id=raw.get("agent_id", ""),
        claimed_at=float(raw.get("claimed_at") or 0),
        lines=lines,
    )
