"""State serialization, replay determinism, the transition table's shape, and the protobuf mapping."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from atende.conversation.v1 import conversation_pb2 as conv
from atende.nlu.v1 import nlu_pb2 as nlu
from atende.sgp.v1 import sgp_pb2 as sgp
from atende.whatsapp.v1 import whatsapp_pb2 as wa
from atende_conversation.adapters import events as ev
from atende_conversation.domain import effects as fx
from atende_conversation.domain import inputs as i
from atende_conversation.domain.codec import state_from_dict, state_to_dict
from atende_conversation.domain.machine import ACTIVE, TRANSITIONS, step
from atende_conversation.domain.model import ContractInfo, SgpOp, Step, Turn
from atende_conversation.engine import Keyer, TimerMember
from atende_conversation.outbox import AddTimer, Publish, RemoveTimer, UpdateSession, WriteTurn, from_json, to_json
from atende_core.documents import cpf_with_check_digits

pytestmark = pytest.mark.unit

CPF = cpf_with_check_digits("529982247")


def test_state_survives_serialization_mid_flow(dialogue: Any) -> None:
    found = i.CustomerFound("c1", "Maria", "", (i.SgpContract("1", "active", "P", "A"), i.SgpContract("2")))
    dialogue.tap("menu:bill")
    dialogue.text(CPF)
    dialogue.sgp(found)
    dialogue.text("quero falar sobre o contrato da praia")
    assert dialogue.state.pending is not None
    assert dialogue.state.customer is not None
    assert dialogue.state.timers
    restored = state_from_dict(state_to_dict(dialogue.state))
    assert restored == dialogue.state
    # And the restored state carries on like the original (a restart mid-flow resumes).
    dialogue.state = restored
    dialogue.nlu("segunda_via")
    assert dialogue.step is Step.CHOOSE_CONTRACT


def test_a_failed_sgp_request_with_its_retry_survives_serialization(dialogue: Any) -> None:
    dialogue.tap("menu:bill")
    dialogue.text(CPF)
    dialogue.sgp(i.SgpUnavailable())
    restored = state_from_dict(state_to_dict(dialogue.state))
    assert restored.retry_op == SgpOp(name="lookup_customer", document=CPF)
    assert restored.retry_step is Step.LOOKING_UP


def test_the_same_input_on_the_same_state_gives_the_same_effects(dialogue: Any) -> None:
    dialogue.tap("menu:bill")
    message = dialogue.message(text=CPF)
    first = step(dialogue.state, message, now=dialogue.now, input_id="wamid.r", policy=dialogue.policy)
    again = step(dialogue.state, message, now=dialogue.now, input_id="wamid.r", policy=dialogue.policy)
    assert first.effects == again.effects  # request ids and timer tokens are derived, not random
    other = step(dialogue.state, message, now=dialogue.now, input_id="wamid.s", policy=dialogue.policy)
    assert other.effects != first.effects


def test_every_active_step_has_a_way_out() -> None:
    # Asking for a person, the main menu and the timers work in every step where the bot leads.
    for signal in ("agent_request", "choice:menu:agent", "choice:menu:main", "timeout:idle", "timeout:close"):
        covered = set().union(*(row.steps for row in TRANSITIONS if row.signal == signal))
        assert covered >= ACTIVE, signal


def test_inbound_messages_are_normalized() -> None:
    message = conv.InboundMessage(
        conversation_id="p:w", message_id="wamid.1", phone_number_id="p", wa_id="w", profile_name="Ana", stale=True
    )
    message.interactive_reply.CopyFrom(
        conv.InteractiveReply(kind=conv.InteractiveReply.KIND_LIST, id="csat:5", title="5")
    )
    got = ev.customer_message(message)
    assert got == i.CustomerMessage("wamid.1", i.MessageKind.CHOICE, "5", "csat:5", True, "Ana", "p", "w")

    template = conv.InboundMessage(message_id="m", wa_id="w")
    setattr(template, "from", "5511")
    template.template_button.CopyFrom(conv.TemplateButtonReply(payload="menu:bill", text="Ver 2ª via"))
    assert ev.customer_message(template).choice_id == "menu:bill"
    assert ev.customer_message(template).reply_to == "5511"

    audio = conv.InboundMessage(message_id="m")
    audio.media.CopyFrom(conv.MediaContent(kind=conv.MediaContent.KIND_AUDIO, voice=True))
    assert ev.customer_message(audio).kind is i.MessageKind.MEDIA
    location = conv.InboundMessage(message_id="m")
    location.location.CopyFrom(conv.LocationContent(latitude=1.0))
    assert ev.customer_message(location).kind is i.MessageKind.MEDIA
    reaction = conv.InboundMessage(message_id="m")
    reaction.reaction.CopyFrom(conv.ReactionContent(message_id="x", emoji="👍"))
    assert ev.customer_message(reaction).kind is i.MessageKind.REACTION


def test_nlu_and_sgp_answers_are_mapped() -> None:
    analyzed = nlu.TextAnalyzed(
        request_id="r",
        intent="segunda_via",
        confidence=0.8,
        sentiment="negativo",
        sentiment_score=0.9,
        entities=[nlu.Entity(type="cpf", value=CPF, valid=True)],
        sentiment_intensity=0.7,
    )
    expected = i.NluAnswer("r", "segunda_via", 0.8, "negativo", 0.9, (i.Entity("cpf", CPF),), 0.7)
    assert ev.nlu_answer(analyzed) == expected

    found = sgp.SgpResult(request_id="r")
    found.customer_found.CopyFrom(
        sgp.CustomerFound(
            customer_id="c", name="N", contracts=[sgp.Contract(contract_id="1", status=sgp.CONTRACT_STATUS_SUSPENDED)]
        )
    )
    answer = ev.sgp_answer(found)
    assert answer is not None
    assert answer.outcome == i.CustomerFound("c", "N", "", (i.SgpContract("1", "suspended"),))

    promise = sgp.SgpResult(request_id="r")
    promise.payment_promise.CopyFrom(
        sgp.PaymentPromiseResult(outcome=sgp.PaymentPromiseResult.OUTCOME_QUOTA_REACHED, message="SGP says no")
    )
    assert ev.sgp_answer(promise).outcome == i.PromiseResult(i.PromiseOutcome.QUOTA_REACHED)  # type: ignore[union-attr]

    connection = sgp.SgpResult(request_id="r")
    connection.connection.CopyFrom(
        sgp.ConnectionReport(state=sgp.ConnectionReport.STATE_BLOCKED, outages=[sgp.Outage(title="Manutenção")])
    )
    outcome = ev.sgp_answer(connection).outcome  # type: ignore[union-attr]
    assert outcome == i.ConnectionStatus(i.LinkState.BLOCKED, (i.OutageInfo("Manutenção"),))

    campaign = sgp.SgpResult(request_id="r")
    campaign.due_invoices.CopyFrom(sgp.DueInvoices(total=0))
    assert ev.sgp_answer(campaign) is None


def test_effects_become_connector_commands() -> None:
    buttons = ev.send_message(
        fx.SendButtons("Quer?", (fx.Button("promise:yes", "Sim"),)),
        command_id="c1",
        conversation_id="p:w",
        phone_number_id="p",
        to="w",
    )
    assert buttons.buttons.buttons[0].id == "promise:yes"
    assert (buttons.command_id, buttons.to, buttons.phone_number_id) == ("c1", "w", "p")
    listing = ev.send_message(
        fx.SendList("b", "Ver", (fx.Row("r1", "T", "D"),), "S"),
        command_id="c",
        conversation_id="",
        phone_number_id="",
        to="",
    )
    assert listing.list.sections[0].rows[0].description == "D"
    assert listing.list.button == "Ver"
    document = ev.send_message(
        fx.SendDocument("http://pdf", "f.pdf", "cap"), command_id="c", conversation_id="", phone_number_id="", to=""
    )
    assert document.document == wa.Media(link="http://pdf", filename="f.pdf", caption="cap")
    mark = ev.send_message(fx.MarkRead("wamid.1"), command_id="c", conversation_id="", phone_number_id="", to="")
    assert mark.mark_read.typing_indicator

    ticket = ev.sgp_request(
        fx.RequestSgp("r", SgpOp("open_ticket", contract_id="1", ticket_kind="slow_connection", contact_phone="55")),
        conversation_id="p:w",
    )
    assert ticket.open_ticket.kind == "slow_connection"
    assert ticket.conversation_id == "p:w"
    with pytest.raises(ValueError, match="unknown SGP operation"):
        ev.sgp_request(fx.RequestSgp("r", SgpOp("teleport")), conversation_id="")

    request = ev.analyze_text(fx.RequestNlu("r", "oi", (Turn("bot", "Olá"),), "wamid.1"), conversation_id="p:w")
    assert request.context[0].role == "bot"

    at = datetime(2026, 3, 4, 13, tzinfo=UTC)
    handoff = ev.fact_event(
        fx.HandoffRequested("customer_request", False, "Ana", "oi"),
        conversation_id="c_x",
        at=at,
        phone_number_id="p",
        wa_id="5511",
    )
    assert isinstance(handoff, conv.HandoffRequested)
    assert not handoff.within_business_hours
    # The id is pseudonymous: where an agent's reply goes travels with the request.
    assert (handoff.phone_number_id, handoff.wa_id) == ("p", "5511")
    started = ev.fact_event(
        fx.ConversationStarted("s1"), conversation_id="c_x", at=at, phone_number_id="p", wa_id="5511"
    )
    assert isinstance(started, conv.ConversationStarted)
    assert (started.conversation_id, started.wa_id) == ("c_x", "5511")
    assert handoff.occurred_at.ToDatetime(tzinfo=UTC) == at
    closed = ev.fact_event(fx.ConversationClosed("resolved", ("segunda_via",)), conversation_id="p:w", at=at)
    assert list(closed.intents) == ["segunda_via"]


def test_agent_events_are_mapped_and_other_facts_skipped() -> None:
    assert ev.agent_action(conv.HandoffAccepted(agent_id="a")) == i.AgentAction(i.AgentActionKind.ACCEPTED, "a")
    assert ev.agent_action(conv.AgentReplied(agent_id="a", text="oi")).text == "oi"  # type: ignore[union-attr]
    assert ev.agent_action(conv.HandoffReleased(agent_id="a")).kind is i.AgentActionKind.RELEASED  # type: ignore[union-attr]
    assert ev.agent_action(conv.ConversationStarted()) is None


def test_agent_commands_are_mapped_from_the_console() -> None:
    base = {"command_id": "k1", "conversation_id": "p:w", "agent_id": "a"}
    bill = ev.agent_command(conv.AgentActionRequested(**base, send_bill=conv.SendBill(contract_id="7")))
    assert bill == i.AgentCommand("k1", "a", "send_bill", contract_id="7")
    ticket = conv.OpenTicketForCustomer(contract_id="7", kind="other", description="ver sinal")
    mapped = ev.agent_command(conv.AgentActionRequested(**base, open_ticket=ticket))
    assert (mapped.action, mapped.ticket_kind, mapped.description) == ("open_ticket", "other", "ver sinal")
    close = ev.agent_command(conv.AgentActionRequested(**base, close=conv.CloseConversation(reason="spam")))
    assert (close.action, close.reason) == ("close", "spam")
    promise = conv.AgentActionRequested(**base, register_promise=conv.RegisterPromise(contract_id="7"))
    assert ev.agent_command(promise).action == "register_promise"
    assert ev.agent_command(conv.AgentActionRequested(**base)).action == ""


def test_agents_facts_become_events() -> None:
    at = datetime(2026, 3, 4, 13, 0, tzinfo=UTC)
    done = fx.ActionCompleted("k1", "a", "send_bill", "done", "Enviada 1 fatura")
    event = ev.fact_event(done, conversation_id="p:w", at=at)
    assert isinstance(event, conv.AgentActionCompleted)
    assert (event.command_id, event.agent_id, event.outcome, event.detail) == ("k1", "a", "done", "Enviada 1 fatura")
    closed = ev.fact_event(
        fx.ConversationClosed("closed_by_agent", (), reason="spam", agent_id="a"), conversation_id="p:w", at=at
    )
    assert (closed.reason, closed.agent_id) == ("spam", "a")  # type: ignore[attr-defined]
    contract = ContractInfo("7", "suspended", "Fibra 500")
    who = fx.CustomerIdentified("c1", "7", "***", customer_name="Maria", document_index="ab12", contracts=(contract,))
    identified = ev.fact_event(who, conversation_id="p:w", at=at)
    assert isinstance(identified, conv.CustomerIdentified)
    assert (identified.customer_name, identified.document_index) == ("Maria", "ab12")
    assert [(k.contract_id, k.status, k.plan) for k in identified.contracts] == [("7", "suspended", "Fibra 500")]


def test_a_command_in_flight_survives_serialization(dialogue: Any) -> None:
    found = i.CustomerFound("c1", "Maria", "", (i.SgpContract("1", "active", "P", "A"),))
    dialogue.tap("menu:bill")
    dialogue.text(CPF)
    dialogue.sgp(found)
    dialogue.command("send_bill", contract_id="1")
    dialogue.command("close", command_id="k2", reason="other")
    assert dialogue.state.agent_task is not None
    assert dialogue.state.closed_by == "agent-7"
    assert state_from_dict(state_to_dict(dialogue.state)) == dialogue.state


def test_derived_ids_are_stable_and_distinct() -> None:
    assert ev.derived_id("c", "wamid.1", 0) == ev.derived_id("c", "wamid.1", 0)
    assert len({ev.derived_id("c", "wamid.1", n) for n in range(5)}) == 5
    assert ev.derived_id("c", "wamid.1", 0) != ev.derived_id("d", "wamid.1", 0)


def test_outbox_items_round_trip_through_json() -> None:
    items = [
        Publish("t", "atende.x", b"\x00\xff", "k", "id"),
        AddTimer("m", 1.5),
        RemoveTimer("m"),
        WriteTurn({"_id": "x", "at": "2026-03-04T10:00:00"}),
        UpdateSession("s", {"csat": 5}, {"conversation_key": "k"}),
    ]
    assert [from_json(to_json(item)) for item in items] == items
    with pytest.raises(ValueError, match="unknown outbox item"):
        from_json({"t": "?"})


def test_timer_members_and_conversation_keys() -> None:
    member = TimerMember("123:5511|odd", "idle", "tok")
    assert TimerMember.decode(member.encode()) == member
    key = Keyer("secret")
    assert key("123:5511") == key("123:5511")
    assert key("123:5511") != Keyer("other")("123:5511")
    assert "5511" not in key("123:5511")
