"""The console's board: a Redis read model of every conversation (with the bot, queued, claimed, closed),
fed by conversation.events, conversation.inbound, whatsapp.outbound, whatsapp.status, nlu.results and
the tickets of sgp.requests/sgp.results.

Keys (prefix = the deployment's topic prefix):
    board:c:<cid>            hash: state, agent_id, customer_name*, wa_id*, phone_masked, last_message*,
                             started_at, last_activity_at, last_customer_at, waiting_since, first_reply_at, ...
    board:c:<cid>:turns      hash: turn id → turn JSON* (immutable once written)
    board:c:<cid>:order      sorted set: turn id → time
    board:c:<cid>:ticks      hash: command or message id → delivery status (only moves forward), `<id>:error`
    board:c:<cid>:nlu        hash: message id → {intent, confidence, sentiment}
    board:c:<cid>:corrections  hash: turn id → {corrected_intent, corrected_by} (agents' NLU corrections)
    board:c:<cid>:sessions   hash: started_at → closed session JSON (for the history)
    board:c:<cid>:tickets    hash: protocol → {ticket_id, kind, contract_id, opened_at}; `request:<id>` → kind
    board:all, board:state:<state>, board:agent:<agent>   sorted sets: cid → last activity
    board:queue              sorted set: cid → waiting since (queued ones)
    board:intent:<i>, board:sentiment:<s>, board:offhours, board:phone:<last 4>, board:doc:<index>   sets
    board:erased:<digest>    tombstone of an erased conversation (by a digest of its id): its late events
                             (ticks, redeliveries) are dropped
(* encrypted with atende_core.pii, bound to the conversation and field; texts masked first.)
Every write is a field of its own (turns by id, ticks by id), so concurrent consumers never rewrite one
another's JSON; times only move forward (Lua). Entries expire 30 days after their last activity; index
members whose entry expired are dropped when a list meets them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from google.protobuf.message import Message
from redis.asyncio import Redis

from atende.conversation.v1 import conversation_pb2 as conv
from atende.nlu.v1 import nlu_pb2 as nlu
from atende.sgp.v1 import sgp_pb2 as sgp
from atende.whatsapp.v1 import whatsapp_pb2 as wa
from atende_core.bus import Bus, Envelope, topics
from atende_core.masking import mask_phone, mask_text
from atende_core.pii import Keyring, PiiDecryptError

log = logging.getLogger(__name__)


def turn_ref(turn_id: str) -> str:
    """The Redis field naming a turn: Meta's message ids encode the customer's number, so never the id."""
    return hashlib.blake2b(turn_id.encode(), digest_size=16).hexdigest()


def board_key(prefix: str, *parts: str) -> str:
    """A board key: board_key(prefix, 'agent', user) → <prefix>board:agent:<user>."""
    return f"{prefix}board:" + ":".join(parts)


TTL_SECONDS = 30 * 24 * 3600
# WhatsApp's customer-service window: free-form messages only until 24 h after the customer's last one.
WINDOW_S = 24 * 3600
MAX_TURNS = 200
BOT, QUEUED, CLAIMED, CLOSED = "bot", "queued", "claimed", "closed"
STATES = (BOT, QUEUED, CLAIMED, CLOSED)
SECRETS = ("customer_name", "last_message")
_SENTIMENTS = {"negativo": "negative", "neutro": "neutral", "positivo": "positive"}
_STATUS = {
    wa.DELIVERY_STATUS_ACCEPTED: "sent",
    wa.DELIVERY_STATUS_SENT: "sent",
    wa.DELIVERY_STATUS_DELIVERED: "delivered",
    wa.DELIVERY_STATUS_READ: "read",
    wa.DELIVERY_STATUS_PLAYED: "read",
    wa.DELIVERY_STATUS_FAILED: "failed",
}
# What an agent's action and its outcome read like on the board (AgentActionCompleted).
ACTIONS_PT = {
    "send_bill": "Envio da 2ª via",
    "register_promise": "Desbloqueio em confiança",
    "open_ticket": "Abertura de chamado",
    "close": "Encerramento",
}
OUTCOMES_PT = {
    "done": "concluído",
    "rejected": "recusado pelo SGP",
    "unavailable": "SGP indisponível",
    "invalid": "não realizado",
}
CLOSE_REASONS_PT = {
    "solved": "resolvida",
    "no_answer": "cliente sem resposta",
    "spam": "spam",
    "duplicate": "duplicada",
    "other": "outro motivo",
}
_MEDIA_KIND = {
    conv.MediaContent.KIND_IMAGE: "image",
    conv.MediaContent.KIND_STICKER: "image",
    conv.MediaContent.KIND_DOCUMENT: "document",
    conv.MediaContent.KIND_AUDIO: "audio",
    conv.MediaContent.KIND_VIDEO: "video",
}

# KEYS[1] entry; ARGV prefix, cid, at, ttl. Last activity only moves forward, in every index it orders.
_TOUCH = """
local at = tonumber(ARGV[3])
local last = tonumber(redis.call('HGET', KEYS[1], 'last_activity_at') or '0')
if at > last then redis.call('HSET', KEYS[1], 'last_activity_at', ARGV[3]) else at = last end
redis.call('ZADD', ARGV[1] .. 'board:all', at, ARGV[2])
local state = redis.call('HGET', KEYS[1], 'state') or 'bot'
redis.call('HSETNX', KEYS[1], 'state', state)
redis.call('ZADD', ARGV[1] .. 'board:state:' .. state, at, ARGV[2])
local agent = redis.call('HGET', KEYS[1], 'agent_id')
if state == 'claimed' and agent and agent ~= '' then
  redis.call('ZADD', ARGV[1] .. 'board:agent:' .. agent, at, ARGV[2])
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return 1
"""

# KEYS[1] entry; ARGV prefix, cid, state, agent ('' none). Moves the conversation between state/agent indexes.
_STATE = """
local old = redis.call('HGET', KEYS[1], 'state')
local old_agent = redis.call('HGET', KEYS[1], 'agent_id')
local at = tonumber(redis.call('HGET', KEYS[1], 'last_activity_at') or '0')
if old then redis.call('ZREM', ARGV[1] .. 'board:state:' .. old, ARGV[2]) end
if old_agent and old_agent ~= '' then redis.call('ZREM', ARGV[1] .. 'board:agent:' .. old_agent, ARGV[2]) end
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'agent_id', ARGV[4])
redis.call('ZADD', ARGV[1] .. 'board:state:' .. ARGV[3], at, ARGV[2])
if ARGV[3] == 'claimed' and ARGV[4] ~= '' then redis.call('ZADD', ARGV[1] .. 'board:agent:' .. ARGV[4], at, ARGV[2]) end
if ARGV[3] == 'queued' then
  local since = tonumber(redis.call('HGET', KEYS[1], 'waiting_since') or '') or at
  redis.call('ZADD', ARGV[1] .. 'board:queue', 'NX', since, ARGV[2])
else
  redis.call('ZREM', ARGV[1] .. 'board:queue', ARGV[2])
end
return 1
"""

# KEYS[1] ticks; ARGV id, status, rank. A tick never goes back (read stays read when 'delivered' comes late).
_TICK = """
local ranks = {pending=0, sent=1, delivered=2, read=3, failed=4}
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and ranks[current] and ranks[current] >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""
_RANK = {"pending": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}

Changed = Callable[[str, str, dict[str, Any]], Awaitable[None]]


def service_window(last_customer_at: float | None, now: float) -> tuple[bool, float | None]:
    """Whether the 24-hour window is open, and when it closes (None before any customer message)."""
    closes = last_customer_at + WINDOW_S if last_customer_at else None
    return bool(closes and closes > now), closes


async def window_closed(redis: Redis, prefix: str, cid: str, now: float) -> bool:
    """True when the board knows the customer's last message and it is more than 24 h old: a free-form
    message would fail (131047). Unknown conversations are not refused here (the inbox decides)."""
    last = await redis.hget(board_key(prefix, "c", cid), "last_customer_at")
    return bool(last) and not service_window(float(_text(last)), now)[0]


E = TypeVar("E", bound=Message)


def _unless_erased(
    handler: Callable[[Board, E, Envelope], Awaitable[None]],
) -> Callable[[Board, E, Envelope], Awaitable[None]]:
    """Drop events of an erased conversation; undo a write that raced the erasure."""

    @functools.wraps(handler)
    async def guarded(board: Board, event: E, envelope: Envelope) -> None:
        cid = getattr(event, "conversation_id", "")
        if cid and await board.is_erased(cid):
            log.info("event of an erased conversation dropped", extra={"event.type": envelope.type})
            return
        await handler(board, event, envelope)
        if cid and await board.is_erased(cid):
            await board.forget(cid)

    return guarded


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _at(event: Message, envelope: Envelope, name: str = "occurred_at") -> float:
    """When it happened: the event's own time, else when it was published."""
    return getattr(event, name).ToMicroseconds() / 1e6 if event.HasField(name) else envelope.time.timestamp()


class Board:
    """Writes the board from events and reads it for the operator API."""

    def __init__(self, redis: Redis, *, pii: Keyring, prefix: str = "", ttl_seconds: int = TTL_SECONDS) -> None:
        self._redis = redis
        self._pii = pii
        self.prefix = prefix
        self._ttl = ttl_seconds
        self._touch = redis.register_script(_TOUCH)
        self._state = redis.register_script(_STATE)
        self._tick = redis.register_script(_TICK)
        self._listeners: list[Changed] = []

    def on_change(self, listener: Changed) -> None:
        """Call `listener(kind, conversation_id, data)` after each change (e.g. publish to the console)."""
        self._listeners.append(listener)

    # --- keys and secrets ---------------------------------------------------------------------------

    def key(self, *parts: str) -> str:
        """A board key: key('c', cid, 'turns') → <prefix>board:c:<cid>:turns."""
        return board_key(self.prefix, *parts)

    def seal(self, cid: str, field: str, value: str) -> str:
        """Encrypt a field bound to its conversation."""
        return self._pii.encrypt_str(value, purpose=f"board:{cid}.{field}") if value else ""

    def open(self, cid: str, field: str, value: Any) -> str:
        """Decrypt a field ('' when absent or unreadable)."""
        if not value:
            return ""
        try:
            return self._pii.decrypt_str(_text(value), purpose=f"board:{cid}.{field}")
        except PiiDecryptError:
            log.warning("board field does not open", extra={"error.type": "PiiDecryptError", "field": field})
            return ""

    # --- writes -------------------------------------------------------------------------------------

    async def _changed(self, kind: str, cid: str, **data: Any) -> None:
        for listener in self._listeners:
            await listener(kind, cid, data)

    async def _set(self, cid: str, at: float, **fields: str) -> None:
        entry = self.key("c", cid)
        if fields:
            await self._redis.hset(entry, mapping={"conversation_id": cid, **fields})
        await self._touch(keys=[entry], args=[self.prefix, cid, repr(at), self._ttl])

    async def _move(self, cid: str, state: str, agent: str = "") -> None:
        await self._state(keys=[self.key("c", cid)], args=[self.prefix, cid, state, agent])

    async def add_turn(self, cid: str, turn: dict[str, Any]) -> None:
        """Keep a turn (by its id: a redelivered event rewrites the same field)."""
        turn["text"] = mask_text(turn.get("text", ""))
        sealed = self.seal(cid, "turn", json.dumps(turn, ensure_ascii=False))
        turns, order = self.key("c", cid, "turns"), self.key("c", cid, "order")
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(turns, turn_ref(turn["id"]), sealed)
            pipe.zadd(order, {turn_ref(turn["id"]): turn["at"]})
            for name in (turns, order):
                pipe.expire(name, self._ttl)
            await pipe.execute()
        # Beyond the last MAX_TURNS: drop the oldest (order and bodies).
        extra = await self._redis.zrange(order, 0, -MAX_TURNS - 1)
        if extra:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.zrem(order, *extra)
                pipe.hdel(turns, *extra)
                await pipe.execute()

    async def _system(self, cid: str, envelope: Envelope, text: str, at: float, agent: str = "") -> None:
        await self.add_turn(
            cid, {"id": envelope.id, "role": "system", "kind": "text", "text": text, "at": at, "agent_id": agent}
        )

    @_unless_erased
    async def on_conversation_event(self, event: Message, envelope: Envelope) -> None:
        """Conversation facts: states, identity, handoffs, closes, CSAT, agents' actions."""
        cid = getattr(event, "conversation_id", "")
        if not cid:
            return
        at = _at(event, envelope)
        match event:
            case conv.ConversationStarted():
                await self._started(cid, event, at)
            case conv.CustomerIdentified():
                await self._identified(cid, event, at)
            case conv.HandoffRequested():
                await self._requested(cid, event, at, envelope)
            case conv.HandoffAccepted():
                await self._set(cid, at)
                await self._move(cid, CLAIMED, event.agent_id)
                await self._system(cid, envelope, f"Atribuída a {event.agent_id}", at, event.agent_id)
                await self._changed("handoff", cid, agent_id=event.agent_id)
            case conv.HandoffReleased():
                await self._set(cid, at, waiting_since="", first_reply_at="")
                await self._move(cid, BOT)
                await self._system(cid, envelope, "Devolvida ao robô", at, event.agent_id)
            case conv.AgentReplied():
                if not await self._redis.hget(self.key("c", cid), "first_reply_at"):
                    await self._redis.hset(self.key("c", cid), "first_reply_at", repr(at))
                await self._set(cid, at)
            case conv.ConversationClosed():
                await self._closed(cid, event, at, envelope)
            case conv.CsatRecorded():
                await self._csat(cid, event.score)
            case conv.AgentActionCompleted():
                await self._action_completed(cid, event, at, envelope)
            case _:
                return
        await self._changed("conversation", cid)

    async def _action_completed(
        self, cid: str, event: conv.AgentActionCompleted, at: float, envelope: Envelope
    ) -> None:
        """An agent's action as a system turn (pt-BR), and a change naming it for the agent's console."""
        action = ACTIONS_PT.get(event.action, event.action)
        text = f"{action}: {OUTCOMES_PT.get(event.outcome, event.outcome)}" + (
            f" — {event.detail}" if event.detail else ""
        )
        turn = {"id": f"{event.command_id or envelope.id}:completed", "role": "system", "kind": "text"}
        await self.add_turn(
            cid, {**turn, "text": text, "at": at, "agent_id": event.agent_id, "command_id": event.command_id}
        )
        await self._set(cid, at)
        await self._changed(
            "action",
            cid,
            command_id=event.command_id,
            action=event.action,
            outcome=event.outcome,
            agent_id=event.agent_id,
        )

    async def _started(self, cid: str, event: conv.ConversationStarted, at: float) -> None:
        fields = {
            "started_at": repr(at),
            "phone_number_id": event.phone_number_id,
            "waiting_since": "",
            "first_reply_at": "",
            "close_reason": "",
            "outcome": "",
            "csat": "",
            "handoff_reason": "",
        }
        if event.wa_id:
            fields |= {"wa_id": self.seal(cid, "wa_id", event.wa_id), "phone_masked": mask_phone(event.wa_id)}
            await self._redis.sadd(self.key("phone", event.wa_id[-4:]), cid)
        await self._set(cid, at, **fields)
        await self._move(cid, BOT)

    async def _identified(self, cid: str, event: conv.CustomerIdentified, at: float) -> None:
        contracts = [{"contract_id": c.contract_id, "status": c.status, "plan": c.plan} for c in event.contracts]
        fields = {
            "customer_id": event.customer_id,
            "contract_id": event.contract_id,
            "document_masked": event.document_masked,
            "document_index": event.document_index,
            "contracts": json.dumps(contracts),
        }
        if event.customer_name:
            fields["customer_name"] = self.seal(cid, "customer_name", event.customer_name)
        if event.document_index:
            await self._redis.sadd(self.key("doc", event.document_index), cid)
        await self._set(cid, at, **fields)

    async def _requested(self, cid: str, event: conv.HandoffRequested, at: float, envelope: Envelope) -> None:
        entry = self.key("c", cid)
        state, waiting = await self._redis.hmget(entry, ["state", "waiting_since"])
        fields = {
            "handoff_reason": event.reason,
            "within_business_hours": "1" if event.within_business_hours else "0",
            "phone_number_id": event.phone_number_id,
        }
        if not waiting:
            fields["waiting_since"] = repr(at)
        if event.customer_name:
            fields["customer_name"] = self.seal(cid, "customer_name", event.customer_name)
        if event.wa_id:
            fields |= {"wa_id": self.seal(cid, "wa_id", event.wa_id), "phone_masked": mask_phone(event.wa_id)}
            await self._redis.sadd(self.key("phone", event.wa_id[-4:]), cid)
        offhours = self.key("offhours")
        await (self._redis.srem(offhours, cid) if event.within_business_hours else self._redis.sadd(offhours, cid))
        await self._set(cid, at, **fields)
        if _text(state or "") != CLAIMED:
            await self._move(cid, QUEUED)
        await self._system(cid, envelope, f"Pediu atendimento humano ({event.reason})", at)
        name = event.customer_name
        await self._changed("handoff", cid, customer_name=name, reason=event.reason, agent_id=None)

    async def _closed(self, cid: str, event: conv.ConversationClosed, at: float, envelope: Envelope) -> None:
        started = _text(await self._redis.hget(self.key("c", cid), "started_at") or "0")
        session = {"started_at": float(started), "closed_at": at, "outcome": event.outcome,
                   "intents": list(event.intents), "csat": None}  # fmt: skip
        sessions = self.key("c", cid, "sessions")
        await self._redis.hset(sessions, started, json.dumps(session))
        await self._redis.expire(sessions, self._ttl)
        fields = {"close_reason": event.reason, "outcome": event.outcome, "closed_at": repr(at)}
        await self._set(cid, at, **fields)
        await self._move(cid, CLOSED)
        reason = CLOSE_REASONS_PT.get(event.reason, event.reason)
        text = "Encerrada" + (f": {reason}" if reason else f" ({event.outcome})")
        await self._system(cid, envelope, text, at, event.agent_id)

    async def _csat(self, cid: str, score: int) -> None:
        entry = self.key("c", cid)
        started = _text(await self._redis.hget(entry, "started_at") or "0")
        await self._redis.hset(entry, "csat", str(score))
        sessions = self.key("c", cid, "sessions")
        raw = await self._redis.hget(sessions, started)
        if raw:  # one consumer per conversation key: this read-then-write is never concurrent
            await self._redis.hset(sessions, started, json.dumps({**json.loads(raw), "csat": score}))

    @_unless_erased
    async def on_inbound(self, event: conv.InboundMessage, envelope: Envelope) -> None:
        """A customer turn."""
        cid = event.conversation_id
        if not cid or event.WhichOneof("content") == "reaction":
            return
        at = _at(event, envelope, "sent_at")
        kind, text, media = _inbound_content(event)
        turn = {"id": event.message_id or envelope.id, "role": "customer", "kind": kind, "text": text, "at": at,
                "message_id": event.message_id, "media": media}  # fmt: skip
        await self.add_turn(cid, turn)
        fields = {"last_message": self.seal(cid, "last_message", mask_text(text)), "last_customer_at": repr(at)}
        if event.wa_id and not await self._redis.hexists(self.key("c", cid), "wa_id"):
            fields |= {"wa_id": self.seal(cid, "wa_id", event.wa_id), "phone_masked": mask_phone(event.wa_id),
                       "phone_number_id": event.phone_number_id}  # fmt: skip
            await self._redis.sadd(self.key("phone", event.wa_id[-4:]), cid)
        if event.profile_name and not await self._redis.hexists(self.key("c", cid), "customer_name"):
            fields["customer_name"] = self.seal(cid, "customer_name", event.profile_name)
        await self._set(cid, at, **fields)
        await self._changed("conversation", cid)

    @_unless_erased
    async def on_outbound(self, event: wa.SendMessage, envelope: Envelope) -> None:
        """A bot's or agent's turn (by who sent the command)."""
        cid = event.conversation_id
        kind, text, media = _outbound_content(event)
        if not cid or kind is None:
            return
        at = envelope.time.timestamp()
        agent = ""
        role = "bot"
        if envelope.source.split("/")[-1].startswith("gateway"):
            role = "agent"
            agent = _text(await self._redis.hget(self.key("c", cid), "agent_id") or "")
        turn = {"id": event.command_id or envelope.id, "role": role, "kind": kind, "text": text, "at": at,
                "agent_id": agent, "command_id": event.command_id, "media": media}  # fmt: skip
        await self.add_turn(cid, turn)
        await self._tick(keys=[self.key("c", cid, "ticks")], args=[turn_ref(turn["id"]), "pending", 0])
        await self._set(cid, at, last_message=self.seal(cid, "last_message", mask_text(text)))
        await self._changed("conversation", cid)

    @_unless_erased
    async def on_status(self, event: wa.MessageStatusChanged, envelope: Envelope) -> None:
        """A delivery tick of one of our messages."""
        status = _STATUS.get(event.status)
        cid = event.conversation_id
        if not cid or status is None:
            return
        ticks = self.key("c", cid, "ticks")
        for turn_id in {event.command_id, event.message_id} - {""}:
            await self._tick(keys=[ticks], args=[turn_ref(turn_id), status, _RANK[status]])
        if event.errors:
            error = event.errors[0]
            for turn_id in {event.command_id, event.message_id} - {""}:
                await self._redis.hset(ticks, f"{turn_ref(turn_id)}:error", f"{error.code} {error.title}"[:200])
        await self._redis.expire(ticks, self._ttl)
        await self._changed("conversation", cid)

    @_unless_erased
    async def on_nlu(self, event: nlu.TextAnalyzed, envelope: Envelope) -> None:
        """The intent and sentiment of a customer turn."""
        cid = event.conversation_id
        if not cid:
            return
        sentiment = _SENTIMENTS.get(event.sentiment, "")
        result = {"intent": event.intent, "confidence": event.confidence, "sentiment": sentiment or None}
        entry = self.key("c", cid)
        old_intent, old_sentiment = (_text(v) if v else "" for v in await self._redis.hmget(
            entry, ["last_intent", "last_sentiment"]))  # fmt: skip
        async with self._redis.pipeline(transaction=True) as pipe:
            if event.message_id:
                pipe.hset(self.key("c", cid, "nlu"), turn_ref(event.message_id), json.dumps(result))
                pipe.expire(self.key("c", cid, "nlu"), self._ttl)
            if event.intent:
                pipe.srem(self.key("intent", old_intent), cid)
                pipe.sadd(self.key("intent", event.intent), cid)
                pipe.hset(entry, "last_intent", event.intent)
            if sentiment:
                pipe.srem(self.key("sentiment", old_sentiment), cid)
                pipe.sadd(self.key("sentiment", sentiment), cid)
                pipe.hset(entry, "last_sentiment", sentiment)
            await pipe.execute()
        await self._changed("conversation", cid)

    @_unless_erased
    async def on_sgp_request(self, event: sgp.SgpRequest, envelope: Envelope) -> None:
        """Remember a ticket's kind until SGP gives its protocol (the result does not repeat it)."""
        if event.conversation_id and event.WhichOneof("operation") == "open_ticket":
            tickets = self.key("c", event.conversation_id, "tickets")
            await self._redis.hset(tickets, f"request:{event.request_id}", event.open_ticket.kind or "other")
            await self._redis.expire(tickets, self._ttl)

    @_unless_erased
    async def on_sgp_result(self, event: sgp.SgpResult, envelope: Envelope) -> None:
        """A ticket opened for the customer, by the bot or by an agent's action."""
        cid = event.conversation_id
        if not cid or event.WhichOneof("outcome") != "ticket_opened" or not event.ticket_opened.protocol:
            return
        tickets = self.key("c", cid, "tickets")
        kind = _text(await self._redis.hget(tickets, f"request:{event.request_id}") or "other")
        ticket = {"ticket_id": event.ticket_opened.protocol, "kind": kind,
                  "contract_id": event.ticket_opened.contract_id, "opened_at": envelope.time.timestamp()}  # fmt: skip
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(tickets, ticket["ticket_id"], json.dumps(ticket))
            pipe.hdel(tickets, f"request:{event.request_id}")
            pipe.expire(tickets, self._ttl)
            await pipe.execute()
        await self._changed("conversation", cid)

    async def tickets(self, *cids: str) -> list[dict[str, Any]]:
        """The tickets opened in these conversations, oldest first."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for cid in cids:
                pipe.hgetall(self.key("c", cid, "tickets"))
            rows = await pipe.execute()
        found = [json.loads(v) for row in rows for k, v in row.items() if not _text(k).startswith("request:")]
        return sorted(found, key=lambda t: float(t["opened_at"]))

    async def customer_turn(self, cid: str, turn_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """A customer turn and its NLU result ({} before one arrives); None for any other turn."""
        body = self.open(cid, "turn", await self._redis.hget(self.key("c", cid, "turns"), turn_ref(turn_id)))
        turn = json.loads(body) if body else None
        if not turn or turn.get("role") != "customer":
            return None
        stored = await self._redis.hget(self.key("c", cid, "nlu"), turn_ref(turn.get("message_id") or turn_id))
        return turn, json.loads(stored) if stored else {}

    async def mark_corrected(self, cid: str, turn: dict[str, Any], intent: str, agent: str) -> None:
        """Show an agent's correction on the turn, apart from the NLU's result (a late one may rewrite that)."""
        corrections = self.key("c", cid, "corrections")
        correction = json.dumps({"corrected_intent": intent, "corrected_by": agent})
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(corrections, turn_ref(turn["id"]), correction)
            pipe.expire(corrections, self._ttl)
            await pipe.execute()
        await self._changed("conversation", cid)

    def subscribe(self, bus: Bus) -> None:
        """Feed the board from the bus (call before the bus starts)."""
        bus.subscribe(topics.CONVERSATION_EVENTS, self.on_conversation_event, group="gateway-board-events")
        bus.subscribe(topics.CONVERSATION_INBOUND, self.on_inbound, group="gateway-board-inbound")
        bus.subscribe(topics.WHATSAPP_OUTBOUND, self.on_outbound, group="gateway-board-outbound")
        bus.subscribe(topics.WHATSAPP_STATUS, self.on_status, group="gateway-board-status")
        bus.subscribe(topics.NLU_RESULTS, self.on_nlu, group="gateway-board-nlu")
        bus.subscribe(topics.SGP_REQUESTS, self.on_sgp_request, group="gateway-board-sgp-requests")
        bus.subscribe(topics.SGP_RESULTS, self.on_sgp_result, group="gateway-board-sgp-results")

    # --- erasure ------------------------------------------------------------------------------------

    async def is_erased(self, cid: str) -> bool:
        return bool(await self._redis.exists(self.key("erased", turn_ref(cid))))

    async def erase(self, cid: str) -> bool:
        """Forget a conversation and keep it forgotten: later events of it are dropped."""
        await self._redis.set(self.key("erased", turn_ref(cid)), "1", ex=self._ttl)
        return await self.forget(cid)

    async def forget(self, cid: str) -> bool:
        """Delete a conversation's entry, turns, ticks, results, sessions and index memberships."""
        entry = self.key("c", cid)
        raw = {_text(k): _text(v) for k, v in (await self._redis.hgetall(entry)).items()}
        async with self._redis.pipeline(transaction=True) as pipe:
            parts = ("turns", "order", "ticks", "nlu", "corrections", "sessions", "tickets")
            pipe.delete(entry, *(self.key("c", cid, part) for part in parts))
            for index in ("all", "queue", *(f"state:{s}" for s in STATES)):
                pipe.zrem(self.key(index), cid)
            if raw.get("agent_id"):
                pipe.zrem(self.key("agent", raw["agent_id"]), cid)
            for name in ("offhours", f"intent:{raw.get('last_intent', '')}",
                         f"sentiment:{raw.get('last_sentiment', '')}", f"doc:{raw.get('document_index', '')}",
                         f"phone:{raw.get('phone_masked', '')[-4:]}"):  # fmt: skip
                pipe.srem(self.key(name), cid)
            await pipe.execute()
        return bool(raw)


def _inbound_content(event: conv.InboundMessage) -> tuple[str, str, dict[str, Any] | None]:
    kind = event.WhichOneof("content")
    if kind == "text":
        return "text", event.text.body, None
    if kind == "interactive_reply":
        return "interactive", event.interactive_reply.title, None
    if kind == "template_button":
        return "interactive", event.template_button.text, None
    if kind == "media":
        media = event.media
        info = {"filename": media.filename, "mime_type": media.mime_type, "link": None, "media_id": media.media_id}
        return _MEDIA_KIND.get(media.kind, "other"), media.caption, info
    if kind == "location":
        return "location", event.location.name or event.location.address, None
    return "other", f"[{kind}]", None


def _outbound_content(event: wa.SendMessage) -> tuple[str | None, str, dict[str, Any] | None]:
    kind = event.WhichOneof("content")
    if kind == "text":
        return "text", event.text.body, None
    if kind in ("image", "document", "audio", "video"):
        media = getattr(event, kind)
        info = {"filename": media.filename, "mime_type": "", "link": media.link or None,
                "media_id": media.media_id or None}  # fmt: skip
        return kind, media.caption, info
    if kind == "template":
        body = " | ".join(p.text for p in event.template.body if p.text)
        return "template", f"[{event.template.name}] {body}".strip(), None
    if kind == "buttons":
        return "interactive", event.buttons.body, None
    if kind == "list":
        return "interactive", event.list.body, None
    return None, "", None  # mark_read, reaction: not turns
