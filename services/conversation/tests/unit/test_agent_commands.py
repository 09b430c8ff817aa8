"""Agents' console commands: the bot's flows run for an agent, whatever the step, once per command id."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from atende_conversation.domain import choices as c
from atende_conversation.domain import effects as fx
from atende_conversation.domain.context import COMMAND_TIMER, Policy
from atende_conversation.domain.inputs import (
    AgentActionKind,
    CustomerFound,
    Invoices,
    OpenInvoice,
    PromiseOutcome,
    PromiseResult,
    SgpContract,
    SgpRejected,
    SgpUnavailable,
    TicketOpened,
)
from atende_conversation.domain.model import Step
from atende_core.crypto import blind_index
from atende_core.documents import cpf_with_check_digits

from .conftest import WEDNESDAY_10H, Dialogue

pytestmark = pytest.mark.unit

CPF = cpf_with_check_digits("529982247")
TWO_CONTRACTS = CustomerFound(
    "c1",
    "MARIA DA SILVA",
    "529.***",
    (SgpContract("26515", "active", "Fibra 300"), SgpContract("26516", "suspended", "Fibra 500")),
)
BILL = OpenInvoice("i1", "2026-03-10", 12990, "http://sgp/boleto/i1.pdf", "PIXCODE1")


def identified_with_agent(dialogue: Dialogue) -> None:
    """The customer identified (two contracts, the first chosen), asked for a person, an agent claimed."""
    dialogue.tap("menu:promise")
    dialogue.text(CPF)
    dialogue.sgp(TWO_CONTRACTS)
    dialogue.tap(f"{c.CONTRACT_PREFIX}26515")
    dialogue.tap(c.MENU_AGENT)
    dialogue.agent(AgentActionKind.ACCEPTED)
    assert dialogue.step is Step.WITH_AGENT


def completed(dialogue: Dialogue) -> fx.ActionCompleted:
    (fact,) = [f for f in dialogue.facts() if isinstance(f, fx.ActionCompleted)]
    return fact


def test_send_bill_while_an_agent_holds_the_conversation(dialogue: Dialogue) -> None:
    identified_with_agent(dialogue)
    dialogue.command("send_bill", contract_id="26516")
    (request,) = dialogue.effects_of(fx.RequestSgp)
    assert (request.op.name, request.op.contract_id) == ("list_open_invoices", "26516")
    assert dialogue.sends() == []
    assert dialogue.step is Step.WITH_AGENT

    dialogue.sgp_for_command(Invoices((BILL,)))
    document, summary, pix = dialogue.sends()
    assert isinstance(document, fx.SendDocument)
    assert document.link == BILL.pdf_url
    assert "10/03/2026" in fx.text_of(summary)
    assert fx.text_of(pix) == "PIXCODE1"
    fact = completed(dialogue)
    assert (fact.command_id, fact.agent_id, fact.action, fact.outcome) == ("cmd-1", "agent-7", "send_bill", "done")
    assert "26516" in fact.detail
    assert "R$ 129,90" in fact.detail
    # The bot does not take the conversation back: no "anything else?", and it stays quiet.
    assert dialogue.step is Step.WITH_AGENT
    assert dialogue.state.agent_task is None
    dialogue.text("obrigada")
    assert dialogue.sends() == []


def test_a_command_runs_beside_the_bots_own_request(dialogue: Dialogue) -> None:
    dialogue.tap("menu:bill")
    dialogue.text(CPF)
    dialogue.sgp(TWO_CONTRACTS)
    dialogue.tap(f"{c.CONTRACT_PREFIX}26515")
    assert dialogue.step is Step.FETCHING_INVOICES
    bots_request = dialogue.state.pending
    dialogue.command("register_promise", contract_id="26516")
    assert dialogue.state.pending == bots_request
    dialogue.sgp_for_command(PromiseResult(PromiseOutcome.GRANTED, until="2026-03-09", days=5, protocol="P-77"))
    assert "09/03/2026" in dialogue.said()
    assert completed(dialogue).outcome == "done"
    assert "P-77" in completed(dialogue).detail
    # The bot's own answer still lands where it waits.
    assert dialogue.step is Step.FETCHING_INVOICES
    dialogue.sgp(Invoices((BILL,)))
    assert dialogue.step is Step.ANYTHING_ELSE


def test_the_contract_defaults_to_the_one_chosen_in_the_dialogue(dialogue: Dialogue) -> None:
    identified_with_agent(dialogue)
    dialogue.command("register_promise")
    (request,) = dialogue.effects_of(fx.RequestSgp)
    assert (request.op.name, request.op.contract_id) == ("register_payment_promise", "26515")


@pytest.mark.parametrize(
    ("outcome", "words"),
    [
        (PromiseOutcome.QUOTA_REACHED, "já foi usado"),
        (PromiseOutcome.NOT_BLOCKED, "não está bloqueada"),
        (PromiseOutcome.NOT_ELIGIBLE, "status do contrato"),
    ],
)
def test_a_refused_promise_goes_to_the_agent_only(dialogue: Dialogue, outcome: PromiseOutcome, words: str) -> None:
    identified_with_agent(dialogue)
    dialogue.command("register_promise", contract_id="26515")
    dialogue.sgp_for_command(PromiseResult(outcome))
    assert dialogue.sends() == []
    fact = completed(dialogue)
    assert fact.outcome == "rejected"
    assert words in fact.detail


def test_open_ticket_gives_the_customer_the_protocol(dialogue: Dialogue) -> None:
    identified_with_agent(dialogue)
    dialogue.command("open_ticket", contract_id="26515", ticket_kind="technician_visit", description="Trocar ONU")
    (request,) = dialogue.effects_of(fx.RequestSgp)
    op = request.op
    assert (op.name, op.ticket_kind, op.description, op.contact_name) == (
        "open_ticket",
        "technician_visit",
        "Trocar ONU",
        "MARIA DA SILVA",
    )
    assert op.contact_phone == "5511987654321"
    dialogue.sgp_for_command(TicketOpened("2026-0042"))
    assert "2026-0042" in dialogue.said()
    assert completed(dialogue).outcome == "done"
    assert "2026-0042" in completed(dialogue).detail


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [(SgpUnavailable("breaker_open"), "unavailable"), (SgpRejected("unknown_contract"), "rejected")],
)
def test_sgp_trouble_goes_to_the_agent(dialogue: Dialogue, answer: Any, outcome: str) -> None:
    identified_with_agent(dialogue)
    dialogue.command("send_bill", contract_id="26515")
    dialogue.sgp_for_command(answer)
    assert dialogue.sends() == []
    assert completed(dialogue).outcome == outcome
    assert dialogue.step is Step.WITH_AGENT


def test_no_sgp_answer_in_time_is_unavailable(dialogue: Dialogue) -> None:
    identified_with_agent(dialogue)
    dialogue.command("send_bill", contract_id="26515")
    dialogue.fire(COMMAND_TIMER)
    fact = completed(dialogue)
    assert fact.outcome == "unavailable"
    assert "20 s" in fact.detail
    assert dialogue.state.agent_task is None
    assert dialogue.step is Step.WITH_AGENT


def test_a_handoff_meanwhile_keeps_the_commands_timer(dialogue: Dialogue) -> None:
    dialogue.tap("menu:promise")
    dialogue.text(CPF)
    dialogue.sgp(TWO_CONTRACTS)
    dialogue.tap(f"{c.CONTRACT_PREFIX}26515")
    dialogue.command("send_bill", contract_id="26515")
    dialogue.tap(c.MENU_AGENT)
    dialogue.agent(AgentActionKind.ACCEPTED)
    assert list(dialogue.state.timers) == [COMMAND_TIMER]
    dialogue.fire(COMMAND_TIMER)
    assert completed(dialogue).outcome == "unavailable"


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"action": "send_bill", "contract_id": "99999"}, "não é deste cliente"),
        ({"action": "open_ticket", "contract_id": "26515", "ticket_kind": "pizza"}, "Tipo de chamado"),
        ({"action": "reboot_router"}, "desconhecida"),
        ({"action": ""}, "desconhecida"),
        ({"action": "close", "reason": "tired"}, "Motivo"),
    ],
)
def test_invalid_commands_are_answered_without_sgp(dialogue: Dialogue, fields: dict[str, str], words: str) -> None:
    identified_with_agent(dialogue)
    dialogue.command(**fields)
    assert dialogue.effects_of(fx.RequestSgp) == []
    assert dialogue.sends() == []
    fact = completed(dialogue)
    assert fact.outcome == "invalid"
    assert words in fact.detail
    assert dialogue.step is Step.WITH_AGENT


def test_a_customer_not_identified_yet_cannot_be_served(dialogue: Dialogue) -> None:
    dialogue.tap(c.MENU_AGENT)
    dialogue.agent(AgentActionKind.ACCEPTED)
    dialogue.command("send_bill", contract_id="26515")
    assert completed(dialogue).outcome == "invalid"
    assert "identificado" in completed(dialogue).detail


def test_one_command_at_a_time(dialogue: Dialogue) -> None:
    identified_with_agent(dialogue)
    dialogue.command("send_bill", contract_id="26515")
    dialogue.command("register_promise", command_id="cmd-2", contract_id="26515")
    fact = completed(dialogue)
    assert (fact.command_id, fact.outcome) == ("cmd-2", "invalid")
    assert dialogue.state.agent_task is not None
    assert dialogue.state.agent_task.command_id == "cmd-1"


def test_the_same_command_id_acts_once(dialogue: Dialogue) -> None:
    identified_with_agent(dialogue)
    dialogue.command("send_bill", contract_id="26515")
    again = dialogue.command("send_bill", contract_id="26515")
    assert again.duplicate
    assert again.effects == ()


def test_close_solved_asks_the_survey_then_closes_with_reason_and_agent(dialogue: Dialogue) -> None:
    identified_with_agent(dialogue)
    dialogue.command("close", reason="solved")
    assert dialogue.step is Step.CSAT
    assert "avalia" in dialogue.said()
    assert completed(dialogue).outcome == "done"
    assert not [f for f in dialogue.facts() if isinstance(f, fx.ConversationClosed)]
    dialogue.tap(f"{c.CSAT_PREFIX}5")
    closed = next(f for f in dialogue.facts() if isinstance(f, fx.ConversationClosed))
    assert (closed.outcome, closed.reason, closed.agent_id) == ("closed_by_agent", "solved", "agent-7")
    assert dialogue.step is Step.CLOSED


def test_an_unanswered_survey_after_an_agents_close_still_says_who_closed(dialogue: Dialogue) -> None:
    identified_with_agent(dialogue)
    dialogue.command("close", reason="other")
    dialogue.later(seconds=dialogue.policy.idle_warn_seconds + 1)
    dialogue.fire("idle")
    closed = next(f for f in dialogue.facts() if isinstance(f, fx.ConversationClosed))
    assert (closed.outcome, closed.reason, closed.agent_id) == ("closed_by_agent", "other", "agent-7")


@pytest.mark.parametrize(("reason", "goodbye"), [("no_answer", True), ("spam", False), ("duplicate", False)])
def test_close_without_survey(dialogue: Dialogue, reason: str, goodbye: bool) -> None:
    identified_with_agent(dialogue)
    dialogue.command("close", reason=reason)
    closed = next(f for f in dialogue.facts() if isinstance(f, fx.ConversationClosed))
    assert (closed.outcome, closed.reason, closed.agent_id) == ("closed_by_agent", reason, "agent-7")
    assert completed(dialogue).outcome == "done"
    assert dialogue.step is Step.CLOSED
    assert bool(dialogue.sends()) is goodbye
    assert "avalia" not in dialogue.said()
    dialogue.command("close", command_id="cmd-2", reason=reason)
    assert completed(dialogue).outcome == "invalid"


def test_closing_while_a_command_waits_tells_the_agent(dialogue: Dialogue) -> None:
    identified_with_agent(dialogue)
    dialogue.command("send_bill", contract_id="26515")
    dialogue.command("close", command_id="cmd-2", reason="spam")
    outcomes = {f.command_id: f.outcome for f in dialogue.facts() if isinstance(f, fx.ActionCompleted)}
    assert outcomes == {"cmd-1": "invalid", "cmd-2": "done"}
    assert [e.kind for e in dialogue.effects_of(fx.CancelTimer)].count(COMMAND_TIMER) == 1


def test_identification_carries_name_contracts_and_the_blind_index(policy: Policy) -> None:
    key = b"unit-index-key"
    keyed = Dialogue(replace(policy, document_index=lambda document: blind_index(document, key)), WEDNESDAY_10H)
    keyed.tap("menu:bill")
    keyed.text(CPF)
    keyed.sgp(TWO_CONTRACTS)
    keyed.tap(f"{c.CONTRACT_PREFIX}26516")
    (fact,) = keyed.facts()
    assert isinstance(fact, fx.CustomerIdentified)
    assert fact.document_index == blind_index(CPF, key)
    assert fact.customer_name == "MARIA DA SILVA"
    assert [k.contract_id for k in fact.contracts] == ["26515", "26516"]
    assert CPF not in repr(keyed.state)
