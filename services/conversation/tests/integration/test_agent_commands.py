"""Agents' console commands through the running conversation service: once per command id, beside the
bot's own SGP requests, and never confused with the console panel's SGP traffic."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from atende.conversation.v1 import conversation_pb2 as conv
from atende.sgp.v1 import sgp_pb2 as sgp
from atende_conversation.settings import ConversationSettings
from atende_core.bus import topics
from atende_core.crypto import blind_index
from atende_core.documents import cpf_with_check_digits
from atende_testing import wait_until

pytestmark = pytest.mark.integration

CPF = cpf_with_check_digits("529982247")
CONTRACTS = [
    sgp.Contract(contract_id="26515", status=sgp.CONTRACT_STATUS_ACTIVE, plan="Fibra 300"),
    sgp.Contract(contract_id="26516", status=sgp.CONTRACT_STATUS_SUSPENDED, plan="Fibra 500"),
]
INVOICE = sgp.Invoice(
    invoice_id="i9",
    contract_id="26516",
    due_date="2026-03-10",
    amount_cents=9990,
    pdf_url="http://sgp.test/boleto/i9.pdf",
    pix_code="00020126PIX",
)


async def _identified_with_agent(world: Any) -> None:
    await world.say(choice="menu:bill")
    await world.wait_replies(1)
    await world.say(CPF)
    lookup = await world.wait_sgp_request()
    await world.answer_sgp(
        lookup, customer_found=sgp.CustomerFound(customer_id="c1", name="MARIA", contracts=CONTRACTS)
    )
    await world.wait_replies(2)
    await world.say(choice="contract:26515")
    invoices = await world.wait_sgp_request(2)
    await world.answer_sgp(invoices, invoices=sgp.InvoiceList(contract_id="26515"))
    await world.wait_replies(3)
    await world.say(choice="menu:agent")
    await wait_until(lambda: world.facts(conv.HandoffRequested), timeout=30)
    cid = world.conversation_id
    await world.bus.publish(
        topics.CONVERSATION_EVENTS, conv.HandoffAccepted(conversation_id=cid, agent_id="a1"), key=cid
    )


async def test_an_agent_sends_the_bill_once_per_command(
    world: Any, service: Callable[..., Any], settings: ConversationSettings
) -> None:
    async with service(settings) as _:
        await _identified_with_agent(world)
        (identified,) = world.facts(conv.CustomerIdentified)
        assert identified.document_index == blind_index(CPF, b"integration-test-key")
        assert identified.customer_name == "MARIA"
        assert [k.status for k in identified.contracts] == ["active", "suspended"]
        cid = world.conversation_id
        command = conv.AgentActionRequested(
            command_id="cmd-bill-1", conversation_id=cid, agent_id="a1", send_bill=conv.SendBill(contract_id="26516")
        )
        # A click retried by the console: the same command id, twice.
        await world.bus.publish(topics.CONVERSATION_COMMANDS, command, key=cid, event_id="cmd-bill-1")
        await world.bus.publish(topics.CONVERSATION_COMMANDS, command, key=cid)
        request = await world.wait_sgp_request(3)
        assert request.list_open_invoices.contract_id == "26516"
        # The console panel's own SGP answers pass the conversation by.
        panel = sgp.SgpResult(request_id="console-x", conversation_id=cid, invoices=sgp.InvoiceList(invoices=[INVOICE]))
        await world.bus.publish(topics.SGP_RESULTS, panel, key=cid)
        before = len(world.replies())
        await world.answer_sgp(request, invoices=sgp.InvoiceList(contract_id="26516", invoices=[INVOICE]))
        await wait_until(lambda: world.facts(conv.AgentActionCompleted), timeout=30)
        (done,) = world.facts(conv.AgentActionCompleted)
        assert (done.command_id, done.action, done.outcome, done.agent_id) == ("cmd-bill-1", "send_bill", "done", "a1")
        replies = await world.wait_replies(before + 3)
        documents = [r for r in replies[before:] if r.WhichOneof("content") == "document"]
        assert [d.document.link for d in documents] == [INVOICE.pdf_url]
        assert len(world.sgp_requests()) == 3
        assert len(world.facts(conv.AgentActionCompleted)) == 1


async def test_a_command_for_an_unknown_conversation_is_invalid(
    world: Any, service: Callable[..., Any], settings: ConversationSettings
) -> None:
    async with service(settings) as _:
        command = conv.AgentActionRequested(
            command_id="cmd-x", conversation_id="nobody", agent_id="a1", close=conv.CloseConversation(reason="spam")
        )
        await world.bus.publish(topics.CONVERSATION_COMMANDS, command, key="nobody")
        await wait_until(lambda: world.facts(conv.AgentActionCompleted), timeout=30)
        (answer,) = world.facts(conv.AgentActionCompleted)
        assert (answer.command_id, answer.outcome, answer.conversation_id) == ("cmd-x", "invalid", "nobody")
