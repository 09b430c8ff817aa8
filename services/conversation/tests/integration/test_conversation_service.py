"""The conversation service over real Kafka, Redis and MongoDB-wire, with the NLU, SGP and agents played
by the test on the bus."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pymongo.asynchronous.database import AsyncDatabase

from atende.conversation.v1 import conversation_pb2 as conv
from atende.sgp.v1 import sgp_pb2 as sgp
from atende.whatsapp.v1 import whatsapp_pb2 as wa
from atende_conversation.settings import ConversationSettings
from atende_core.bus import topics
from atende_core.documents import cpf_with_check_digits
from atende_core.pii import development_keyring
from atende_testing import INTERNAL_HEADERS, wait_until

pytestmark = pytest.mark.integration

CPF = cpf_with_check_digits("529982247")
CONTRACT = sgp.Contract(contract_id="26515", status=sgp.CONTRACT_STATUS_ACTIVE, plan="Fibra 300", address="Rua A, 1")


def _body(command: wa.SendMessage) -> str:
    kind = command.WhichOneof("content")
    if kind == "text":
        return command.text.body
    if kind == "buttons":
        return command.buttons.body
    if kind == "list":
        return command.list.body
    if kind == "document":
        return command.document.caption
    return ""


async def test_bill_copy_from_greeting_to_survey(
    world: Any, service: Callable[..., Any], settings: ConversationSettings, mongo_db: AsyncDatabase[dict[str, Any]]
) -> None:
    async with service(settings) as url:
        first = await world.say("oi, bom dia")
        request = await world.wait_nlu_request()
        assert request.text == "oi, bom dia"
        assert request.message_id == first
        await world.answer_nlu(request, "saudacao")
        menu = (await world.wait_replies(1))[0]
        assert menu.WhichOneof("content") == "list"
        assert menu.to == "5511987654321"
        assert "Fibra Teste" in menu.list.body
        mark = world.outbound()[0]
        assert mark.mark_read.message_id == first

        await world.say(choice="menu:bill")
        ask = (await world.wait_replies(2))[1]
        assert "CPF" in _body(ask)
        await world.say(f"meu cpf é {CPF[:3]}.{CPF[3:6]}.{CPF[6:9]}-{CPF[9:]}")
        lookup = await world.wait_sgp_request()
        assert lookup.lookup_customer.document == CPF
        await world.answer_sgp(
            lookup,
            customer_found=sgp.CustomerFound(customer_id="c1", name="MARIA DA SILVA", contracts=[CONTRACT]),
        )
        invoices_request = await world.wait_sgp_request(2)
        assert invoices_request.list_open_invoices.contract_id == "26515"
        invoice = sgp.Invoice(
            invoice_id="i1",
            contract_id="26515",
            due_date="2026-03-10",
            amount_cents=123456,
            pdf_url="http://sgp.test/boleto/i1.pdf",
            pix_code="00020126PIXCODE",
        )
        await world.answer_sgp(invoices_request, invoices=sgp.InvoiceList(contract_id="26515", invoices=[invoice]))
        replies = await world.wait_replies(7)
        bodies = [_body(r) for r in replies]
        document = next(r for r in replies if r.WhichOneof("content") == "document")
        assert document.document.link == "http://sgp.test/boleto/i1.pdf"
        assert "10/03/2026" in document.document.caption
        assert "R$ 1.234,56" in document.document.caption
        assert "00020126PIXCODE" in bodies
        assert world.facts(conv.CustomerIdentified)[0].document_masked == "***.982.247-**"

        await world.say(choice="end")
        await world.wait_replies(len(replies) + 1)
        await world.say("5")
        await wait_until(lambda: world.facts(conv.CsatRecorded), timeout=30)
        await wait_until(lambda: world.facts(conv.ConversationClosed), timeout=30)
        assert world.facts(conv.CsatRecorded)[0].score == 5
        assert world.facts(conv.ConversationClosed)[0].outcome == "resolved"

        # Every command id is distinct, and everything is keyed by the conversation.
        ids = [c.command_id for c in world.outbound()]
        assert len(ids) == len(set(ids))
        assert all(env.key == world.conversation_id for _, env in world.seen[topics.WHATSAPP_OUTBOUND])

        # The transcript and the session are in MongoDB, without the CPF or the phone in clear.
        async def session_closed() -> dict[str, Any] | None:
            return await mongo_db["conversation_sessions"].find_one({"csat": 5, "outcome": {"$exists": True}})

        session = await wait_until(session_closed, timeout=15)
        assert session["outcome"] == "resolved"
        assert session["document_masked"] == "***.982.247-**"
        lines = [doc async for doc in mongo_db["conversation_turns"].find({})]
        dump = repr(lines) + repr(session)
        assert CPF not in dump
        assert CPF[:3] + "." + CPF[3:6] not in dump
        assert "5511987654321" not in dump
        assert world.conversation_id not in dump

        async with httpx.AsyncClient(base_url=url) as client:
            # Internal routes need the internal token.
            unauthenticated = await client.get(f"/conversations/{world.conversation_id}/transcript")
            assert unauthenticated.status_code == 401
            client.headers.update(INTERNAL_HEADERS)
            transcript = (await client.get(f"/conversations/{world.conversation_id}/transcript")).json()
            roles = [line["role"] for line in transcript["lines"]]
            assert roles[0] == "customer"
            assert "bot" in roles
            current = (await client.get(f"/conversations/{world.conversation_id}")).json()
            assert current["step"] == "closed"


async def test_same_message_twice_gets_one_reply(
    world: Any, service: Callable[..., Any], settings: ConversationSettings
) -> None:
    async with service(settings) as _:
        await world.say(choice="menu:main", message_id="wamid.same")
        await world.wait_replies(1)
        # The connector (or Meta) delivers the same wamid again, as a different event.
        await world.say(choice="menu:main", message_id="wamid.same")
        await world.say(choice="menu:agent", message_id="wamid.next")
        await wait_until(lambda: world.facts(conv.HandoffRequested), timeout=30)
        replies = await world.wait_replies(2)  # the menu once, then the handoff message
        marks = [c for c in world.outbound() if c.WhichOneof("content") == "mark_read"]
        assert len(replies) == 2
        assert [m.mark_read.message_id for m in marks] == ["wamid.same", "wamid.next"]


async def test_restart_mid_flow_resumes_where_it_was(
    world: Any, service: Callable[..., Any], settings: ConversationSettings
) -> None:
    async with service(settings) as _:
        await world.say(choice="menu:promise")
        await world.wait_replies(1)
        await world.say(CPF)
        lookup = await world.wait_sgp_request()
    # The service is down while SGP answers and the customer writes.
    await world.answer_sgp(
        lookup, customer_found=sgp.CustomerFound(customer_id="c1", name="Maria", contracts=[CONTRACT])
    )
    async with service(settings) as _:
        confirm = (await world.wait_replies(2))[1]
        assert confirm.WhichOneof("content") == "buttons"
        assert [b.id for b in confirm.buttons.buttons] == ["promise:yes", "promise:no"]
        await world.say(choice="promise:yes")
        promise = await world.wait_sgp_request(2)
        assert promise.register_payment_promise.contract_id == "26515"
        await world.answer_sgp(
            promise,
            payment_promise=sgp.PaymentPromiseResult(
                contract_id="26515",
                outcome=sgp.PaymentPromiseResult.OUTCOME_GRANTED,
                days=3,
                until="2026-03-07",
                protocol="260304100000",
            ),
        )
        replies = await world.wait_replies(3)
        assert "07/03/2026" in _body(replies[2])
        assert "260304100000" in _body(replies[2])
        ids = [c.command_id for c in world.outbound()]
        assert len(ids) == len(set(ids))


async def test_stale_backlog_is_recorded_not_answered(
    world: Any, service: Callable[..., Any], settings: ConversationSettings, mongo_db: AsyncDatabase[dict[str, Any]]
) -> None:
    async with service(settings) as _:
        await world.say("oi, ainda sem internet", stale=True)
        await world.say(choice="menu:main")
        await world.wait_replies(1)
        assert len(world.replies()) == 1
        assert not world.nlu_requests()

        async def stale_line() -> dict[str, Any] | None:
            return await mongo_db["conversation_turns"].find_one({"stale": True})

        line = await wait_until(stale_line, timeout=15)
        # Customer text is personal data: a ciphertext at rest, bound to its line.
        assert line["text"].startswith("pii1:")
        assert development_keyring().decrypt_str(line["text"], purpose=f"conversation_turns:{line['_id']}.text") == (
            '"oi, ainda sem internet"'
        )


async def test_missing_nlu_answer_times_out_into_the_menu(
    world: Any, service: Callable[..., Any], settings: ConversationSettings
) -> None:
    quick = settings.model_copy(update={"nlu_timeout_seconds": 0.5})
    async with service(quick) as _:
        await world.say("quero ver uma coisa")
        await world.wait_nlu_request()
        reply = (await world.wait_replies(1))[0]
        assert reply.WhichOneof("content") == "list"
        assert "probleminha" in reply.list.body


async def test_agents_take_over_and_hand_back(
    world: Any, service: Callable[..., Any], settings: ConversationSettings, mongo_db: AsyncDatabase[dict[str, Any]]
) -> None:
    async with service(settings) as _:
        await world.say("quero falar com um atendente")
        await wait_until(lambda: world.facts(conv.HandoffRequested), timeout=30)
        handoff = world.facts(conv.HandoffRequested)[0]
        assert handoff.reason == "customer_request"
        assert handoff.within_business_hours
        assert handoff.last_message == "quero falar com um atendente"
        assert "transferir" in (await world.wait_replies(1))[0].text.body
        events_bus = world.bus
        cid = world.conversation_id
        await events_bus.publish(
            topics.CONVERSATION_EVENTS, conv.HandoffAccepted(conversation_id=cid, agent_id="a1"), key=cid
        )
        await events_bus.publish(
            topics.CONVERSATION_EVENTS,
            conv.AgentReplied(conversation_id=cid, agent_id="a1", text="Oi, sou a Ana"),
            key=cid,
        )
        await world.say("oi Ana, minha internet caiu")
        await world.say(choice="menu:bill")

        async def customer_lines() -> bool:
            return await mongo_db["conversation_turns"].count_documents({"role": "customer"}) >= 3

        # An agent releases after reading the customer (events and messages are different topics).
        await wait_until(customer_lines, timeout=30)
        await events_bus.publish(
            topics.CONVERSATION_EVENTS, conv.HandoffReleased(conversation_id=cid, agent_id="a1"), key=cid
        )
        replies = await world.wait_replies(2)
        assert replies[1].WhichOneof("content") == "buttons"
        assert "finalizado" in replies[1].buttons.body
        # While the agent had it, the bot said nothing and asked nobody.
        assert len(replies) == 2
        assert not world.nlu_requests()
        assert not world.sgp_requests()


async def test_delivery_status_lands_on_the_transcript_line(
    world: Any, service: Callable[..., Any], settings: ConversationSettings, mongo_db: AsyncDatabase[dict[str, Any]]
) -> None:
    async with service(settings) as _:
        await world.say(choice="menu:main")
        menu = (await world.wait_replies(1))[0]
        status = wa.MessageStatusChanged(
            conversation_id=world.conversation_id,
            message_id="wamid.out1",
            command_id=menu.command_id,
            status=wa.DELIVERY_STATUS_DELIVERED,
        )
        await world.bus.publish(topics.WHATSAPP_STATUS, status, key=world.conversation_id)

        async def delivered() -> dict[str, Any] | None:
            return await mongo_db["conversation_turns"].find_one({"_id": menu.command_id, "delivery": "delivered"})

        assert await wait_until(delivered, timeout=30)
