"""The customer panel beside a conversation: the identified customer's contracts, connection state and
open bills, fresh from SGP, and whether a trust unlock may be asked.

    route                                              viewer  agent  supervisor  admin
    GET  /operator/conversations/{id}/panel              yes    yes      yes       yes

The gateway never calls SGP itself, and never holds the customer's document: who the customer is
(name, masked document, contracts) comes from CustomerIdentified on the board, and what SGP says now
comes through the bus like the bot's requests:

    GET ──► SgpRequest × 2 per contract (request ids "console-<uuid>") on sgp.requests
                                                         │ sgp-adapter
    any gateway replica ◄── sgp.results (group gateway-console-panel) ◄┘
         └──► SET {prefix}console:sgp:<request id> (short TTL) ──► the replica that asked polls it

404 unknown conversation, 409 customer not identified yet, 503 when SGP reports itself unavailable,
504 when it does not answer within CONSOLE_SGP_WAIT_S. The conversation service ignores these results.
"""

# No `from __future__ import annotations` here: FastAPI must see the route annotations as objects.
import asyncio
import json
import logging
import time
import uuid
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException, status
from redis.asyncio import Redis

from atende.sgp.v1 import sgp_pb2 as sgp
from atende_core.bus import Bus, Envelope, Outgoing, topics
from atende_core.pii import Keyring
from atende_gateway.console.action_models import CustomerPanel
from atende_gateway.console.board import Board
from atende_gateway.operator_models import ConversationId, problems

if TYPE_CHECKING:  # the console package imports this module to list its registrar
    from atende_gateway.console import ConsoleContext

log = logging.getLogger(__name__)

REQUEST_PREFIX = "console-"
RESULT_TTL_S = 60
MAX_CONTRACTS = 10
_POLL_S = 0.05
STATUS_PT = {
    "active": "ativo",
    "suspended": "suspenso",
    "reduced_speed": "velocidade reduzida",
    "inactive": "inativo",
    "cancelled": "cancelado",
    "new": "novo",
    "unfeasible": "inviável",
}
_CONNECTION = {
    sgp.ConnectionReport.STATE_ONLINE: "online",
    sgp.ConnectionReport.STATE_OFFLINE: "offline",
    sgp.ConnectionReport.STATE_BLOCKED: "blocked",
}
# Statuses SGP never unlocks in trust; a blocked (or suspended, or slowed) connection is what it unlocks.
_CLOSED_STATUSES = frozenset({"cancelled", "inactive", "unfeasible"})
_LOCKED_STATUSES = frozenset({"suspended", "reduced_speed"})


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class PanelResults:
    """SGP's answers to the console's requests, shared by every replica through Redis."""

    def __init__(self, redis: Redis, prefix: str, *, ttl_s: int = RESULT_TTL_S) -> None:
        self._redis = redis
        self._prefix = prefix
        self._ttl = ttl_s

    def key(self, request_id: str) -> str:
        """Where one answer waits for the replica that asked."""
        return f"{self._prefix}console:sgp:{request_id}"

    async def on_result(self, event: sgp.SgpResult, envelope: Envelope) -> None:
        """Keep the console's answers (a redelivery rewrites the same value); the rest is not ours."""
        if event.request_id.startswith(REQUEST_PREFIX):
            await self._redis.set(self.key(event.request_id), event.SerializeToString(), ex=self._ttl)

    async def wait(self, request_ids: list[str], *, timeout_s: float) -> dict[str, sgp.SgpResult]:
        """The answers that came within `timeout_s` (bounded polling: one MGET per round)."""
        deadline = time.monotonic() + timeout_s
        found: dict[str, sgp.SgpResult] = {}
        while True:
            missing = [r for r in request_ids if r not in found]
            for request_id, raw in zip(missing, await self._redis.mget([self.key(r) for r in missing]), strict=True):
                if raw is not None:
                    found[request_id] = sgp.SgpResult.FromString(raw)
            if len(found) == len(request_ids) or time.monotonic() >= deadline:
                break
            await asyncio.sleep(_POLL_S)
        if found:
            await self._redis.delete(*(self.key(r) for r in found))
        return found

    def subscribe(self, bus: Bus) -> None:
        """Every replica in one group: each answer is stored once, whichever replica reads it."""
        bus.subscribe(topics.SGP_RESULTS, self.on_result, group="gateway-console-panel", idempotent=False)


def promise_eligibility(status_word: str, connection: str) -> tuple[bool, str | None]:
    """Whether a trust unlock may be asked, from what SGP reports; SGP still decides (quota included)."""
    if status_word in _CLOSED_STATUSES:
        return False, f"Contrato {STATUS_PT.get(status_word, status_word)}: não pode ser liberado em confiança."
    if connection != "blocked" and status_word not in _LOCKED_STATUSES:
        return False, "A conexão não está bloqueada."
    return True, None


def bills_of(result: sgp.SgpResult | None) -> list[dict[str, Any]]:
    """The open bills of an answer to ListOpenInvoices, oldest first (none for any other answer)."""
    if result is None or result.WhichOneof("outcome") != "invoices":
        return []
    return [
        {"invoice_id": v.invoice_id, "due_date": v.due_date, "amount": v.amount_cents / 100, "overdue": v.overdue}
        for v in sorted(result.invoices.invoices, key=lambda v: v.due_date)
    ]


def connection_of(result: sgp.SgpResult | None) -> str:
    """The link state of an answer to CheckConnection ('unknown' for any other answer)."""
    if result is None or result.WhichOneof("outcome") != "connection":
        return "unknown"
    return _CONNECTION.get(result.connection.state, "unknown")


class CustomerPanelReader:
    """Builds one panel: the board's customer, SGP's contracts' state."""

    def __init__(self, board: Board, bus: Bus, results: PanelResults, *, wait_s: float) -> None:
        self._board = board
        self._bus = bus
        self._results = results
        self._wait_s = wait_s

    async def panel(self, cid: str) -> dict[str, Any]:
        """The panel, or an HTTPException (404, 409, 503, 504)."""
        board = self._board
        raw = {_text(k): _text(v) for k, v in (await board._redis.hgetall(board.key("c", cid))).items()}
        if not raw:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown conversation")
        contracts = json.loads(raw.get("contracts") or "[]")[:MAX_CONTRACTS]
        if not raw.get("customer_id") or not contracts:
            raise HTTPException(status.HTTP_409_CONFLICT, "the customer is not identified yet")
        asked: list[tuple[str, str, str]] = []  # contract, invoices request, connection request
        outgoing: list[Outgoing] = []
        for contract in contracts:
            invoices, connection = (f"{REQUEST_PREFIX}{uuid.uuid4()}" for _ in range(2))
            contract_id = contract["contract_id"]
            asked.append((contract_id, invoices, connection))
            for request in (
                sgp.SgpRequest(
                    request_id=invoices,
                    conversation_id=cid,
                    list_open_invoices=sgp.ListOpenInvoices(contract_id=contract_id),
                ),
                sgp.SgpRequest(
                    request_id=connection,
                    conversation_id=cid,
                    check_connection=sgp.CheckConnection(contract_id=contract_id),
                ),
            ):
                outgoing.append(Outgoing(topics.SGP_REQUESTS, request, key=cid, event_id=request.request_id))
        await self._bus.publish_many(outgoing)
        ids = [request.event_id or "" for request in outgoing]
        answers = await self._results.wait(ids, timeout_s=self._wait_s)
        if len(answers) < len(ids):
            log.warning("SGP did not answer the panel in time", extra={"sgp.missing": len(ids) - len(answers)})
            raise HTTPException(status.HTTP_504_GATEWAY_TIMEOUT, "SGP did not answer in time")
        if any(answers[invoices].WhichOneof("outcome") == "unavailable" for _, invoices, _ in asked):
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE, "SGP is unavailable right now", headers={"Retry-After": "30"}
            )
        shown = []
        for contract, (_, invoices, connection) in zip(contracts, asked, strict=True):
            link = connection_of(answers[connection])
            eligible, reason = promise_eligibility(contract.get("status", ""), link)
            shown.append(
                {
                    "contract_id": contract["contract_id"],
                    "plan": contract.get("plan", ""),
                    "status": STATUS_PT.get(contract.get("status", ""), contract.get("status", "")),
                    "connection": link,
                    "open_bills": bills_of(answers[invoices]),
                    "promise_eligible": eligible,
                    "promise_reason": reason,
                }
            )
        return {
            "document_masked": raw.get("document_masked", ""),
            "customer_name": board.open(cid, "customer_name", raw.get("customer_name")),
            "contracts": shown,
            "fetched_at": time.time(),
        }


def register(context: "ConsoleContext") -> None:
    """Listen for SGP's answers to the console and add the panel route."""
    settings = context.settings
    board = Board(context.redis, pii=Keyring.from_settings(settings), prefix=settings.kafka_topic_prefix)
    results = PanelResults(context.redis, settings.kafka_topic_prefix)
    results.subscribe(context.bus)
    context.publishes_to.add(topics.SGP_REQUESTS)
    reader = CustomerPanelReader(board, context.bus, results, wait_s=settings.console_sgp_wait_s)
    Reader = context.reader  # noqa: N806 - a type alias, named like one

    @context.router.get("/conversations/{conversation_id}/panel", responses=problems(404, 409, 503, 504))
    async def customer_panel(conversation_id: ConversationId, principal: Reader) -> CustomerPanel:
        """The customer's contracts, connection and open bills, asked of SGP now (every role; CPF masked)."""
        return CustomerPanel.model_validate(await reader.panel(conversation_id))
