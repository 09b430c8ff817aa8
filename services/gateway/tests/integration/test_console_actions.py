"""Agents' actions and the customer panel in the real gateway on real Kafka and Redis: commands on
conversation.commands (once per Idempotency-Key, only by the agent who holds the conversation), their
results as system turns, and the panel's SGP round trip through the bus and Redis, across replicas."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import pytest

from atende.audit.v1.audit_pb2 import AuditEntryRecorded
from atende.conversation.v1 import conversation_pb2 as conv
from atende.sgp.v1 import sgp_pb2 as sgp
from atende_core.bus import Bus, Envelope, topics
from atende_core.identity import Role
from atende_core.stores import redis_client
from atende_gateway.app import create_app
from atende_gateway.console.changes import CHANNEL
from atende_gateway.settings import GatewaySettings
from atende_testing import running_server, wait_until
from atende_testing.tokens import TokenIssuer

pytestmark = pytest.mark.integration

PNID = "106540352242922"
CID = "c1.actions0001"
CONTRACTS = [
    conv.IdentifiedContract(contract_id="26515", status="suspended", plan="Fibra 300"),
    conv.IdentifiedContract(contract_id="26516", status="active", plan="Fibra 500"),
]


def _identified(cid: str, contracts: list[conv.IdentifiedContract]) -> conv.CustomerIdentified:
    return conv.CustomerIdentified(
        conversation_id=cid,
        customer_id="c1",
        contract_id=contracts[0].contract_id,
        document_masked="***.982.247-**",
        customer_name="MARIA DA SILVA",
        contracts=contracts,
    )


@asynccontextmanager
async def _gateways(settings: GatewaySettings, count: int = 1) -> AsyncIterator[list[httpx.AsyncClient]]:
    """`count` gateway replicas on one deployment (same topics, groups and Redis)."""
    async with AsyncExitStack() as stack:
        clients = []
        for _ in range(count):
            url = await stack.enter_async_context(running_server(create_app(settings)))
            clients.append(await stack.enter_async_context(httpx.AsyncClient(base_url=url)))
        yield clients


async def test_actions_are_published_once_by_the_agent_who_holds_the_conversation(
    kafka_bootstrap_servers: str,
    redis_url: str,
    topic_prefix: str,
    make_bus: Callable[..., Bus],
    token_issuer: TokenIssuer,
) -> None:
    def headers(user: str = "ana", role: Role = Role.AGENT, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_issuer.mint(user, role)}", **extra}

    commands: list[conv.AgentActionRequested] = []
    envelopes: list[Envelope] = []
    audit: list[AuditEntryRecorded] = []

    async def record_command(event: conv.AgentActionRequested, envelope: Envelope) -> None:
        commands.append(event)
        envelopes.append(envelope)

    async def record_audit(event: AuditEntryRecorded, envelope: Envelope) -> None:
        audit.append(event)

    world = make_bus("conversation-stand-in")
    world.subscribe(topics.CONVERSATION_COMMANDS, record_command, group="probe-commands", idempotent=False)
    world.subscribe(topics.AUDIT_EVENTS, record_audit, group="probe-audit", idempotent=False)
    await world.start(publishes_to=[topics.CONVERSATION_EVENTS])
    settings = GatewaySettings(
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        redis_url=redis_url,
        auth_url=token_issuer.auth_url,
    )
    url = f"/operator/conversations/{CID}/actions"
    bill = {"action": "send_bill", "contract_id": "26515"}
    async with _gateways(settings) as (client,):
        assert (await client.post(url, json=bill)).status_code == 401
        assert (await client.post(url, json=bill, headers=headers("vera", Role.VIEWER))).status_code == 403
        assert (await client.post(url, json=bill, headers=headers())).status_code == 404

        await world.publish(topics.CONVERSATION_EVENTS, conv.ConversationStarted(conversation_id=CID), key=CID)
        await world.publish(topics.CONVERSATION_EVENTS, _identified(CID, CONTRACTS), key=CID)
        handoff = conv.HandoffRequested(
            conversation_id=CID, reason="customer_request", phone_number_id=PNID, wa_id="5511"
        )
        await world.publish(topics.CONVERSATION_EVENTS, handoff, key=CID)

        async def queued() -> bool:
            found = await client.get(f"/operator/handoffs/{CID}", headers=headers())
            board = await client.get(f"/operator/conversations/{CID}", headers=headers())
            return found.status_code == 200 and board.status_code == 200

        await wait_until(queued, timeout=30)
        # Nobody holds it yet: an agent claims first.
        refused = await client.post(url, json=bill, headers=headers())
        assert refused.status_code == 409
        assert "claim" in refused.json()["detail"]
        assert (await client.post(f"/operator/handoffs/{CID}/claim", headers=headers())).status_code == 200

        first = await client.post(url, json=bill, headers=headers(**{"Idempotency-Key": "click-1"}))
        again = await client.post(url, json=bill, headers=headers(**{"Idempotency-Key": "click-1"}))
        assert first.status_code == again.status_code == 202
        assert first.json()["command_id"] == again.json()["command_id"]
        # Another agent may not act in Ana's conversation; a supervisor may.
        taken = await client.post(url, json=bill, headers=headers("bia"))
        assert taken.status_code == 409
        assert "another agent" in taken.json()["detail"]
        close = {"action": "close", "reason": "solved"}
        assert (await client.post(url, json=close, headers=headers("sara", Role.SUPERVISOR))).status_code == 202
        ticket = {"action": "open_ticket", "contract_id": "26516", "kind": "technician_visit", "description": "ONU"}
        assert (await client.post(url, json=ticket, headers=headers())).status_code == 202
        for wrong in (
            {"action": "open_ticket", "contract_id": "26516"},
            {"action": "close"},
            {"action": "send_bill", "reason": "spam"},
            {"action": "reboot"},
            {"action": "send_bill", "contract_id": "x" * 65},
            {"action": "send_bill", "extra": 1},
        ):
            assert (await client.post(url, json=wrong, headers=headers())).status_code == 422, wrong

        await wait_until(lambda: len(commands) >= 4, timeout=30)
        by_id = {c.command_id: c for c in commands}
        assert len(by_id) == 3  # the retried click is the same command (and event) id
        sent = by_id[first.json()["command_id"]]
        assert (sent.conversation_id, sent.agent_id, sent.send_bill.contract_id) == (CID, "ana", "26515")
        assert {e.id for e in envelopes} == set(by_id)
        actions = {c.WhichOneof("action"): c for c in commands}
        assert actions["close"].close.reason == "solved"
        assert actions["close"].agent_id == "sara"
        assert (actions["open_ticket"].open_ticket.kind, actions["open_ticket"].open_ticket.description) == (
            "technician_visit",
            "ONU",
        )
        await wait_until(lambda: len([e for e in audit if e.action == "conversation.action"]) >= 4, timeout=30)
        entries = [e for e in audit if e.action == "conversation.action"]
        assert entries[0].entry_id == entries[1].entry_id  # the retried click is one audited action
        assert len({e.entry_id for e in entries}) == 3
        assert entries[0].details["command_id"] == first.json()["command_id"]
        assert entries[0].details["agent_action"] == "send_bill"
        assert (entries[0].actor_id, entries[0].target) == ("ana", CID)

        # The conversation service's answer becomes a system turn in pt-BR.
        done = conv.AgentActionCompleted(
            command_id=sent.command_id,
            conversation_id=CID,
            agent_id="ana",
            action="send_bill",
            outcome="done",
            detail="Enviada(s) 1 fatura(s) do contrato 26515.",
        )
        redis = redis_client(redis_url)
        changes = redis.pubsub()
        await changes.subscribe(topic_prefix + CHANNEL)
        await world.publish(topics.CONVERSATION_EVENTS, done, key=CID)
        heard: list[dict[str, Any]] = []

        async def announced() -> dict[str, Any] | None:
            message = await changes.get_message(ignore_subscribe_messages=True, timeout=0.5)
            if message is not None:
                heard.append(json.loads(message["data"]))
            return next((change for change in heard if change["kind"] == "action"), None)

        change = await wait_until(announced, timeout=30)
        await changes.aclose()
        await redis.aclose()
        assert change is not None
        assert change["data"] == {
            "conversation_id": CID,
            "command_id": sent.command_id,
            "action": "send_bill",
            "outcome": "done",
            "agent_id": "ana",
        }

        async def system_turn() -> dict[str, Any] | None:
            turns = (await client.get(f"/operator/conversations/{CID}", headers=headers())).json()["turns"]
            return next((t for t in turns if t["command_id"] == sent.command_id), None)

        turn = await wait_until(system_turn, timeout=30)
        assert turn is not None
        assert turn["role"] == "system"
        assert turn["text"] == "Envio da 2ª via: concluído — Enviada(s) 1 fatura(s) do contrato 26515."
        assert turn["agent_id"] == "ana"


class SgpStandIn:
    """Answers the console's SGP requests like the sgp-adapter would, per contract."""

    def __init__(self, bus: Bus) -> None:
        self.bus = bus
        self.requests: list[sgp.SgpRequest] = []
        self.silent: set[str] = set()
        self.down: set[str] = set()

    async def on_request(self, request: sgp.SgpRequest, envelope: Envelope) -> None:
        self.requests.append(request)
        operation = request.WhichOneof("operation")
        contract = getattr(request, operation).contract_id
        if contract in self.silent:
            return
        result = sgp.SgpResult(request_id=request.request_id, conversation_id=request.conversation_id)
        if contract in self.down:
            result.unavailable.reason = "breaker_open"
        elif operation == "list_open_invoices":
            invoices = [
                sgp.Invoice(invoice_id="i2", contract_id=contract, due_date="2026-04-10", amount_cents=12990),
                sgp.Invoice(
                    invoice_id="i1", contract_id=contract, due_date="2026-03-10", amount_cents=13345, overdue=True
                ),
            ]
            result.invoices.CopyFrom(
                sgp.InvoiceList(contract_id=contract, invoices=invoices if contract == "26515" else [])
            )
        else:
            state = sgp.ConnectionReport.STATE_BLOCKED if contract == "26515" else sgp.ConnectionReport.STATE_ONLINE
            result.connection.CopyFrom(sgp.ConnectionReport(contract_id=contract, state=state))
        await self.bus.publish(topics.SGP_RESULTS, result, key=request.conversation_id)


async def test_the_panel_asks_sgp_through_the_bus_and_any_replica_answers(
    kafka_bootstrap_servers: str,
    redis_url: str,
    topic_prefix: str,
    make_bus: Callable[..., Bus],
    token_issuer: TokenIssuer,
) -> None:
    headers = {"Authorization": f"Bearer {token_issuer.mint('vera', Role.VIEWER)}"}
    world = make_bus("sgp-stand-in")
    stand_in = SgpStandIn(world)
    world.subscribe(topics.SGP_REQUESTS, stand_in.on_request, group="sgp-adapter", idempotent=False)
    await world.start(publishes_to=[topics.CONVERSATION_EVENTS, topics.SGP_RESULTS])
    settings = GatewaySettings(
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        redis_url=redis_url,
        auth_url=token_issuer.auth_url,
        console_sgp_wait_s=3,
    )
    async with _gateways(settings, 2) as replicas:
        first = replicas[0]
        assert (await first.get(f"/operator/conversations/{CID}/panel", headers=headers)).status_code == 404
        for cid in (CID, "c1.anonymous", "c1.silent", "c1.down"):
            await world.publish(topics.CONVERSATION_EVENTS, conv.ConversationStarted(conversation_id=cid), key=cid)
        await world.publish(topics.CONVERSATION_EVENTS, _identified(CID, CONTRACTS), key=CID)
        lone = conv.IdentifiedContract(contract_id="777", status="active", plan="Fibra 100")
        await world.publish(topics.CONVERSATION_EVENTS, _identified("c1.silent", [lone]), key="c1.silent")
        broken = conv.IdentifiedContract(contract_id="888", status="active", plan="Fibra 100")
        await world.publish(topics.CONVERSATION_EVENTS, _identified("c1.down", [broken]), key="c1.down")
        stand_in.silent.add("777")
        stand_in.down.add("888")

        async def ready() -> bool:
            detail = await first.get("/operator/conversations/c1.down", headers=headers)
            return detail.status_code == 200 and bool(detail.json().get("document_masked"))

        await wait_until(ready, timeout=30)
        # Both replicas at once: each result lands with whichever replica's consumer reads it.
        answers = await asyncio.gather(
            *(replica.get(f"/operator/conversations/{CID}/panel", headers=headers) for replica in replicas)
        )
        for answer in answers:
            assert answer.status_code == 200, answer.text
            panel = answer.json()
            assert panel["document_masked"] == "***.982.247-**"
            assert panel["customer_name"] == "MARIA DA SILVA"
            suspended, active = panel["contracts"]
            assert (suspended["contract_id"], suspended["status"], suspended["connection"]) == (
                "26515",
                "suspenso",
                "blocked",
            )
            assert [b["invoice_id"] for b in suspended["open_bills"]] == ["i1", "i2"]
            assert suspended["open_bills"][0] == {
                "invoice_id": "i1",
                "due_date": "2026-03-10",
                "amount": 133.45,
                "overdue": True,
            }
            assert (suspended["promise_eligible"], suspended["promise_reason"]) == (True, None)
            assert (active["status"], active["connection"], active["open_bills"]) == ("ativo", "online", [])
            assert active["promise_eligible"] is False
            assert "não está bloqueada" in active["promise_reason"]
        assert all(r.request_id.startswith("console-") and r.conversation_id == CID for r in stand_in.requests)
        assert len(stand_in.requests) == 8

        not_yet = await first.get("/operator/conversations/c1.anonymous/panel", headers=headers)
        assert not_yet.status_code == 409
        down = await first.get("/operator/conversations/c1.down/panel", headers=headers)
        assert down.status_code == 503
        silent = await first.get("/operator/conversations/c1.silent/panel", headers=headers)
        assert silent.status_code == 504
