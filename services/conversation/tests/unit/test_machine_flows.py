"""Every flow of the state machine, happy and unhappy, as a customer would live it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from atende_conversation.domain import effects as fx
from atende_conversation.domain.inputs import (
    AgentActionKind,
    ConnectionStatus,
    CustomerFound,
    CustomerNotFound,
    Entity,
    Invoices,
    LinkState,
    MessageKind,
    OpenInvoice,
    OutageInfo,
    PromiseOutcome,
    PromiseResult,
    SgpContract,
    SgpRejected,
    SgpUnavailable,
    TicketOpened,
)
from atende_conversation.domain.model import ContractInfo, Goal, Step
from atende_core.documents import cpf_with_check_digits

pytestmark = pytest.mark.unit

CPF = cpf_with_check_digits("529982247")  # 52998224725
CPF_MASKED = "***.982.247-**"
ONE_CONTRACT = CustomerFound("c1", "MARIA DA SILVA", "529.***", (SgpContract("26515", "active", "Fibra 300"),))


def identified(dialogue: Any, goal_choice: str, found: CustomerFound = ONE_CONTRACT) -> None:
    """Open a session, choose a flow, give a valid CPF, SGP finds one contract."""
    dialogue.tap(goal_choice)
    dialogue.text(CPF)
    dialogue.sgp(found)


def invoice(day: int, cents: int = 9990, **extra: Any) -> OpenInvoice:
    """An open invoice due on day `day` of March 2026."""
    return OpenInvoice(f"i{day}", f"2026-03-{day:02d}", cents, f"http://sgp/boleto/{day}.pdf", f"PIX{day}", **extra)


# --- greeting and menu ----------------------------------------------------------------------------


def test_greeting_asks_the_nlu_then_shows_the_menu(dialogue: Any) -> None:
    outcome = dialogue.text("opa, bom dia")
    assert dialogue.step is Step.MENU
    mark, started, request, timer = outcome.effects
    assert isinstance(mark, fx.MarkRead)
    assert mark.typing_indicator
    assert isinstance(started, fx.Emit)
    assert isinstance(started.fact, fx.ConversationStarted)
    assert isinstance(request, fx.RequestNlu)
    assert request.text == "opa, bom dia"
    assert request.context == ()
    assert isinstance(timer, fx.ScheduleTimer)
    assert timer.kind == "reply"
    assert timer.delay_seconds == 8.0

    dialogue.nlu("saudacao")
    (menu,) = dialogue.sends()
    assert isinstance(menu, fx.SendList)
    assert menu.body.startswith("Olá, Maria! 👋 Sou o assistente virtual da Fibra Teste.")
    assert dialogue.button_ids() == [
        "menu:bill",
        "menu:promise",
        "menu:no_connection",
        "menu:slow",
        "menu:visit",
        "menu:agent",
    ]
    assert dialogue.state.timers.keys() == {"idle"}  # the reply timer was cancelled, the idle one set


def test_the_greeting_is_said_once_per_session(dialogue: Any) -> None:
    dialogue.tap("menu:main")
    assert "Olá" in dialogue.said()
    dialogue.tap("menu:main")
    assert "Olá" not in dialogue.said()


def test_later_texts_carry_the_last_turns_as_context(dialogue: Any) -> None:
    dialogue.text("oi")
    dialogue.nlu("saudacao")
    dialogue.text(f"meu cpf é {CPF} e quero a fatura")
    request = dialogue.effects_of(fx.RequestNlu)[0]
    assert request.context[0] == ("customer", "oi") or request.context[0].text == "oi"
    assert request.context[1].role == "bot"
    assert "Olá" in request.context[1].text
    # The NLU gets the text as typed (it finds the CPF); what is kept as context is masked.
    assert CPF in request.text
    assert CPF not in repr(dialogue.state.turns)


def test_media_and_old_buttons_bring_the_menu_back(dialogue: Any) -> None:
    dialogue.tap("menu:main")
    dialogue.feed(dialogue.message(kind=MessageKind.MEDIA))
    assert "só consigo ler mensagens de texto" in dialogue.said()
    dialogue.tap("check:ok")
    assert "não vale mais" in dialogue.said()
    assert dialogue.step is Step.MENU


def test_reactions_and_stale_messages_get_no_answer(dialogue: Any) -> None:
    dialogue.feed(dialogue.message(kind=MessageKind.REACTION))
    assert dialogue.last.effects == ()
    outcome = dialogue.text("ainda ta sem internet aqui??", stale=True)
    assert outcome.effects == ()
    assert outcome.signal == "stale"
    assert dialogue.step is Step.START


def test_the_same_input_twice_is_handled_once(dialogue: Any) -> None:
    message = dialogue.message(kind=MessageKind.CHOICE, choice_id="menu:main")
    first = dialogue.feed(message, input_id="wamid.X")
    again = dialogue.feed(message, input_id="wamid.X")
    assert first.effects
    assert again.duplicate
    assert again.effects == ()
    assert again.state == first.state


# --- identification -------------------------------------------------------------------------------


def test_identification_by_cpf_with_one_contract_goes_straight_on(dialogue: Any) -> None:
    dialogue.tap("menu:bill")
    assert dialogue.step is Step.AWAIT_DOCUMENT
    assert "CPF" in dialogue.said()
    dialogue.text(f"{CPF[:3]}.{CPF[3:6]}.{CPF[6:9]}-{CPF[9:]}")
    (request,) = dialogue.effects_of(fx.RequestSgp)
    assert request.op.name == "lookup_customer"
    assert request.op.document == CPF
    assert dialogue.step is Step.LOOKING_UP
    dialogue.sgp(ONE_CONTRACT)
    (fact,) = dialogue.facts()
    contract = ContractInfo("26515", "active", "Fibra 300")
    assert fact == fx.CustomerIdentified(
        "c1", "26515", CPF_MASKED, customer_name="MARIA DA SILVA", contracts=(contract,)
    )
    assert f"Pronto, Maria! Encontrei seu cadastro ({CPF_MASKED})." in dialogue.said()
    assert dialogue.step is Step.FETCHING_INVOICES
    # The document in clear lived only in the request; the state keeps the mask.
    assert CPF not in repr(dialogue.state)


def test_an_invalid_cpf_three_times_hands_over(dialogue: Any) -> None:
    dialogue.tap("menu:bill")
    dialogue.text("123.456.789-00")
    assert "mais 2 tentativas" in dialogue.said()
    dialogue.text("meu cpf e 1234")
    assert "mais 1 tentativa)" in dialogue.said()
    dialogue.text("11111111111")
    assert dialogue.step is Step.HANDOFF_QUEUED
    (fact,) = dialogue.facts()
    assert isinstance(fact, fx.HandoffRequested)
    assert fact.reason == "identification_failed"
    assert "Não consegui confirmar seu cadastro." in dialogue.said()
    assert not dialogue.effects_of(fx.RequestSgp)


def test_customer_not_found_asks_again_then_hands_over(dialogue: Any) -> None:
    dialogue.tap("menu:bill")
    for attempt in range(3):
        dialogue.text(CPF)
        dialogue.sgp(CustomerNotFound())
        if attempt < 2:
            assert dialogue.step is Step.AWAIT_DOCUMENT
            assert f"Não encontrei cadastro com o documento {CPF_MASKED}" in dialogue.said()
            assert dialogue.button_ids() == ["menu:agent"]
    assert dialogue.step is Step.HANDOFF_QUEUED
    assert dialogue.facts()[0].reason == "customer_not_found"


def test_a_cnpj_is_accepted_too(dialogue: Any) -> None:
    from atende_core.documents import cnpj_with_check_digits

    dialogue.tap("menu:bill")
    dialogue.text(cnpj_with_check_digits("112223330001"))
    assert dialogue.effects_of(fx.RequestSgp)[0].op.document == cnpj_with_check_digits("112223330001")


@pytest.mark.parametrize("typed", ["12.ABC.345/01DE-35", "12.abc.345/01de-35", "cnpj 12ABC34501DE35"])
def test_an_alphanumeric_cnpj_is_accepted_with_its_letters(dialogue: Any, typed: str) -> None:
    dialogue.tap("menu:bill")
    dialogue.text(typed)
    assert dialogue.effects_of(fx.RequestSgp)[0].op.document == "12ABC34501DE35"


def test_an_alphanumeric_cnpj_with_wrong_check_digits_is_asked_again(dialogue: Any) -> None:
    dialogue.tap("menu:bill")
    dialogue.text("12.ABC.345/01DE-36")
    assert not dialogue.effects_of(fx.RequestSgp)
    assert dialogue.step is Step.AWAIT_DOCUMENT


def test_an_alphanumeric_cnpj_found_by_the_nlu_skips_the_question(dialogue: Any) -> None:
    dialogue.text("2 via da empresa 12.ABC.345/01DE-35")
    dialogue.nlu("segunda_via", entities=(Entity("cnpj", "12ABC34501DE35"),))
    assert dialogue.effects_of(fx.RequestSgp)[0].op.document == "12ABC34501DE35"


def test_a_cpf_found_by_the_nlu_skips_the_question(dialogue: Any) -> None:
    dialogue.text(f"2 via da conta cpf {CPF}")
    dialogue.nlu("segunda_via", entities=(Entity("cpf", CPF),))
    (request,) = dialogue.effects_of(fx.RequestSgp)
    assert request.op.document == CPF
    assert dialogue.step is Step.LOOKING_UP


def test_several_contracts_are_listed_and_chosen(dialogue: Any) -> None:
    found = CustomerFound(
        "c1",
        "Maria",
        "",
        (SgpContract("100", "active", "Fibra 300", "Rua das Flores, 10"), SgpContract("200", "suspended", "Fibra 100")),
    )
    dialogue.tap("menu:bill")
    dialogue.text(CPF)
    dialogue.sgp(found)
    assert dialogue.step is Step.CHOOSE_CONTRACT
    (listing,) = [s for s in dialogue.sends() if isinstance(s, fx.SendList)]
    assert [r.id for r in listing.rows] == ["contract:100", "contract:200"]
    assert listing.rows[0].description == "Fibra 300 · Ativo · Rua das Flores, 10"
    assert listing.rows[1].description == "Fibra 100 · Suspenso"
    dialogue.tap("contract:200")
    assert dialogue.facts()[0].contract_id == "200"
    assert dialogue.effects_of(fx.RequestSgp)[0].op.contract_id == "200"


def test_a_contract_can_be_chosen_by_typing_its_number(dialogue: Any) -> None:
    found = CustomerFound("c1", "Maria", "", (SgpContract("100"), SgpContract("200"), SgpContract("300")))
    identified(dialogue, "menu:bill", found)
    dialogue.text("2")
    assert dialogue.state.contract_id == "200"
    dialogue.tap("menu:slow")  # the contract is remembered for the conversation
    assert dialogue.effects_of(fx.RequestSgp)[0].op.contract_id == "200"


def test_many_contracts_are_paged(dialogue: Any) -> None:
    found = CustomerFound("c1", "Maria", "", tuple(SgpContract(str(1000 + n)) for n in range(12)))
    identified(dialogue, "menu:bill", found)
    first_page = dialogue.button_ids()
    assert len(first_page) == 10
    assert first_page[-1] == "contract:more"
    dialogue.tap("contract:more")
    assert dialogue.button_ids() == ["contract:1009", "contract:1010", "contract:1011"]
    dialogue.text("3")
    assert dialogue.state.contract_id == "1011"


def test_a_customer_without_contracts_is_offered_a_person(dialogue: Any) -> None:
    identified(dialogue, "menu:bill", CustomerFound("c1", "Maria", "", ()))
    assert dialogue.step is Step.ANYTHING_ELSE
    assert dialogue.button_ids() == ["menu:agent", "end"]


# --- bill copy ------------------------------------------------------------------------------------


def test_bill_copy_sends_pdf_pix_due_date_and_amount(dialogue: Any) -> None:
    identified(dialogue, "menu:bill")
    dialogue.sgp(Invoices((invoice(10, 123456, digitable_line="23790.00000 00000.000000", overdue=True),)))
    document, summary, pix, more = dialogue.sends()
    assert isinstance(document, fx.SendDocument)
    assert document.link == "http://sgp/boleto/10.pdf"
    assert document.filename == "fatura-10-03-2026.pdf"
    assert document.caption == "Fatura com vencimento em 10/03/2026 – R$ 1.234,56"
    assert isinstance(summary, fx.SendText)
    assert "R$ 1.234,56" in summary.body
    assert "vencida" in summary.body
    assert "23790.00000 00000.000000" in summary.body
    assert pix == fx.SendText("PIX10")
    assert isinstance(more, fx.SendButtons)
    assert dialogue.step is Step.ANYTHING_ELSE


def test_bill_copy_sends_the_three_oldest_and_says_how_many(dialogue: Any) -> None:
    identified(dialogue, "menu:bill")
    dialogue.sgp(Invoices(tuple(invoice(day) for day in (20, 5, 15, 10))))
    documents = [s for s in dialogue.sends() if isinstance(s, fx.SendDocument)]
    assert [d.link for d in documents] == [f"http://sgp/boleto/{d}.pdf" for d in (5, 10, 15)]
    assert "Você tem 4 faturas em aberto; te enviei as 3 mais antigas." in dialogue.said()


def test_nothing_open_says_so(dialogue: Any) -> None:
    identified(dialogue, "menu:bill")
    dialogue.sgp(Invoices(()))
    assert "não há faturas em aberto" in dialogue.said()
    assert dialogue.step is Step.ANYTHING_ELSE


# --- payment promise ------------------------------------------------------------------------------


def test_payment_promise_granted_confirms_the_end_date(dialogue: Any) -> None:
    identified(dialogue, "menu:promise")
    assert dialogue.step is Step.CONFIRM_PROMISE
    assert dialogue.button_ids() == ["promise:yes", "promise:no"]
    dialogue.text("sim")
    (request,) = dialogue.effects_of(fx.RequestSgp)
    assert request.op == fx.RequestSgp(request.request_id, request.op).op
    assert request.op.name == "register_payment_promise"
    assert request.op.contract_id == "26515"
    dialogue.sgp(PromiseResult(PromiseOutcome.GRANTED, until="2026-03-07", days=3, protocol="260304100000"))
    said = dialogue.said()
    assert "liberada em confiança até *07/03/2026*" in said
    assert "Protocolo: 260304100000" in said
    assert dialogue.step is Step.ANYTHING_ELSE


@pytest.mark.parametrize(
    ("outcome", "expected", "buttons"),
    [
        (PromiseOutcome.QUOTA_REACHED, "já foi usado neste período", ["menu:bill", "menu:agent", "end"]),
        (PromiseOutcome.NOT_BLOCKED, "não está bloqueada", ["menu:main", "end"]),
        (PromiseOutcome.NOT_ELIGIBLE, "precisa estar ativo ou suspenso", ["menu:agent", "menu:main", "end"]),
        (PromiseOutcome.ERROR, "Não consegui registrar a liberação", ["menu:agent", "menu:main", "end"]),
    ],
)
def test_payment_promise_refusals_are_explained(
    dialogue: Any, outcome: PromiseOutcome, expected: str, buttons: list[str]
) -> None:
    identified(dialogue, "menu:promise")
    dialogue.tap("promise:yes")
    dialogue.sgp(PromiseResult(outcome))
    assert expected in dialogue.said()
    assert dialogue.button_ids() == buttons
    assert dialogue.step is Step.ANYTHING_ELSE


def test_payment_promise_declined_registers_nothing(dialogue: Any) -> None:
    identified(dialogue, "menu:promise")
    dialogue.text("agora não")
    assert not dialogue.effects_of(fx.RequestSgp)
    assert dialogue.step is Step.ANYTHING_ELSE


# --- no connection / slow -------------------------------------------------------------------------


def test_no_connection_with_an_outage_explains_it(dialogue: Any) -> None:
    identified(dialogue, "menu:no_connection")
    assert dialogue.effects_of(fx.RequestSgp)[0].op.name == "check_connection"
    dialogue.sgp(
        ConnectionStatus(LinkState.OFFLINE, (OutageInfo("Rompimento de fibra no bairro Centro.", "2026-03-04"),))
    )
    said = dialogue.said()
    assert "Rompimento de fibra no bairro Centro." in said
    assert "04/03/2026" in said
    assert dialogue.step is Step.ANYTHING_ELSE


def test_no_connection_blocked_offers_bill_or_unlock(dialogue: Any) -> None:
    identified(dialogue, "menu:no_connection")
    dialogue.sgp(ConnectionStatus(LinkState.BLOCKED))
    assert dialogue.button_ids() == ["menu:bill", "menu:promise", "menu:agent"]
    dialogue.tap("menu:promise")  # identification is remembered: straight to the confirmation
    assert dialogue.step is Step.CONFIRM_PROMISE


def test_no_connection_guided_checks_then_a_ticket(dialogue: Any) -> None:
    identified(dialogue, "menu:no_connection")
    dialogue.sgp(ConnectionStatus(LinkState.OFFLINE))
    assert "aparece *offline*" in dialogue.said()
    assert "Desligue o roteador" in dialogue.said()
    assert dialogue.button_ids() == ["check:ok", "check:fail"]
    dialogue.text("não voltou")
    assert "luz *LOS*" in dialogue.said()
    dialogue.tap("check:fail")
    (request,) = dialogue.effects_of(fx.RequestSgp)
    assert request.op.name == "open_ticket"
    assert request.op.ticket_kind == "no_connection"
    assert request.op.contact_phone == "5511987654321"
    assert request.op.contact_name == "MARIA DA SILVA"
    dialogue.sgp(TicketOpened("200429142914"))
    assert "Protocolo: *200429142914*" in dialogue.said()
    assert dialogue.step is Step.ANYTHING_ELSE


def test_a_check_that_works_ends_the_flow(dialogue: Any) -> None:
    identified(dialogue, "menu:no_connection")
    dialogue.sgp(ConnectionStatus(LinkState.ONLINE))
    assert "aparece *online*" in dialogue.said()
    dialogue.text("voltou!")
    assert "Que bom que resolveu!" in dialogue.said()
    assert not dialogue.effects_of(fx.RequestSgp)


def test_repeating_the_problem_in_words_moves_to_the_next_check(dialogue: Any) -> None:
    identified(dialogue, "menu:no_connection")
    dialogue.sgp(ConnectionStatus(LinkState.UNKNOWN))
    dialogue.text("a luz vermelha segue piscando")
    dialogue.nlu("sem_conexao")
    assert dialogue.state.check_index == 1


def test_slow_connection_checks_then_ticket(dialogue: Any) -> None:
    identified(dialogue, "menu:slow")
    dialogue.sgp(ConnectionStatus(LinkState.ONLINE))
    assert "Reinicie o roteador" in dialogue.said()
    assert dialogue.button_ids() == ["check:ok", "check:fail"]
    dialogue.tap("check:fail")
    assert "perto do roteador" in dialogue.said()
    dialogue.tap("check:fail")
    assert dialogue.effects_of(fx.RequestSgp)[0].op.ticket_kind == "slow_connection"


# --- technician visit -----------------------------------------------------------------------------


def test_visit_confirmation_is_recorded_with_a_protocol(dialogue: Any) -> None:
    identified(dialogue, "menu:visit")
    assert dialogue.button_ids() == ["visit:confirm", "visit:reschedule", "menu:agent"]
    dialogue.tap("visit:confirm")
    op = dialogue.effects_of(fx.RequestSgp)[0].op
    assert op.ticket_kind == "technician_visit"
    dialogue.sgp(TicketOpened("P123"))
    assert "Visita confirmada!" in dialogue.said()
    assert "P123" in dialogue.said()


def test_visit_reschedule_goes_to_a_person(dialogue: Any) -> None:
    identified(dialogue, "menu:visit")
    dialogue.tap("visit:reschedule")
    assert dialogue.step is Step.HANDOFF_QUEUED
    assert dialogue.facts()[0].reason == "visit_reschedule"


def test_a_campaign_quick_reply_confirms_after_identification(dialogue: Any) -> None:
    dialogue.tap("visit:confirm:OS-991")
    assert dialogue.state.goal is Goal.VISIT
    assert dialogue.step is Step.AWAIT_DOCUMENT
    dialogue.text(CPF)
    dialogue.sgp(ONE_CONTRACT)
    assert dialogue.step is Step.CONFIRM_VISIT
    dialogue.tap("visit:confirm:OS-991")
    assert "Referência: OS-991" in dialogue.effects_of(fx.RequestSgp)[0].op.description


# --- handoff --------------------------------------------------------------------------------------


def test_asking_for_a_person_works_at_any_point(dialogue: Any) -> None:
    dialogue.tap("menu:bill")
    dialogue.text(CPF)
    assert dialogue.step is Step.LOOKING_UP
    dialogue.text("quero falar com um atendente!!")
    assert dialogue.step is Step.HANDOFF_QUEUED
    (fact,) = dialogue.facts()
    assert fact.reason == "customer_request"
    assert fact.within_business_hours
    assert fact.customer_name == "Maria da Silva"
    assert "Em instantes alguém continua com você" in dialogue.said()
    assert dialogue.state.pending is None
    assert dialogue.state.timers == {}
    assert {type(e) for e in dialogue.last.effects} >= {fx.CancelTimer}


def test_the_nlu_can_recognise_a_request_for_a_person(dialogue: Any) -> None:
    dialogue.text("tem alguem de verdade ai?")
    dialogue.nlu("falar_atendente")
    assert dialogue.step is Step.HANDOFF_QUEUED


def test_two_misunderstandings_hand_over(dialogue: Any) -> None:
    dialogue.text("xpto abc")
    dialogue.nlu("segunda_via", confidence=0.3)
    assert dialogue.step is Step.MENU
    assert "não entendi" in dialogue.said()
    dialogue.text("aquele negocio la")
    dialogue.nlu("planos", confidence=0.2)
    assert dialogue.step is Step.HANDOFF_QUEUED
    assert dialogue.facts()[0].reason == "misunderstood_twice"
    assert "não estou conseguindo te ajudar" in dialogue.said()


def test_understanding_in_between_resets_the_count(dialogue: Any) -> None:
    dialogue.text("xpto")
    dialogue.nlu("segunda_via", confidence=0.3)
    dialogue.tap("menu:main")
    dialogue.text("hmm")
    dialogue.nlu("segunda_via", confidence=0.3)
    assert dialogue.step is Step.MENU


def test_out_of_scope_is_clarified_then_handed_over(dialogue: Any) -> None:
    dialogue.text("quem ganhou o jogo ontem")
    dialogue.nlu("fora_escopo")
    assert dialogue.step is Step.MENU
    dialogue.text("e o jogo de hoje?")
    dialogue.nlu("fora_escopo")
    assert dialogue.step is Step.HANDOFF_QUEUED
    assert dialogue.facts()[0].reason == "out_of_scope"


def test_strong_negative_sentiment_hands_over_with_an_apology(dialogue: Any) -> None:
    dialogue.text("PESSIMO SERVIÇO, 3 DIAS SEM INTERNET")
    dialogue.nlu("sem_conexao", sentiment="negativo", intensity=0.85)
    assert dialogue.step is Step.HANDOFF_QUEUED
    assert dialogue.facts()[0].reason == "negative_sentiment"
    assert "Sinto muito pelo transtorno" in dialogue.said()


def test_a_plain_complaint_keeps_the_bot(dialogue: Any) -> None:
    # Negative with full confidence, but not intense: the customer just has a problem to solve.
    dialogue.text("de novo sem internet, que chato")
    dialogue.nlu("sem_conexao", sentiment="negativo", intensity=0.3)
    assert dialogue.state.goal is Goal.NO_CONNECTION


@pytest.mark.parametrize("intent", ["cancelamento", "planos", "mudanca_endereco"])
def test_intents_only_people_serve_are_handed_over(dialogue: Any, intent: str) -> None:
    dialogue.text("...")
    dialogue.nlu(intent)
    assert dialogue.step is Step.HANDOFF_QUEUED
    assert dialogue.facts()[0].reason == intent
    assert intent in dialogue.state.intents


def test_outside_business_hours_the_handoff_says_when_agents_return(make_dialogue: Callable[[str], Any]) -> None:
    friday = make_dialogue("friday_20h")
    friday.tap("menu:agent")
    fact = friday.facts()[-1]
    assert not fact.within_business_hours
    said = friday.said()
    assert "seg a sex, das 8h às 18h; sáb, das 8h às 12h" in said
    assert "te responde amanhã às 8h" in said
    assert friday.step is Step.HANDOFF_QUEUED

    saturday = make_dialogue("saturday_14h")
    saturday.tap("menu:agent")
    assert "segunda-feira (09/03) às 8h" in saturday.said()


def test_the_bot_is_quiet_until_the_agent_releases(dialogue: Any) -> None:
    dialogue.tap("menu:agent")
    for outcome in (dialogue.text("alo?"), dialogue.tap("menu:bill"), dialogue.text("atendente")):
        assert outcome.effects == ()  # not even "read": a person will read it
    dialogue.agent(AgentActionKind.ACCEPTED)
    assert dialogue.step is Step.WITH_AGENT
    assert dialogue.state.agent_id == "agent-7"
    assert dialogue.agent(AgentActionKind.REPLIED, text="Oi, sou a Ana").effects == ()
    assert dialogue.text("oi Ana").effects == ()
    dialogue.agent(AgentActionKind.RELEASED)
    assert dialogue.step is Step.ANYTHING_ELSE
    assert "finalizado" in dialogue.said()
    dialogue.tap("end")
    dialogue.tap("csat:4")
    closed = [f for f in dialogue.facts() if isinstance(f, fx.ConversationClosed)]
    assert closed[0].outcome == "handed_off"


def test_release_without_handoff_is_ignored(dialogue: Any) -> None:
    dialogue.tap("menu:main")
    assert dialogue.agent(AgentActionKind.RELEASED).effects == ()
    assert dialogue.step is Step.MENU


def test_the_handoff_message_masks_documents(dialogue: Any) -> None:
    dialogue.text(f"sou {CPF} e quero um atendente")
    fact = dialogue.facts()[-1]
    assert isinstance(fact, fx.HandoffRequested)
    assert CPF not in fact.last_message
    assert "***.***.***-**" in fact.last_message


# --- closing, CSAT, inactivity ----------------------------------------------------------------------


def test_closing_with_a_rating(dialogue: Any) -> None:
    identified(dialogue, "menu:bill")
    dialogue.sgp(Invoices(()))
    dialogue.text("não")
    assert dialogue.step is Step.CSAT
    assert dialogue.button_ids() == ["csat:5", "csat:4", "csat:3", "csat:2", "csat:1"]
    dialogue.text("9")
    assert "nota de 1 a 5" in dialogue.said()
    dialogue.text("5")
    csat, closed = dialogue.facts()
    assert csat == fx.CsatRecorded(5)
    assert closed == fx.ConversationClosed("resolved", ("segunda_via",))
    assert "Obrigado pela avaliação" in dialogue.said()
    assert dialogue.step is Step.CLOSED
    assert dialogue.state.customer is None  # identification does not outlive the session


def test_thanks_goes_to_the_survey(dialogue: Any) -> None:
    dialogue.tap("menu:main")
    dialogue.text("valeu, obrigado")
    dialogue.nlu("agradecimento")
    assert dialogue.step is Step.CSAT
    dialogue.text("obrigada!")
    dialogue.nlu("agradecimento")
    assert dialogue.step is Step.CLOSED


def test_a_new_message_after_closing_starts_a_new_session(dialogue: Any) -> None:
    dialogue.tap("end")
    dialogue.tap("csat:3")
    old_session = dialogue.outcomes[0].state.session_id
    dialogue.tap("menu:main")
    assert isinstance(dialogue.facts()[0], fx.ConversationStarted)
    assert dialogue.state.session_id != old_session
    assert "Olá" in dialogue.said()


def test_inactivity_warns_then_closes(dialogue: Any) -> None:
    dialogue.tap("menu:bill")
    assert dialogue.state.timers.keys() == {"idle"}
    dialogue.fire("idle")
    assert "Ainda está por aí?" in dialogue.said()
    assert dialogue.state.timers.keys() == {"close"}
    dialogue.fire("close")
    assert "vou encerrar por aqui" in dialogue.said()
    (closed,) = dialogue.facts()
    assert closed == fx.ConversationClosed("inactive", ("segunda_via",))
    assert dialogue.step is Step.CLOSED


def test_an_untouched_menu_closes_as_abandoned(dialogue: Any) -> None:
    dialogue.tap("menu:main")
    dialogue.fire("idle")
    dialogue.fire("close")
    assert dialogue.facts()[0].outcome == "abandoned"


def test_an_answer_after_the_warning_keeps_the_conversation(dialogue: Any) -> None:
    dialogue.tap("menu:main")
    dialogue.fire("idle")
    close_token = dialogue.state.timers["close"]
    dialogue.tap("menu:bill")
    assert dialogue.state.timers.keys() == {"idle"}
    from atende_conversation.domain.inputs import TimerFired

    late = dialogue.feed(TimerFired("close", close_token))
    assert late.signal == "late"
    assert late.effects == ()
    assert dialogue.step is Step.AWAIT_DOCUMENT


def test_an_unanswered_survey_closes_quietly(dialogue: Any) -> None:
    dialogue.tap("end")
    outcome = dialogue.fire("idle")
    assert not dialogue.sends()
    assert [type(f) for f in dialogue.facts()] == [fx.ConversationClosed]
    assert outcome.state.step is Step.CLOSED


# --- missing and failed answers ---------------------------------------------------------------------


def test_a_missing_nlu_answer_falls_back_to_the_menu(dialogue: Any) -> None:
    dialogue.text("preciso de ajuda com a conta")
    request = dialogue.effects_of(fx.RequestNlu)[0]
    dialogue.fire("reply")
    assert "probleminha para entender" in dialogue.said()
    assert dialogue.step is Step.MENU
    from atende_conversation.domain.inputs import NluAnswer

    late = dialogue.feed(NluAnswer(request.request_id, "segunda_via", 0.9))
    assert late.signal == "late"
    assert late.effects == ()


def test_a_missing_sgp_answer_is_retried_once_then_offered_again(dialogue: Any) -> None:
    dialogue.tap("menu:bill")
    dialogue.text(CPF)
    first = dialogue.effects_of(fx.RequestSgp)[0]
    dialogue.fire("reply")
    assert "demorando um pouquinho mais" in dialogue.said()
    (second,) = dialogue.effects_of(fx.RequestSgp)
    assert second.request_id != first.request_id
    assert second.op == first.op
    assert dialogue.step is Step.LOOKING_UP
    dialogue.fire("reply")
    assert dialogue.step is Step.SGP_FAILED
    assert "indisponível" in dialogue.said()
    assert dialogue.button_ids() == ["retry", "menu:agent", "menu:main"]
    dialogue.tap("retry")
    (third,) = dialogue.effects_of(fx.RequestSgp)
    assert third.op.document == CPF
    assert dialogue.step is Step.LOOKING_UP
    dialogue.sgp(ONE_CONTRACT)
    assert dialogue.step is Step.FETCHING_INVOICES


def test_sgp_unavailable_offers_retry_or_a_person(dialogue: Any) -> None:
    identified(dialogue, "menu:bill")
    dialogue.sgp(SgpUnavailable("circuit_open"))
    assert dialogue.step is Step.SGP_FAILED
    dialogue.tap("menu:agent")
    assert dialogue.step is Step.HANDOFF_QUEUED
    assert dialogue.state.retry_op is None


def test_sgp_rejection_offers_a_person(dialogue: Any) -> None:
    identified(dialogue, "menu:promise")
    dialogue.tap("promise:yes")
    dialogue.sgp(SgpRejected("unknown contract"))
    assert "Não consegui concluir" in dialogue.said()
    assert dialogue.button_ids() == ["menu:agent", "menu:main"]


def test_an_answer_that_does_not_fit_the_question_is_treated_as_a_rejection(dialogue: Any) -> None:
    identified(dialogue, "menu:bill")
    dialogue.sgp(TicketOpened("x"))
    assert dialogue.step is Step.SGP_FAILED


def test_messages_while_sgp_works_get_one_wait_notice(dialogue: Any) -> None:
    dialogue.tap("menu:bill")
    dialogue.text(CPF)
    dialogue.text("e ai?")
    assert dialogue.said() == "Só um instante, ainda estou consultando… ⏳"
    dialogue.text("???")
    assert not dialogue.sends()
    assert not dialogue.effects_of(fx.RequestNlu)


def test_the_payment_report_explains_clearing_times(dialogue: Any) -> None:
    dialogue.text("ja paguei pelo pix")
    dialogue.nlu("informar_pagamento")
    assert "3 dias úteis" in dialogue.said()
    assert dialogue.button_ids() == ["menu:agent", "menu:main", "end"]
