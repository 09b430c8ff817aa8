"""The board's routes: every conversation (views, filters, search, pages), one with its turns, notes.

    route                                              viewer  agent  supervisor  admin
    GET  /operator/conversations                         yes    yes      yes       yes
    GET  /operator/conversations/{id}                    yes    yes      yes       yes
    GET  /operator/conversations/{id}/history            yes    yes      yes       yes
    POST /operator/conversations/{id}/notes               -     yes      yes       yes

A list is one transaction (the view's sorted set, intersected with the filters' sets into a temporary
key, one page of it, the counts) and one pipeline of entries: never a scan of every conversation.
"""

# No `from __future__ import annotations` here: FastAPI must see the route annotations as objects.
import json
import time
import uuid
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import HTTPException, Query, Request, status

from atende_core.crypto import blind_index
from atende_core.documents import digits_only, document_key, is_valid_cnpj, is_valid_cpf
from atende_core.identity import Principal
from atende_core.pii import Keyring
from atende_gateway.console import corrections
from atende_gateway.console.board import CLAIMED, CLOSED, QUEUED, Board, service_window, turn_ref
from atende_gateway.console.board_models import ConversationDetail, ConversationList, History, Note, Summary, Turn
from atende_gateway.console.changes import publish_change
from atende_gateway.operator_models import ConversationId, problems

if TYPE_CHECKING:  # the console package imports this module to list its registrar
    from atende_gateway.console import ConsoleContext

VIEWS = "bot|queued|mine|others|closed|all"
# What a list's summary reads of an entry: a page fetches only these (HMGET), not the detail's fields.
SUMMARY_FIELDS = (
    "state", "agent_id", "customer_name", "phone_masked", "document_masked", "last_message", "last_intent",
    "last_sentiment", "started_at", "last_activity_at", "last_customer_at", "waiting_since", "first_reply_at",
    "within_business_hours", "handoff_reason",
)  # fmt: skip
_TEMP_TTL_S = 10
# KEYS entries; ARGV fields. One HMGET per entry in one command: a page's 50 entries are one request to
# pack and send instead of 50 (packing 50 x 16 arguments cost more than parsing the answers).
_ROWS = """
local rows = {}
for i, key in ipairs(KEYS) do rows[i] = redis.call('HMGET', key, unpack(ARGV)) end
return rows
"""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _float(value: str) -> float | None:
    return float(value) if value else None


class BoardReader:
    """Reads the board for one request."""

    def __init__(self, board: Board, *, warning_s: float, breach_s: float, index_key: bytes) -> None:
        self.board = board
        self._warning = warning_s
        self._breach = breach_s
        self._index_key = index_key
        self._rows = board._redis.register_script(_ROWS)

    def summary(self, cid: str, stored: dict[Any, Any], now: float) -> dict[str, Any]:
        """The list's view of one stored entry (as Redis answers it, or already decoded)."""
        raw = stored if all(type(k) is str for k in stored) else {_text(k): _text(v) for k, v in stored.items()}
        waiting = _float(raw.get("waiting_since", ""))
        state = raw.get("state", "bot")
        wait = sla = None
        if waiting is not None and state in (QUEUED, CLAIMED):
            wait = max((_float(raw.get("first_reply_at", "")) or now) - waiting, 0.0)
            sla = "breached" if wait >= self._breach else "warning" if wait >= self._warning else "ok"
        last = float(raw.get("last_activity_at") or 0)
        return {
            "conversation_id": cid,
            "state": state,
            "agent_id": raw.get("agent_id") or None if state == CLAIMED else None,
            "customer_name": self.board.open(cid, "customer_name", raw.get("customer_name")),
            "phone_masked": raw.get("phone_masked", ""),
            "document_masked": raw.get("document_masked") or None,
            "last_message": self.board.open(cid, "last_message", raw.get("last_message")),
            "last_intent": raw.get("last_intent") or None,
            "last_sentiment": raw.get("last_sentiment") or None,
            "started_at": float(raw.get("started_at") or last),
            "last_activity_at": last,
            "last_customer_at": _float(raw.get("last_customer_at", "")),
            "waiting_since": waiting,
            "wait_seconds": wait,
            "sla": sla,
            "within_business_hours": raw.get("within_business_hours", "1") == "1",
            "handoff_reason": raw.get("handoff_reason") or None,
            # Beyond the summary, for the detail.
            "customer_id": raw.get("customer_id") or None,
            "contract_id": raw.get("contract_id") or None,
            "contracts": json.loads(raw.get("contracts") or "[]"),
            "csat": int(raw["csat"]) if raw.get("csat") else None,
            "close_reason": raw.get("close_reason") or None,
            "document_index": raw.get("document_index", ""),
        }

    def _search_key(self, q: str) -> str | None:
        """The set a search term points to: a CPF/CNPJ's blind index, otherwise a phone's last 4 digits."""
        if is_valid_cpf(q) or is_valid_cnpj(q):
            return self.board.key("doc", blind_index(document_key(q), self._index_key))
        digits = digits_only(q)
        return self.board.key("phone", digits[-4:]) if len(digits) >= 4 else None

    async def page(
        self, principal: Principal, view: str, filters: dict[str, Any], cursor: float | None, limit: int
    ) -> dict[str, Any]:
        """One page of a view, with the counts of every view."""
        board, me = self.board, principal.user_id
        ascending = view == QUEUED
        base = {
            "bot": board.key("state", "bot"),
            QUEUED: board.key("queue"),
            "mine": board.key("agent", me),
            "others": board.key("state", CLAIMED),
            CLOSED: board.key("state", CLOSED),
            "all": board.key("all"),
        }[view]
        sets = [board.key("intent", filters["intent"])] if filters.get("intent") else []
        if filters.get("sentiment"):
            sets.append(board.key("sentiment", filters["sentiment"]))
        if filters.get("off_hours"):
            sets.append(board.key("offhours"))
        if filters.get("q"):
            search = self._search_key(filters["q"])
            if search is None:
                raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "search a CPF/CNPJ or 4+ phone digits")
            sets.append(search)
        redis = board._redis
        temp = board.key("tmp", uuid.uuid4().hex)
        source = base
        low, high = "-inf", "+inf"
        if cursor is not None:
            low, high = (f"({cursor!r}", "+inf") if ascending else ("-inf", f"({cursor!r}")
        if filters.get("min_wait_s") is not None and view == QUEUED:
            high = min(high, repr(time.time() - filters["min_wait_s"]), key=lambda v: float(v.strip("(")))
        async with redis.pipeline(transaction=True) as pipe:
            if view == "others":
                pipe.zdiffstore(temp, [base, board.key("agent", me)])
                source = temp
            if sets:
                pipe.zinterstore(temp, {source: 1, **dict.fromkeys(sets, 0)}, aggregate="SUM")
                source = temp
            if ascending:
                pipe.zrange(source, low, high, byscore=True, offset=0, num=limit + 1, withscores=True)
            else:
                pipe.zrange(source, high, low, byscore=True, desc=True, offset=0, num=limit + 1, withscores=True)
            if source == temp:
                pipe.delete(temp)
            pipe.zcard(board.key("state", "bot"))
            pipe.zcard(board.key("queue"))
            pipe.zcard(board.key("agent", me))
            pipe.zcard(board.key("state", CLAIMED))
            pipe.zcard(board.key("state", CLOSED))
            results = await pipe.execute()
        bot, queued, mine, claimed, closed = results[-5:]
        members = results[-6 - (source == temp)]
        more = len(members) > limit
        members = members[:limit]
        found = (
            await self._rows(keys=[board.key("c", _text(m)) for m, _ in members], args=SUMMARY_FIELDS)
            if members
            else []
        )
        rows = [
            {name: value.decode() for name, value in zip(SUMMARY_FIELDS, values, strict=True) if value is not None}
            for values in found
        ]
        now = time.time()
        items = [
            Summary.model_validate(self.summary(_text(m), row, now)).model_dump()
            for (m, _), row in zip(members, rows, strict=True)
            if row
        ]
        return {
            "items": items,
            "next_cursor": repr(members[-1][1]) if more and members else None,
            "counts": {"bot": bot, "queued": queued, "mine": mine, "others": max(claimed - mine, 0), "closed": closed},
        }

    async def detail(self, cid: str) -> dict[str, Any] | None:
        """A conversation with its last turns, ticks and NLU results."""
        board = self.board
        redis = board._redis
        async with redis.pipeline(transaction=False) as pipe:
            pipe.hgetall(board.key("c", cid))
            pipe.zrange(board.key("c", cid, "order"), 0, -1)
            pipe.hgetall(board.key("c", cid, "turns"))
            pipe.hgetall(board.key("c", cid, "ticks"))
            pipe.hgetall(board.key("c", cid, "nlu"))
            pipe.hgetall(board.key("c", cid, "corrections"))
            raw, order, turns, ticks, results, corrections = await pipe.execute()
        if not raw:
            return None
        turns = {_text(k): v for k, v in turns.items()}
        ticks = {_text(k): _text(v) for k, v in ticks.items()}
        results = {_text(k): json.loads(v) for k, v in results.items()}
        corrections = {_text(k): json.loads(v) for k, v in corrections.items()}
        shown = []
        for turn_id in (_text(ref) for ref in order):
            body = board.open(cid, "turn", turns.get(turn_id))
            if not body:
                continue
            turn = json.loads(body)
            message_ref = turn_ref(turn.get("message_id") or "")
            turn["status"] = ticks.get(turn_id) or ticks.get(message_ref)
            turn["error"] = ticks.get(f"{turn_id}:error")
            turn |= results.get(message_ref, {}) | corrections.get(turn_id, {})
            shown.append({k: (v if v != "" else None) for k, v in turn.items()} | {"text": turn.get("text", "")})
        now = time.time()
        summary = self.summary(cid, raw, now)
        window_open, closes = service_window(summary["last_customer_at"], now)
        return summary | {"turns": shown, "window_open": window_open, "window_closes_at": closes}

    async def history(self, cid: str) -> dict[str, Any] | None:
        """Earlier sessions of this conversation and the customer's other conversations."""
        board = self.board
        redis = board._redis
        raw = await redis.hgetall(board.key("c", cid))
        if not raw:
            return None
        sessions = [json.loads(v) for v in (await redis.hgetall(board.key("c", cid, "sessions"))).values()]
        index = _text(raw.get(b"document_index", b""))
        others: list[dict[str, Any]] = []
        if index:
            members = sorted(_text(m) for m in await redis.smembers(board.key("doc", index)))
            peers = [m for m in members if m != cid][:20]
            async with redis.pipeline(transaction=False) as pipe:
                for peer in peers:
                    pipe.hgetall(board.key("c", peer))
                rows = await pipe.execute()
            now = time.time()
            others = [
                Summary.model_validate(self.summary(p, r, now)).model_dump()
                for p, r in zip(peers, rows, strict=True)
                if r
            ]
        tickets = await board.tickets(cid, *(other["conversation_id"] for other in others))
        return {"sessions": sorted(sessions, key=lambda s: s["started_at"]), "tickets": tickets, "others": others}


def register(context: "ConsoleContext") -> None:
    """Feed the board from the bus and add its routes."""
    settings = context.settings
    board = Board(context.redis, pii=Keyring.from_settings(settings), prefix=settings.kafka_topic_prefix)
    board.subscribe(context.bus)
    context.erasers["redis.board"] = board.erase

    async def announce(kind: str, cid: str, data: dict[str, Any]) -> None:
        if kind == "conversation":
            data = {"state": _text(await context.redis.hget(board.key("c", cid), "state") or "bot")}
        await publish_change(context.redis, settings.kafka_topic_prefix, kind, {"conversation_id": cid, **data})

    board.on_change(announce)
    corrections.register(context, board)
    reader = BoardReader(
        board,
        warning_s=settings.console_sla_warning_s,
        breach_s=settings.console_sla_breach_s,
        index_key=settings.pii_hash_key.get_secret_value().encode(),
    )
    router = context.router
    Reader, Actor = context.reader, context.actor  # noqa: N806 - type aliases, named like ones

    @router.get("/conversations", responses=problems(422))
    async def list_conversations(
        principal: Reader,
        view: Annotated[str, Query(pattern=f"^({VIEWS})$")] = "all",
        intent: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9_]+$")] = None,
        sentiment: Annotated[str | None, Query(pattern="^(positive|neutral|negative)$")] = None,
        min_wait_s: Annotated[float | None, Query(ge=0, le=30 * 24 * 3600)] = None,
        off_hours: bool = False,
        q: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
        cursor: Annotated[float | None, Query(ge=0, le=1e11)] = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 50,
    ) -> ConversationList:
        """Every conversation by last activity, newest first; the queued view oldest request first."""
        filters = {"intent": intent, "sentiment": sentiment, "off_hours": off_hours, "q": q, "min_wait_s": min_wait_s}
        return ConversationList.model_validate(await reader.page(principal, view, filters, cursor, limit))

    @router.get("/conversations/{conversation_id}", responses=problems(404))
    async def get_conversation(conversation_id: ConversationId, principal: Reader) -> ConversationDetail:
        """One conversation with its last 200 turns, oldest first (every role)."""
        detail = await reader.detail(conversation_id)
        if detail is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown conversation")
        return ConversationDetail.model_validate(detail)

    @router.get("/conversations/{conversation_id}/history", responses=problems(404))
    async def conversation_history(conversation_id: ConversationId, principal: Reader) -> History:
        """The customer's earlier sessions and other conversations with the same document (every role)."""
        history = await reader.history(conversation_id)
        if history is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown conversation")
        return History.model_validate(history)

    @router.post(
        "/conversations/{conversation_id}/notes", status_code=status.HTTP_201_CREATED, responses=problems(404, 422)
    )
    async def add_note(conversation_id: ConversationId, body: Note, principal: Actor, request: Request) -> Turn:
        """An internal note on the conversation, never sent to the customer (agent, supervisor, admin)."""
        if not await context.redis.exists(board.key("c", conversation_id)):
            raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown conversation")
        note = {"id": f"note-{uuid.uuid4()}", "role": "note", "kind": "text", "text": body.text, "at": time.time(),
                "agent_id": principal.user_id}  # fmt: skip
        await board.add_turn(conversation_id, note)
        await context.record(principal, "conversation.note", conversation_id, request, turn_id=note["id"])
        return Turn.model_validate(note)
