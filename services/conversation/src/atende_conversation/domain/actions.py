"""What transitions do. Each action mutates `ctx.state` (a copy) and appends effects; the table in
`machine.py` says when each runs."""

from __future__ import annotations

from collections.abc import Callable

from atende_core.documents import is_valid_document, mask_document
from atende_core.masking import mask_text

from . import choices as c
from .context import COMMAND_TIMER, Ctx, Signal
from .effects import (
    ActionCompleted,
    ConversationClosed,
    ConversationStarted,
    CsatRecorded,
    CustomerIdentified,
    HandoffRequested,
    RequestNlu,
    RequestSgp,
    SendText,
)
from .inputs import (
    ConnectionStatus,
    CustomerFound,
    CustomerMessage,
    Invoices,
    LinkState,
    NluAnswer,
    OpenInvoice,
    PromiseOutcome,
    PromiseResult,
    SgpAnswer,
    TicketOpened,
)
from .messages import CONTRACTS_PER_PAGE
from .model import (
    ContractInfo,
    ConversationState,
    Customer,
    Goal,
    Pending,
    PendingKind,
    SgpOp,
    Step,
)

Action = Callable[[Ctx], None]

REPLY_TIMER = "reply"  # a missing NLU/SGP answer
IDLE_TIMER = "idle"  # the customer went quiet: warn
CLOSE_TIMER = "close"  # still quiet after the warning: close
CLOSED_BY_AGENT = "closed_by_agent"
ENDED_BEFORE_RESULT = "A conversa foi encerrada antes da resposta do SGP."

INTENT_GOALS: dict[str, Goal] = {
    "segunda_via": Goal.BILL,
    "promessa_pagamento": Goal.PROMISE,
    "sem_conexao": Goal.NO_CONNECTION,
    "conexao_lenta": Goal.SLOW,
    "agendamento": Goal.VISIT,
}
GOAL_INTENTS = {goal: intent for intent, goal in INTENT_GOALS.items()}
HUMAN_INTENTS = frozenset({"cancelamento", "planos", "mudanca_endereco"})

TICKET_TEXTS = {
    Goal.NO_CONNECTION: (
        "no_connection",
        "Cliente sem conexão pelo WhatsApp: reiniciou o roteador e conferiu os cabos, sem sucesso.",
    ),
    Goal.SLOW: (
        "slow_connection",
        "Cliente relata lentidão pelo WhatsApp: reiniciou o roteador e testou perto dele, sem melhora.",
    ),
}


# --- small helpers --------------------------------------------------------------------------------


def ignore(ctx: Ctx) -> None:
    """Do nothing (the service still records the input)."""


def _ask_nlu(ctx: Ctx, text: str, message_id: str) -> None:
    s = ctx.state
    request_id = ctx.new_id("nlu")
    s.pending = Pending(PendingKind.NLU, request_id)
    ctx.effects.append(RequestNlu(request_id, text, tuple(s.turns[-ctx.policy.context_turns :]), message_id))
    ctx.set_timer(REPLY_TIMER, ctx.policy.nlu_timeout_seconds)


def _ask_sgp(ctx: Ctx, op: SgpOp, step: Step, *, attempt: int = 1) -> None:
    s = ctx.state
    request_id = ctx.new_id("sgp")
    s.pending = Pending(PendingKind.SGP, request_id, attempt, op)
    s.step = step
    s.wait_notice_sent = False
    ctx.effects.append(RequestSgp(request_id, op))
    ctx.set_timer(REPLY_TIMER, ctx.policy.sgp_timeout_seconds)


def _remember_intent(s: ConversationState, intent: str) -> None:
    if intent and intent not in s.intents:
        s.intents.append(intent)


def _offer_more(ctx: Ctx) -> None:
    ctx.state.step = Step.ANYTHING_ELSE
    ctx.state.goal = None
    ctx.say(ctx.catalog.anything_else())


def _contract_op(ctx: Ctx, name: str) -> SgpOp:
    return SgpOp(name=name, contract_id=ctx.state.contract_id)


# --- session --------------------------------------------------------------------------------------


def open_session(ctx: Ctx) -> None:
    """A first message after silence: start a session, then handle the message from the menu."""
    s = ctx.state
    s.session_id = ctx.new_id("session")
    s.started_at = ctx.now.isoformat()
    s.step = Step.MENU
    ctx.emit(ConversationStarted(s.session_id))
    ctx.redispatch(ctx)


def show_menu(ctx: Ctx) -> None:
    """The main menu."""
    ctx.state.step = Step.MENU
    ctx.state.goal = None
    ctx.say(ctx.catalog.menu())


def read_text(ctx: Ctx) -> None:
    """Free text: ask the NLU, with the last turns as context."""
    message = ctx.input
    assert isinstance(message, CustomerMessage)
    _ask_nlu(ctx, message.text, message.message_id)


def clarify(ctx: Ctx) -> None:
    """Not understood (unsure or out of scope) once: say so and show the menu."""
    ctx.state.misunderstandings += 1
    ctx.state.step = Step.MENU
    ctx.say(ctx.catalog.clarify())


def media_not_understood(ctx: Ctx) -> None:
    """Audio, image, sticker…: the bot reads text."""
    ctx.state.step = Step.MENU
    ctx.say(ctx.catalog.media_not_understood())


def option_gone(ctx: Ctx) -> None:
    """A button from an old message."""
    ctx.state.step = Step.MENU
    ctx.say(ctx.catalog.option_gone())


def please_wait(ctx: Ctx) -> None:
    """The customer writes while SGP works: say so once."""
    if not ctx.state.wait_notice_sent:
        ctx.state.wait_notice_sent = True
        ctx.say(ctx.catalog.please_wait())


def anything_else(ctx: Ctx) -> None:
    """Offer more help."""
    _offer_more(ctx)


def payment_reported(ctx: Ctx) -> None:
    """The customer says they paid: explain clearing times, offer a human."""
    _remember_intent(ctx.state, "informar_pagamento")
    ctx.state.step = Step.ANYTHING_ELSE
    ctx.say(ctx.catalog.payment_reported())


# --- goals and identification ---------------------------------------------------------------------


def start_goal(ctx: Ctx) -> None:
    """Begin a flow chosen by a button or understood by the NLU; identify the customer first."""
    goal = goal_of(ctx.signal)
    assert goal is not None
    s = ctx.state
    s.goal = goal
    s.pending = None
    _remember_intent(s, GOAL_INTENTS[goal])
    if s.identified:
        _dispatch_goal(ctx)
    elif s.customer is not None and s.customer.contracts:
        _list_contracts(ctx, page=0)
    else:
        s.step = Step.AWAIT_DOCUMENT
        document = _document_entity(ctx)
        if document:
            ctx.signal = Signal("document", document)
            ctx.redispatch(ctx)
        else:
            ctx.say(ctx.catalog.ask_document())


def goal_of(signal: Signal) -> Goal | None:
    """The goal a menu choice or an intent names."""
    if signal.name in c.GOAL_CHOICES:
        return c.GOAL_CHOICES[signal.name]
    if signal.name.startswith("choice:"):
        choice = signal.name.removeprefix("choice:")
        if choice in c.GOAL_CHOICES:
            return c.GOAL_CHOICES[choice]
        if choice.startswith("visit:"):
            return Goal.VISIT
    if signal.name.startswith("intent:"):
        return INTENT_GOALS.get(signal.name.removeprefix("intent:"))
    return None


def _document_entity(ctx: Ctx) -> str:
    if not isinstance(ctx.input, NluAnswer):
        return ""
    for entity in ctx.input.entities:
        if entity.type in ("cpf", "cnpj") and entity.value:
            return entity.value
    return ""


def document_is_valid(document: str) -> bool:
    """A CPF or CNPJ (numeric or alphanumeric) whose check digits match."""
    return is_valid_document(document)


def look_up_customer(ctx: Ctx) -> None:
    """A valid document: ask SGP who it is (the document in clear lives only in the request)."""
    _ask_sgp(ctx, SgpOp(name="lookup_customer", document=ctx.signal.arg), Step.LOOKING_UP)


def ask_document_again(ctx: Ctx) -> None:
    """Check digits failed: ask again, saying how many tries are left."""
    s = ctx.state
    s.document_attempts += 1
    s.step = Step.AWAIT_DOCUMENT
    ctx.say(ctx.catalog.document_invalid(ctx.policy.max_document_attempts - s.document_attempts))


def not_found_ask_again(ctx: Ctx) -> None:
    """SGP does not know the document: ask again."""
    s = ctx.state
    s.document_attempts += 1
    s.step = Step.AWAIT_DOCUMENT
    ctx.say(ctx.catalog.customer_not_found(_masked_lookup(ctx), ctx.policy.max_document_attempts - s.document_attempts))


def _masked_lookup(ctx: Ctx) -> str:
    op = ctx.settled.op if ctx.settled else None
    return mask_document(op.document) if op and op.document else "informado"


def customer_found(ctx: Ctx) -> None:
    """Remember the customer (masked document); one contract continues, several are listed."""
    answer = ctx.input
    assert isinstance(answer, SgpAnswer)
    assert isinstance(answer.outcome, CustomerFound)
    found = answer.outcome
    s = ctx.state
    s.document_attempts = 0
    looked_up = ctx.settled.op if ctx.settled else None
    masked = _masked_lookup(ctx) if looked_up else found.document_masked
    s.customer = Customer(
        customer_id=found.customer_id,
        name=found.name,
        document_masked=masked,
        contracts=tuple(ContractInfo(k.contract_id, k.status, k.plan, k.address) for k in found.contracts),
        document_index=ctx.policy.document_index(looked_up.document) if looked_up and looked_up.document else "",
    )
    ctx.say_first(ctx.catalog.identified(found.name, masked))
    if not found.contracts:
        s.step = Step.ANYTHING_ELSE
        ctx.say(ctx.catalog.no_contracts())
    elif len(found.contracts) == 1:
        _choose(ctx, found.contracts[0].contract_id)
    else:
        _list_contracts(ctx, page=0)


def _list_contracts(ctx: Ctx, *, page: int) -> None:
    s = ctx.state
    assert s.customer is not None
    s.step = Step.CHOOSE_CONTRACT
    s.contract_page = page
    contracts = list(s.customer.contracts)
    ctx.say(ctx.catalog.choose_contract(contracts, page, len(contracts)))


def next_contract_page(ctx: Ctx) -> None:
    """'More contracts' row: the next page (wrapping to the first)."""
    s = ctx.state
    assert s.customer is not None
    page = s.contract_page + 1
    if page * CONTRACTS_PER_PAGE >= len(s.customer.contracts):
        page = 0
    _list_contracts(ctx, page=page)


def choose_contract(ctx: Ctx) -> None:
    """The customer picked a contract from the list."""
    _choose(ctx, ctx.signal.name.removeprefix("choice:" + c.CONTRACT_PREFIX))


def _choose(ctx: Ctx, contract_id: str) -> None:
    s = ctx.state
    assert s.customer is not None
    s.contract_id = contract_id
    customer = s.customer
    ctx.emit(
        CustomerIdentified(
            customer.customer_id,
            contract_id,
            customer.document_masked,
            customer_name=customer.name,
            document_index=customer.document_index,
            contracts=customer.contracts,
        )
    )
    if s.goal is None:
        _offer_more(ctx)
    else:
        _dispatch_goal(ctx)


def _dispatch_goal(ctx: Ctx) -> None:
    s = ctx.state
    match s.goal:
        case Goal.BILL:
            _ask_sgp(ctx, _contract_op(ctx, "list_open_invoices"), Step.FETCHING_INVOICES)
        case Goal.PROMISE:
            s.step = Step.CONFIRM_PROMISE
            ctx.say(ctx.catalog.confirm_promise())
        case Goal.NO_CONNECTION | Goal.SLOW:
            s.check_index = 0
            _ask_sgp(ctx, _contract_op(ctx, "check_connection"), Step.CHECKING_CONNECTION)
        case Goal.VISIT:
            s.step = Step.CONFIRM_VISIT
            if ctx.signal.name.startswith("choice:visit:"):
                # A template quick-reply (visit:confirm / visit:reschedule) already said what to do.
                ctx.redispatch(ctx)
            else:
                ctx.say(ctx.catalog.confirm_visit())
        case None:
            _offer_more(ctx)


# --- bill copy ------------------------------------------------------------------------------------


def no_open_invoices(ctx: Ctx) -> None:
    """Nothing to pay: say so."""
    ctx.say_first(ctx.catalog.no_open_invoices())
    _offer_more(ctx)


def send_invoices(ctx: Ctx) -> None:
    """Oldest open invoices first: PDF, summary (due date, amount), PIX copia-e-cola."""
    answer = ctx.input
    assert isinstance(answer, SgpAnswer)
    assert isinstance(answer.outcome, Invoices)
    say_invoices(ctx, answer.outcome)
    _offer_more(ctx)


def say_invoices(ctx: Ctx, found: Invoices) -> tuple[OpenInvoice, ...]:
    """Send the oldest open invoices (the bot's flow and an agent's command); the ones sent."""
    invoices = sorted(found.invoices, key=lambda inv: inv.due_date)
    shown = invoices[: ctx.policy.max_invoices]
    for invoice in shown:
        if invoice.pdf_url:
            ctx.say(ctx.catalog.invoice_document(invoice))
        ctx.say(ctx.catalog.invoice_summary(invoice))
        if invoice.pix_code:
            ctx.say(ctx.catalog.pix_code(invoice))
    if len(invoices) > len(shown):
        ctx.say(SendText(ctx.catalog.more_invoices(len(invoices), len(shown))))
    return tuple(shown)


# --- payment promise ------------------------------------------------------------------------------


def register_promise(ctx: Ctx) -> None:
    """The customer confirmed: ask SGP to unlock in trust (SGP decides)."""
    _ask_sgp(ctx, _contract_op(ctx, "register_payment_promise"), Step.REGISTERING_PROMISE)


def promise_granted(ctx: Ctx) -> None:
    """Confirm the unlock and when it ends."""
    result = _promise(ctx)
    ctx.say_first(ctx.catalog.promise_granted(result.until, result.protocol))
    _offer_more(ctx)


def promise_refused(ctx: Ctx) -> None:
    """Explain the refusal by its typed reason."""
    result = _promise(ctx)
    s = ctx.state
    s.goal = None
    s.step = Step.ANYTHING_ELSE
    match result.outcome:
        case PromiseOutcome.QUOTA_REACHED:
            ctx.say(ctx.catalog.promise_quota_reached())
        case PromiseOutcome.NOT_BLOCKED:
            ctx.say_first(ctx.catalog.promise_not_blocked())
            _offer_more(ctx)
        case PromiseOutcome.NOT_ELIGIBLE:
            ctx.say(ctx.catalog.promise_not_eligible())
        case _:
            ctx.say(ctx.catalog.promise_error())


def _promise(ctx: Ctx) -> PromiseResult:
    answer = ctx.input
    assert isinstance(answer, SgpAnswer)
    assert isinstance(answer.outcome, PromiseResult)
    return answer.outcome


# --- connection -----------------------------------------------------------------------------------


def _connection(ctx: Ctx) -> ConnectionStatus:
    answer = ctx.input
    assert isinstance(answer, SgpAnswer)
    assert isinstance(answer.outcome, ConnectionStatus)
    return answer.outcome


def report_outage(ctx: Ctx) -> None:
    """A known outage explains it: tell the customer, no checks needed."""
    ctx.say_first(ctx.catalog.outage(_connection(ctx).outages[0]))
    _offer_more(ctx)


def report_blocked(ctx: Ctx) -> None:
    """Blocked for non-payment: offer the bill or a trust unlock."""
    ctx.state.step = Step.ANYTHING_ELSE
    ctx.state.goal = None
    ctx.say(ctx.catalog.connection_blocked())


def first_check(ctx: Ctx) -> None:
    """No outage: walk through the first troubleshooting step."""
    state = _connection(ctx).state
    online = {LinkState.ONLINE: True, LinkState.OFFLINE: False}.get(state)
    s = ctx.state
    s.step = Step.GUIDED_CHECK
    s.check_index = 0
    ctx.say(ctx.catalog.guided_check(slow=s.goal is Goal.SLOW, index=0, intro=ctx.catalog.connection_seen(online)))


def next_check(ctx: Ctx) -> None:
    """The last step did not help: the next one."""
    s = ctx.state
    s.check_index += 1
    ctx.say(ctx.catalog.guided_check(slow=s.goal is Goal.SLOW, index=s.check_index))


def check_worked(ctx: Ctx) -> None:
    """Fixed by the customer."""
    ctx.say_first(ctx.catalog.check_worked())
    _offer_more(ctx)


def open_ticket(ctx: Ctx) -> None:
    """Checks did not help: open a ticket."""
    s = ctx.state
    kind, description = TICKET_TEXTS[s.goal if s.goal in TICKET_TEXTS else Goal.NO_CONNECTION]
    _ask_sgp(ctx, ticket_op(ctx, kind, description), Step.OPENING_TICKET)


def ticket_op(ctx: Ctx, kind: str, description: str, *, contract_id: str = "") -> SgpOp:
    """An open_ticket operation for the customer (the contract chosen in the dialogue, unless given)."""
    s = ctx.state
    name = s.customer.name if s.customer else s.profile_name
    return SgpOp(
        name="open_ticket",
        contract_id=contract_id or s.contract_id,
        ticket_kind=kind,
        description=description,
        contact_name=name,
        contact_phone=s.reply_to,
    )


def ticket_opened(ctx: Ctx) -> None:
    """Give the protocol."""
    answer = ctx.input
    assert isinstance(answer, SgpAnswer)
    assert isinstance(answer.outcome, TicketOpened)
    if ctx.state.goal is Goal.VISIT:
        ctx.say_first(ctx.catalog.visit_confirmed(answer.outcome.protocol))
    else:
        ctx.say_first(ctx.catalog.ticket_opened(answer.outcome.protocol))
    _offer_more(ctx)


# --- technician visit -----------------------------------------------------------------------------


def confirm_visit(ctx: Ctx) -> None:
    """Record the confirmation in SGP (as a ticket the field team sees)."""
    reference = ctx.signal.name.removeprefix("choice:" + c.VISIT_CONFIRM).lstrip(":")
    text = "Cliente confirmou a visita técnica pelo WhatsApp."
    if reference:
        text += f" Referência: {reference}."
    _ask_sgp(ctx, ticket_op(ctx, "technician_visit", text), Step.OPENING_TICKET)


# --- SGP trouble ----------------------------------------------------------------------------------


def retry_sgp_after_timeout(ctx: Ctx) -> None:
    """The first SGP request timed out: say it takes longer and ask once more."""
    settled = ctx.settled
    assert settled is not None
    assert settled.op is not None
    ctx.say(ctx.catalog.sgp_slow())
    _ask_sgp(ctx, settled.op, ctx.state.step, attempt=settled.attempt + 1)


def offer_sgp_retry(ctx: Ctx) -> None:
    """SGP is unavailable (answer or repeated timeout): offer a retry, a human or the menu."""
    _remember_failure(ctx)
    ctx.say(ctx.catalog.sgp_unavailable())


def sgp_rejected(ctx: Ctx) -> None:
    """SGP refused the request: a human must look."""
    _remember_failure(ctx)
    ctx.say(ctx.catalog.sgp_rejected())


def _remember_failure(ctx: Ctx) -> None:
    s = ctx.state
    if ctx.settled is not None and ctx.settled.op is not None:
        s.retry_op = ctx.settled.op
        s.retry_step = s.step
    s.step = Step.SGP_FAILED


def retry_sgp(ctx: Ctx) -> None:
    """'Try again': repeat the failed request."""
    s = ctx.state
    if s.retry_op is None or s.retry_step is None:
        show_menu(ctx)
        return
    op, step = s.retry_op, s.retry_step
    s.retry_op, s.retry_step = None, None
    _ask_sgp(ctx, op, step)


def nlu_gave_up(ctx: Ctx) -> None:
    """The NLU did not answer: apologise and show the menu (buttons work without it)."""
    ctx.state.step = Step.MENU
    ctx.say(ctx.catalog.nlu_timeout())


# --- handoff --------------------------------------------------------------------------------------


def handoff(reason: str) -> Action:
    """Hand the conversation to a person for `reason`; outside business hours, say when they return."""

    def action(ctx: Ctx) -> None:
        _hand_off(ctx, reason)

    action.__name__ = f"handoff({reason})"
    return action


def handoff_for_intent(ctx: Ctx) -> None:
    """Intents only people serve (cancelling, plans, moving)."""
    intent = ctx.signal.name.removeprefix("intent:")
    _remember_intent(ctx.state, intent)
    ctx.say_first(ctx.catalog.needs_human(intent))
    _hand_off(ctx, intent)


def _hand_off(ctx: Ctx, reason: str) -> None:
    s = ctx.state
    policy = ctx.policy
    within = policy.hours.is_open(ctx.now)
    prefix = " ".join(filter(None, [*ctx.intro, ctx.catalog.handoff_prefix(reason)]))
    ctx.intro.clear()
    if within:
        ctx.say(ctx.catalog.handoff_now(prefix))
    else:
        ctx.say(
            ctx.catalog.handoff_later(
                schedule=policy.hours.describe(), when=policy.hours.when_back(ctx.now), prefix=prefix
            )
        )
    ctx.emit(HandoffRequested(reason, within, s.profile_name, s.last_customer_text))
    _remember_intent(s, "falar_atendente")
    s.step = Step.HANDOFF_QUEUED
    s.handed_off = True
    s.pending = None
    s.retry_op, s.retry_step = None, None
    ctx.cancel_all_timers()


def agent_took_over(ctx: Ctx) -> None:
    """An agent claimed the conversation: the bot goes quiet."""
    _agent(ctx)
    ctx.state.pending = None
    ctx.cancel_all_timers()


def agent_spoke(ctx: Ctx) -> None:
    """An agent replied (the gateway sent the message): the bot stays quiet."""
    _agent(ctx)


def _agent(ctx: Ctx) -> None:
    s = ctx.state
    s.step = Step.WITH_AGENT
    s.handed_off = True
    agent_id = getattr(ctx.input, "agent_id", "")
    s.agent_id = agent_id or s.agent_id


def bot_resumes(ctx: Ctx) -> None:
    """The agent released the conversation: the bot offers more help."""
    s = ctx.state
    s.agent_id = ""
    s.goal = None
    s.step = Step.ANYTHING_ELSE
    ctx.say(ctx.catalog.agent_released())


# --- closing --------------------------------------------------------------------------------------


def ask_csat(ctx: Ctx) -> None:
    """Closing: the 1-5 survey."""
    ctx.state.step = Step.CSAT
    ctx.state.goal = None
    ctx.say(ctx.catalog.ask_csat())


def ask_csat_again(ctx: Ctx) -> None:
    """Not a 1-5 rating."""
    ctx.say(ctx.catalog.csat_invalid())


def csat_score(signal: Signal) -> int | None:
    """The score of a 'choice:csat:N' signal, when N is 1-5."""
    raw = signal.name.removeprefix("choice:" + c.CSAT_PREFIX)
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= 5 else None


def record_csat(ctx: Ctx) -> None:
    """Record the rating, thank, close."""
    score = csat_score(ctx.signal)
    assert score is not None
    ctx.emit(CsatRecorded(score))
    ctx.say(ctx.catalog.csat_thanks())
    close(ctx, _served_outcome(ctx.state))


def close_quietly(ctx: Ctx) -> None:
    """No rating came: close without another message."""
    close(ctx, _served_outcome(ctx.state))


def close_without_rating(ctx: Ctx) -> None:
    """A 'thanks' instead of a rating: say goodbye and close."""
    ctx.say(SendText(f"Por nada! A {ctx.catalog.isp_name} agradece. Até a próxima! 👋"))
    close(ctx, _served_outcome(ctx.state))


def warn_idle(ctx: Ctx) -> None:
    """Silence: ask whether the customer is still there, and close later."""
    ctx.keep_idle_timers = True
    ctx.say(ctx.catalog.idle_warning())
    ctx.set_timer(CLOSE_TIMER, ctx.policy.idle_close_seconds)


def close_inactive(ctx: Ctx) -> None:
    """Still silent after the warning: say goodbye and close."""
    ctx.say(ctx.catalog.idle_closed())
    close(ctx, "inactive" if ctx.state.intents else "abandoned")


def _served_outcome(s: ConversationState) -> str:
    return "handed_off" if s.handed_off else "resolved"


def close(ctx: Ctx, outcome: str) -> None:
    """End the session: the fact (with the agent and reason when an agent closed it), a fresh state."""
    s = ctx.state
    ctx.cancel_all_timers()
    if s.closed_by:
        outcome = CLOSED_BY_AGENT
    if s.agent_task is not None:
        task = s.agent_task
        ctx.cancel_timer(COMMAND_TIMER)
        ctx.emit(ActionCompleted(task.command_id, task.agent_id, task.action, "invalid", ENDED_BEFORE_RESULT))
    ctx.emit(ConversationClosed(outcome, tuple(s.intents), reason=s.close_reason, agent_id=s.closed_by))
    ctx.keep_idle_timers = True
    fresh = ConversationState(
        conversation_id=s.conversation_id,
        step=Step.CLOSED,
        phone_number_id=s.phone_number_id,
        reply_to=s.reply_to,
        profile_name=s.profile_name,
        seen=s.seen,
    )
    ctx.state = fresh


def mask_customer_text(text: str) -> str:
    """Customer text as stored and shown to others: documents and phone numbers masked."""
    return mask_text(text)
