"""The console's board on real Kafka and Redis in the real gateway app: events on the bus become
conversations with states, turns, delivery ticks and intents; views, filters, search and pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from atende.conversation.v1 import conversation_pb2 as conv
from atende.nlu.v1 import nlu_pb2 as nlu
from atende.sgp.v1 import sgp_pb2 as sgp
from atende.whatsapp.v1 import whatsapp_pb2 as wa
from atende_core.bus import Bus, Envelope, topics
from atende_core.crypto import blind_index
from atende_core.identity import Role
from atende_core.pii import development_keyring
from atende_core.stores import redis_client
from atende_gateway.app import create_app
from atende_gateway.console.board import Board, turn_ref
from atende_gateway.settings import GatewaySettings
from atende_testing import running_server, wait_until
from atende_testing.tokens import TokenIssuer

pytestmark = pytest.mark.integration

PNID = "106540352242922"
CPF = "529.982.247-25"
HASH_KEY = "board-test-hash-key-0123456789abcdef"


def _cid(n: int) -> str:
    return f"c1.board{n:04d}"


def _wa(n: int) -> str:
    return f"55119876{n:05d}"


async def test_board_follows_conversations_from_the_bus(
    kafka_bootstrap_servers: str,
    redis_url: str,
    topic_prefix: str,
    make_bus: Callable[..., Bus],
    token_issuer: TokenIssuer,
) -> None:
    def headers(user: str = "ana", role: Role = Role.AGENT) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_issuer.mint(user, role)}"}

    world = make_bus("conversation")
    await world.start(
        publishes_to=[
            topics.CONVERSATION_EVENTS,
            topics.CONVERSATION_INBOUND,
            topics.WHATSAPP_OUTBOUND,
            topics.WHATSAPP_STATUS,
            topics.NLU_RESULTS,
            topics.SGP_REQUESTS,
            topics.SGP_RESULTS,
        ]
    )
    settings = GatewaySettings(
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        redis_url=redis_url,
        auth_url=token_issuer.auth_url,
        pii_hash_key=HASH_KEY,
    )
    one = _cid(1)
    async with running_server(create_app(settings)) as url, httpx.AsyncClient(base_url=url) as client:

        async def listed(expected: int, **params: Any) -> dict[str, Any]:
            async def probe() -> dict[str, Any] | None:
                body = (await client.get("/operator/conversations", headers=headers(), params=params)).json()
                return body if len(body["items"]) == expected else None

            return await wait_until(probe, timeout=30) or {}

        async def detail(cid: str, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
            async def probe() -> dict[str, Any] | None:
                response = await client.get(f"/operator/conversations/{cid}", headers=headers("v", Role.VIEWER))
                return response.json() if response.status_code == 200 and check(response.json()) else None

            found = await wait_until(probe, timeout=30)
            assert found, f"{cid} never matched"
            return found

        # Three conversations with the bot; the first one's customer speaks and the bot answers.
        for n in (1, 2, 3):
            started = conv.ConversationStarted(conversation_id=_cid(n), phone_number_id=PNID, wa_id=_wa(n))
            await world.publish(topics.CONVERSATION_EVENTS, started, key=_cid(n))
        body = await listed(3, view="bot")
        assert body["counts"] == {"bot": 3, "queued": 0, "mine": 0, "others": 0, "closed": 0}
        assert body["items"][0]["phone_masked"].endswith(_wa(3)[-4:])

        inbound = conv.InboundMessage(
            conversation_id=one, message_id="wamid.in1", wa_id=_wa(1), text=conv.TextContent(body=f"meu cpf é {CPF}")
        )
        await world.publish(topics.CONVERSATION_INBOUND, inbound, key=one)
        answer = wa.SendMessage(command_id="cmd-bot-1", conversation_id=one, to=_wa(1), text=wa.Text(body="Olá!"))
        await world.publish(topics.WHATSAPP_OUTBOUND, answer, key=one)
        for tick in (wa.DELIVERY_STATUS_READ, wa.DELIVERY_STATUS_DELIVERED):  # a late 'delivered' keeps 'read'
            status = wa.MessageStatusChanged(
                conversation_id=one, command_id="cmd-bot-1", message_id="wamid.o1", status=tick
            )
            await world.publish(topics.WHATSAPP_STATUS, status, key=one)
        result = nlu.TextAnalyzed(
            conversation_id=one, message_id="wamid.in1", intent="sem_conexao", confidence=0.9, sentiment="negativo"
        )
        await world.publish(topics.NLU_RESULTS, result, key=one)
        identified = conv.CustomerIdentified(
            conversation_id=one,
            customer_id="cust-1",
            contract_id="ct-1",
            document_masked="***.982.247-**",
            document_index=blind_index(CPF, HASH_KEY.encode()),
            customer_name="Maria Quitéria",
            contracts=[conv.IdentifiedContract(contract_id="ct-1", status="active", plan="Fibra 500")],
        )
        await world.publish(topics.CONVERSATION_EVENTS, identified, key=one)

        shown = await detail(
            one,
            lambda d: (
                d["customer_name"] == "Maria Quitéria"
                and len(d["turns"]) == 2
                and d["turns"][0]["intent"] == "sem_conexao"
                and d["turns"][1]["status"] == "read"
            ),
        )
        customer, bot = shown["turns"]
        assert (customer["role"], customer["sentiment"], bot["role"], bot["text"]) == (
            "customer",
            "negative",
            "bot",
            "Olá!",
        )
        assert CPF not in customer["text"]
        assert shown["window_open"] is True
        assert shown["contracts"] == [{"contract_id": "ct-1", "status": "active", "plan": "Fibra 500"}]
        assert shown["last_intent"] == "sem_conexao"

        # At rest, the name, number and texts are ciphertexts.
        redis = redis_client(redis_url)
        try:
            entry = await redis.hgetall(f"{topic_prefix}board:c:{one}")
            turns = await redis.hgetall(f"{topic_prefix}board:c:{one}:turns")
        finally:
            await redis.aclose()
        stored = b" ".join([*entry.values(), *turns.values()])
        for clear in (b"Quit", _wa(1).encode(), "Olá".encode()):
            assert clear not in stored

        # Filters and search: by intent, sentiment, CPF (any punctuation), the phone's last digits.
        assert [i["conversation_id"] for i in (await listed(1, intent="sem_conexao"))["items"]] == [one]
        assert (await listed(1, sentiment="negative", view="bot"))["items"][0]["conversation_id"] == one
        assert (await listed(1, q="52998224725"))["items"][0]["conversation_id"] == one
        assert (await listed(1, q=_wa(2)[-6:]))["items"][0]["conversation_id"] == _cid(2)
        assert (await client.get("/operator/conversations", headers=headers(), params={"q": "12"})).status_code == 422

        # Pages: newest first, a cursor to the rest.
        first = await listed(2, view="all", limit=2)
        assert first["next_cursor"]
        rest = await listed(1, view="all", limit=2, cursor=first["next_cursor"])
        seen = [i["conversation_id"] for i in first["items"] + rest["items"]]
        assert sorted(seen) == [_cid(1), _cid(2), _cid(3)]
        assert seen[0] == one

        # A handoff: queued (off hours), claimed by Ana through the operator API, her reply an agent turn.
        requested = conv.HandoffRequested(
            conversation_id=one, reason="customer_asked", within_business_hours=False,
            customer_name="Maria Quitéria", last_message="atendente", phone_number_id=PNID, wa_id=_wa(1),
        )  # fmt: skip
        await world.publish(topics.CONVERSATION_EVENTS, requested, key=one)
        queued = await listed(1, view="queued", off_hours="true")
        assert queued["items"][0]["sla"] == "ok"
        assert queued["items"][0]["handoff_reason"] == "customer_asked"
        assert (await client.post(f"/operator/handoffs/{one}/claim", headers=headers("ana"))).status_code == 200
        mine = await listed(1, view="mine")
        assert mine["items"][0]["agent_id"] == "ana"
        assert mine["counts"]["mine"] == 1
        bia = (await client.get("/operator/conversations", headers=headers("bia"), params={"view": "others"})).json()
        assert [i["conversation_id"] for i in bia["items"]] == [one]
        reply = await client.post(f"/operator/handoffs/{one}/reply", json={"text": "Oi, sou a Ana"}, headers=headers())
        assert reply.status_code == 202
        shown = await detail(one, lambda d: any(t["role"] == "agent" for t in d["turns"]))
        agent_turn = next(t for t in shown["turns"] if t["role"] == "agent")
        assert (agent_turn["agent_id"], agent_turn["status"]) == ("ana", "pending")
        assert any(t["role"] == "system" and "ana" in t["text"] for t in shown["turns"])

        # Notes: agents write them, viewers may not; at most 2000 characters.
        viewer = headers("vera", Role.VIEWER)
        note = {"text": "Cliente já ligou ontem."}
        assert (await client.post(f"/operator/conversations/{one}/notes", json=note, headers=viewer)).status_code == 403
        assert (
            await client.post(f"/operator/conversations/{one}/notes", json={"text": "x" * 2001}, headers=headers())
        ).status_code == 422
        assert (
            await client.post("/operator/conversations/c1.nobody/notes", json=note, headers=headers())
        ).status_code == 404
        created = await client.post(f"/operator/conversations/{one}/notes", json=note, headers=headers())
        assert created.status_code == 201
        assert created.json()["role"] == "note"
        shown = await detail(one, lambda d: d["turns"][-1]["role"] == "note")

        # A ticket the bot opened: its kind from the request, its protocol from SGP's answer.
        ticket = sgp.OpenTicket(contract_id="ct-1", kind="no_connection", description="sem sinal")
        await world.publish(
            topics.SGP_REQUESTS, sgp.SgpRequest(request_id="r-t1", conversation_id=one, open_ticket=ticket), key=one
        )
        opened = sgp.TicketOpened(contract_id="ct-1", protocol="2026120400123")
        await world.publish(
            topics.SGP_RESULTS, sgp.SgpResult(request_id="r-t1", conversation_id=one, ticket_opened=opened), key=one
        )

        # Closed: out of the claimed views, into the closed one, a session in the history.
        closed = conv.ConversationClosed(
            conversation_id=one, outcome="closed_by_agent", reason="resolvido", agent_id="ana"
        )
        await world.publish(topics.CONVERSATION_EVENTS, closed, key=one)
        await world.publish(topics.CONVERSATION_EVENTS, conv.CsatRecorded(conversation_id=one, score=5), key=one)
        body = await listed(1, view="closed")
        assert body["counts"]["mine"] == 0
        assert body["counts"]["bot"] == 2
        shown = await detail(one, lambda d: d["csat"] == 5)
        assert shown["close_reason"] == "resolvido"
        assert shown["state"] == "closed"

        async def history_with_ticket() -> dict[str, Any] | None:
            body = (await client.get(f"/operator/conversations/{one}/history", headers=headers())).json()
            return body if body["tickets"] else None  # the tickets come from their own consumer

        history = await wait_until(history_with_ticket, timeout=30) or {}
        assert history["sessions"][0]["outcome"] == "closed_by_agent"
        assert history["sessions"][0]["csat"] == 5
        tickets = [{k: t[k] for k in ("ticket_id", "kind", "contract_id")} for t in history["tickets"]]
        assert tickets == [{"ticket_id": "2026120400123", "kind": "no_connection", "contract_id": "ct-1"}]
        assert (await client.get("/operator/conversations/c1.nobody", headers=headers())).status_code == 404


async def test_an_erased_conversation_stays_erased_when_late_events_arrive(redis_url: str, topic_prefix: str) -> None:
    redis = redis_client(redis_url)
    board = Board(redis, pii=development_keyring(), prefix=topic_prefix)
    envelope = Envelope(id="e9", type="test", source="/atende/conversation", time=datetime.now(UTC))
    cid = _cid(9)
    try:
        await board.on_conversation_event(conv.ConversationStarted(conversation_id=cid, wa_id=_wa(9)), envelope)
        sent = wa.SendMessage(command_id="cmd-9", conversation_id=cid, text=wa.Text(body="Oi"))
        await board.on_outbound(sent, envelope)
        assert await board.erase(cid) is True

        # Meta's 'read' for a message sent before the erasure, a redelivered inbound, a late NLU result.
        status = wa.MessageStatusChanged(conversation_id=cid, command_id="cmd-9", status=wa.DELIVERY_STATUS_READ)
        await board.on_status(status, envelope)
        inbound = conv.InboundMessage(conversation_id=cid, message_id="wamid.9", text=conv.TextContent(body="oi"))
        await board.on_inbound(inbound, envelope)
        await board.on_nlu(nlu.TextAnalyzed(conversation_id=cid, message_id="wamid.9", intent="saudacao"), envelope)

        left = [key async for key in redis.scan_iter(match=f"{topic_prefix}board:*")]
        assert left == [f"{topic_prefix}board:erased:{turn_ref(cid)}".encode()]
        assert await redis.ttl(left[0]) > 0
    finally:
        await redis.aclose()
