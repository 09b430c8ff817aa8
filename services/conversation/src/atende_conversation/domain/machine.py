"""The conversation state machine. Pure: `step(state, input, now=…, input_id=…, policy=…)` returns the
new state and the effects; nothing here does I/O.

How one input is handled:
1. `classify` names it as a `Signal`, given the current step: a button/list id ('choice:menu:bill'),
   'document' (text while a CPF is expected), 'agent_request' (the customer asks for a person),
   'text' (free text for the NLU), 'intent:<label>' / 'unsure' / 'upset' (NLU answers), 'sgp:<outcome>',
   'timeout:<kind>', 'agent:<action>', or 'late' (an answer or timer nobody waits for any more).
2. `TRANSITIONS` is read top to bottom; the first row whose steps, signal pattern and guard match runs
   its action. `to` documents where the row leads (actions set the step).
3. `_housekeeping` adds what every transition shares: mark-as-read, the greeting, the idle timer and
   the NLU context.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from . import actions as a
from . import choices as c
from . import commands as cmd
from .actions import CLOSE_TIMER, IDLE_TIMER, REPLY_TIMER, Action
from .context import COMMAND_TIMER, Ctx, Policy, Signal
from .effects import (
    Effect,
    MarkRead,
    RequestNlu,
    RequestSgp,
    SendButtons,
    SendDocument,
    SendList,
    SendText,
    text_of,
)
from .formatting import truncate
from .inputs import (
    AgentAction,
    AgentCommand,
    ConnectionStatus,
    CustomerFound,
    CustomerMessage,
    CustomerNotFound,
    Input,
    Invoices,
    LinkState,
    MessageKind,
    NluAnswer,
    PromiseOutcome,
    PromiseResult,
    SgpAnswer,
    SgpRejected,
    SgpUnavailable,
    TicketOpened,
    TimerFired,
)
from .messages import CONTRACTS_PER_PAGE, NO_CONNECTION_CHECKS, with_intro
from .model import ConversationState, PendingKind, Step, Turn
from .text import (
    asks_for_agent,
    asks_for_menu,
    document_digits,
    small_number,
    yes_or_no,
)

Guard = Callable[[Ctx], bool]

# --- groups of steps ------------------------------------------------------------------------------

ALL = frozenset(Step)
QUIET = frozenset({Step.HANDOFF_QUEUED, Step.WITH_AGENT})  # a person has the conversation
IDLE = frozenset({Step.START, Step.CLOSED})  # no session open
BUSY = frozenset(  # waiting for SGP
    {
        Step.LOOKING_UP,
        Step.FETCHING_INVOICES,
        Step.REGISTERING_PROMISE,
        Step.CHECKING_CONNECTION,
        Step.OPENING_TICKET,
    }
)
ACTIVE = ALL - QUIET - IDLE  # the bot leads the conversation
# Steps where a plain yes/no answers the buttons on screen: (yes id, no id).
YES_NO: dict[Step, tuple[str, str]] = {
    Step.CONFIRM_PROMISE: (c.PROMISE_YES, c.PROMISE_NO),
    Step.GUIDED_CHECK: (c.CHECK_OK, c.CHECK_FAIL),
    Step.ANYTHING_ELSE: (c.MENU_MAIN, c.END),
}


def _steps(*steps: Step) -> frozenset[Step]:
    return frozenset(steps)


# --- guards ---------------------------------------------------------------------------------------


def misunderstood_before(ctx: Ctx) -> bool:
    """The previous message was not understood either (second strike → a person)."""
    return ctx.state.misunderstandings + 1 >= ctx.policy.max_misunderstandings


def known_goal(ctx: Ctx) -> bool:
    """The choice or intent names a flow the bot serves."""
    return a.goal_of(ctx.signal) is not None


def intent_needs_human(ctx: Ctx) -> bool:
    """An intent only people serve."""
    return ctx.signal.name.removeprefix("intent:") in a.HUMAN_INTENTS


def document_valid(ctx: Ctx) -> bool:
    """CPF/CNPJ check digits match."""
    return a.document_is_valid(ctx.signal.arg)


def last_document_try(ctx: Ctx) -> bool:
    """This was the last of the allowed tries."""
    return ctx.state.document_attempts + 1 >= ctx.policy.max_document_attempts


def known_contract(ctx: Ctx) -> bool:
    """The chosen contract belongs to the identified customer."""
    customer = ctx.state.customer
    chosen = ctx.signal.name.removeprefix("choice:" + c.CONTRACT_PREFIX)
    return customer is not None and any(k.contract_id == chosen for k in customer.contracts)


def no_invoices(ctx: Ctx) -> bool:
    """Nothing open."""
    return (
        isinstance(ctx.input, SgpAnswer) and isinstance(ctx.input.outcome, Invoices) and not ctx.input.outcome.invoices
    )


def promise_granted(ctx: Ctx) -> bool:
    """SGP unlocked the connection."""
    outcome = ctx.input.outcome if isinstance(ctx.input, SgpAnswer) else None
    return isinstance(outcome, PromiseResult) and outcome.outcome is PromiseOutcome.GRANTED


def has_outage(ctx: Ctx) -> bool:
    """An active outage touches the customer."""
    outcome = ctx.input.outcome if isinstance(ctx.input, SgpAnswer) else None
    return isinstance(outcome, ConnectionStatus) and bool(outcome.outages)


def is_blocked(ctx: Ctx) -> bool:
    """The connection is blocked for non-payment."""
    outcome = ctx.input.outcome if isinstance(ctx.input, SgpAnswer) else None
    return isinstance(outcome, ConnectionStatus) and outcome.state is LinkState.BLOCKED


def more_checks(ctx: Ctx) -> bool:
    """Another troubleshooting step is left."""
    return ctx.state.check_index + 1 < len(NO_CONNECTION_CHECKS)


def waiting_nlu(ctx: Ctx) -> bool:
    """The timed-out request was the NLU's."""
    return ctx.settled is not None and ctx.settled.kind is PendingKind.NLU


def sgp_retry_left(ctx: Ctx) -> bool:
    """The timed-out SGP request may be sent once more."""
    settled = ctx.settled
    return settled is not None and settled.op is not None and settled.attempt < ctx.policy.sgp_attempts


def valid_score(ctx: Ctx) -> bool:
    """A 1-5 rating."""
    return a.csat_score(ctx.signal) is not None


# --- the transition table -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    """When the step is in `steps` and the signal matches `signal` (a trailing * matches a prefix) and
    `guard` holds, run `action`; `to` says where it leads."""

    steps: frozenset[Step]
    signal: str
    action: Action
    guard: Guard | None = None
    to: str = ""

    def matches(self, ctx: Ctx) -> bool:
        """True when this row handles the context's step and signal."""
        if ctx.state.step not in self.steps:
            return False
        name = ctx.signal.name
        hit = name.startswith(self.signal[:-1]) if self.signal.endswith("*") else name == self.signal
        return hit and (self.guard is None or self.guard(ctx))


TRANSITIONS: tuple[Row, ...] = (
    # Noise: recorded by the service, never answered.
    Row(ALL, "stale", a.ignore, to="same (a replayed backlog is not answered as new)"),
    Row(ALL, "reaction", a.ignore),
    Row(ALL, "late", a.ignore, to="same (an answer or timer nobody waits for)"),
    # Agents' commands from the console, in any step; they leave the step alone (commands.py).
    Row(ALL, "command:close", cmd.close, to="CSAT (solved, other) or CLOSED"),
    Row(ALL, "command:*", cmd.start, to="same (SGP asked beside the bot's own request)"),
    Row(ALL, "command_result", cmd.finish, to="same"),
    Row(ALL, "timeout:" + COMMAND_TIMER, cmd.gave_up, to="same"),
    # Agents act through the gateway's operator API; while a person has it, the bot is quiet.
    Row(ALL, "agent:accepted", a.agent_took_over, to="WITH_AGENT"),
    Row(QUIET, "agent:replied", a.agent_spoke, to="WITH_AGENT"),
    Row(QUIET, "agent:released", a.bot_resumes, to="ANYTHING_ELSE"),
    Row(ALL, "agent:*", a.ignore),
    Row(QUIET, "*", a.ignore, to="same (the bot stays quiet until released)"),
    # The first message after silence opens a session, then is handled as if the menu were on screen.
    Row(IDLE, "timeout:*", a.ignore),
    Row(IDLE, "*", a.open_session, to="MENU, then the row for the message"),
    # At any point: a person, the menu, a new flow, or the end.
    Row(ACTIVE, "agent_request", a.handoff("customer_request"), to="HANDOFF_QUEUED"),
    Row(ACTIVE, "choice:" + c.MENU_AGENT, a.handoff("customer_request"), to="HANDOFF_QUEUED"),
    Row(ACTIVE, "choice:" + c.MENU_MAIN, a.show_menu, to="MENU"),
    Row(ACTIVE, "choice:menu:*", a.start_goal, guard=known_goal, to="AWAIT_DOCUMENT or the flow's first step"),
    Row(_steps(Step.CONFIRM_VISIT), "choice:" + c.VISIT_CONFIRM + "*", a.confirm_visit, to="OPENING_TICKET"),
    Row(_steps(Step.CONFIRM_VISIT), "choice:" + c.VISIT_RESCHEDULE, a.handoff("visit_reschedule"), to="HANDOFF_QUEUED"),
    Row(ACTIVE, "choice:visit:*", a.start_goal, to="AWAIT_DOCUMENT or CONFIRM_VISIT (campaign quick reply)"),
    Row(ACTIVE, "choice:" + c.END, a.ask_csat, to="CSAT"),
    # Timeouts: a missing NLU/SGP answer, then inactivity.
    Row(ACTIVE, "timeout:reply", a.nlu_gave_up, guard=waiting_nlu, to="MENU"),
    Row(ACTIVE, "timeout:reply", a.retry_sgp_after_timeout, guard=sgp_retry_left, to="same (asked again)"),
    Row(ACTIVE, "timeout:reply", a.offer_sgp_retry, to="SGP_FAILED"),
    Row(_steps(Step.CSAT), "timeout:idle", a.close_quietly, to="CLOSED"),
    Row(ACTIVE, "timeout:idle", a.warn_idle, to="same (close timer set)"),
    Row(ACTIVE, "timeout:close", a.close_inactive, to="CLOSED"),
    # NLU answers to free text, in whatever step the text came.
    Row(ACTIVE, "upset", a.handoff("negative_sentiment"), to="HANDOFF_QUEUED"),
    Row(ACTIVE, "intent:falar_atendente", a.handoff("customer_request"), to="HANDOFF_QUEUED"),
    Row(_steps(Step.CSAT), "unsure", a.ask_csat_again, to="CSAT"),
    Row(_steps(Step.CSAT), "intent:fora_escopo", a.ask_csat_again, to="CSAT"),
    Row(_steps(Step.CSAT), "intent:agradecimento", a.close_without_rating, to="CLOSED"),
    Row(ACTIVE, "unsure", a.handoff("misunderstood_twice"), guard=misunderstood_before, to="HANDOFF_QUEUED"),
    Row(ACTIVE, "unsure", a.clarify, to="MENU"),
    Row(ACTIVE, "intent:fora_escopo", a.handoff("out_of_scope"), guard=misunderstood_before, to="HANDOFF_QUEUED"),
    Row(ACTIVE, "intent:fora_escopo", a.clarify, to="MENU"),
    Row(_steps(Step.CONFIRM_PROMISE), "intent:promessa_pagamento", a.register_promise, to="REGISTERING_PROMISE"),
    Row(_steps(Step.GUIDED_CHECK), "intent:sem_conexao", a.next_check, guard=more_checks, to="GUIDED_CHECK"),
    Row(_steps(Step.GUIDED_CHECK), "intent:sem_conexao", a.open_ticket, to="OPENING_TICKET"),
    Row(_steps(Step.GUIDED_CHECK), "intent:conexao_lenta", a.next_check, guard=more_checks, to="GUIDED_CHECK"),
    Row(_steps(Step.GUIDED_CHECK), "intent:conexao_lenta", a.open_ticket, to="OPENING_TICKET"),
    Row(ACTIVE, "intent:saudacao", a.show_menu, to="MENU"),
    Row(ACTIVE, "intent:agradecimento", a.ask_csat, to="CSAT"),
    Row(ACTIVE, "intent:informar_pagamento", a.payment_reported, to="ANYTHING_ELSE"),
    Row(ACTIVE, "intent:*", a.handoff_for_intent, guard=intent_needs_human, to="HANDOFF_QUEUED"),
    Row(ACTIVE, "intent:*", a.start_goal, guard=known_goal, to="AWAIT_DOCUMENT or the flow's first step"),
    Row(ACTIVE, "intent:*", a.clarify, to="MENU"),
    # Identification by CPF/CNPJ: check digits, at most three tries, then SGP.
    Row(_steps(Step.AWAIT_DOCUMENT), "document", a.look_up_customer, guard=document_valid, to="LOOKING_UP"),
    Row(
        _steps(Step.AWAIT_DOCUMENT),
        "document",
        a.handoff("identification_failed"),
        guard=last_document_try,
        to="HANDOFF_QUEUED",
    ),
    Row(_steps(Step.AWAIT_DOCUMENT), "document", a.ask_document_again, to="AWAIT_DOCUMENT"),
    Row(
        _steps(Step.LOOKING_UP),
        "sgp:found",
        a.customer_found,
        to="the flow's first step (one contract), CHOOSE_CONTRACT (several) or ANYTHING_ELSE (none)",
    ),
    Row(
        _steps(Step.LOOKING_UP),
        "sgp:not_found",
        a.handoff("customer_not_found"),
        guard=last_document_try,
        to="HANDOFF_QUEUED",
    ),
    Row(_steps(Step.LOOKING_UP), "sgp:not_found", a.not_found_ask_again, to="AWAIT_DOCUMENT"),
    Row(_steps(Step.CHOOSE_CONTRACT), "choice:" + c.CONTRACT_MORE, a.next_contract_page, to="CHOOSE_CONTRACT"),
    Row(
        _steps(Step.CHOOSE_CONTRACT),
        "choice:contract:*",
        a.choose_contract,
        guard=known_contract,
        to="the flow's first step",
    ),
    # Bill copy.
    Row(_steps(Step.FETCHING_INVOICES), "sgp:invoices", a.no_open_invoices, guard=no_invoices, to="ANYTHING_ELSE"),
    Row(_steps(Step.FETCHING_INVOICES), "sgp:invoices", a.send_invoices, to="ANYTHING_ELSE"),
    # Payment promise: the customer confirms, SGP decides.
    Row(_steps(Step.CONFIRM_PROMISE), "choice:" + c.PROMISE_YES, a.register_promise, to="REGISTERING_PROMISE"),
    Row(_steps(Step.CONFIRM_PROMISE), "choice:" + c.PROMISE_NO, a.anything_else, to="ANYTHING_ELSE"),
    Row(_steps(Step.REGISTERING_PROMISE), "sgp:promise", a.promise_granted, guard=promise_granted, to="ANYTHING_ELSE"),
    Row(_steps(Step.REGISTERING_PROMISE), "sgp:promise", a.promise_refused, to="ANYTHING_ELSE"),
    # No connection / slow connection: status and outages, guided checks, then a ticket.
    Row(_steps(Step.CHECKING_CONNECTION), "sgp:connection", a.report_outage, guard=has_outage, to="ANYTHING_ELSE"),
    Row(_steps(Step.CHECKING_CONNECTION), "sgp:connection", a.report_blocked, guard=is_blocked, to="ANYTHING_ELSE"),
    Row(_steps(Step.CHECKING_CONNECTION), "sgp:connection", a.first_check, to="GUIDED_CHECK"),
    Row(_steps(Step.GUIDED_CHECK), "choice:" + c.CHECK_OK, a.check_worked, to="ANYTHING_ELSE"),
    Row(_steps(Step.GUIDED_CHECK), "choice:" + c.CHECK_FAIL, a.next_check, guard=more_checks, to="GUIDED_CHECK"),
    Row(_steps(Step.GUIDED_CHECK), "choice:" + c.CHECK_FAIL, a.open_ticket, to="OPENING_TICKET"),
    Row(_steps(Step.OPENING_TICKET), "sgp:ticket", a.ticket_opened, to="ANYTHING_ELSE"),
    # SGP trouble.
    Row(BUSY, "sgp:unavailable", a.offer_sgp_retry, to="SGP_FAILED"),
    Row(BUSY, "sgp:*", a.sgp_rejected, to="SGP_FAILED (rejected, or an answer that does not fit)"),
    Row(_steps(Step.SGP_FAILED), "choice:" + c.RETRY, a.retry_sgp, to="the step that failed"),
    # Closing survey.
    Row(_steps(Step.CSAT), "choice:csat:*", a.record_csat, guard=valid_score, to="CLOSED"),
    Row(_steps(Step.CSAT), "choice:csat:*", a.ask_csat_again, to="CSAT"),
    # While SGP works, the customer waits.
    Row(BUSY, "text", a.please_wait, to="same"),
    Row(BUSY, "media", a.please_wait, to="same"),
    Row(BUSY, "choice:*", a.please_wait, to="same"),
    # Free text goes to the NLU; anything else shows the menu again.
    Row(ACTIVE, "text", a.read_text, to="same (NLU asked)"),
    Row(ACTIVE, "media", a.media_not_understood, to="MENU"),
    Row(ACTIVE, "choice:*", a.option_gone, to="MENU"),
    Row(ALL, "*", a.ignore),
)


# --- classification -------------------------------------------------------------------------------


def classify(state: ConversationState, event: Input, policy: Policy) -> Signal:
    """Name an input for the table, given where the conversation is."""
    match event:
        case CustomerMessage():
            return _classify_message(state, event)
        case NluAnswer():
            if state.pending is None or state.pending.request_id != event.request_id:
                return Signal("late")
            if event.sentiment == "negativo" and event.sentiment_intensity >= policy.negative_sentiment_min:
                return Signal("upset")
            if event.confidence < policy.nlu_min_confidence:
                return Signal("unsure")
            return Signal(f"intent:{event.intent}")
        case SgpAnswer():
            if state.agent_task is not None and state.agent_task.request_id == event.request_id:
                return Signal("command_result")
            if state.pending is None or state.pending.request_id != event.request_id:
                return Signal("late")
            return Signal(_SGP_SIGNALS[type(event.outcome)])
        case TimerFired():
            if state.timers.get(event.kind) != event.token:
                return Signal("late")
            return Signal(f"timeout:{event.kind}")
        case AgentAction():
            return Signal(f"agent:{event.kind.value}")
        case AgentCommand():
            return Signal(f"command:{event.action}")


_SGP_SIGNALS: dict[type, str] = {
    CustomerFound: "sgp:found",
    CustomerNotFound: "sgp:not_found",
    Invoices: "sgp:invoices",
    PromiseResult: "sgp:promise",
    ConnectionStatus: "sgp:connection",
    TicketOpened: "sgp:ticket",
    SgpUnavailable: "sgp:unavailable",
    SgpRejected: "sgp:rejected",
}


def _classify_message(state: ConversationState, message: CustomerMessage) -> Signal:
    if message.stale:
        return Signal("stale")
    if message.kind is MessageKind.REACTION:
        return Signal("reaction")
    if message.kind is MessageKind.CHOICE:
        return Signal(f"choice:{message.choice_id}")
    if message.kind is MessageKind.MEDIA:
        return Signal("media")
    text = message.text
    if state.step in QUIET:
        return Signal("text")
    if asks_for_agent(text):
        return Signal("agent_request")
    if asks_for_menu(text):
        return Signal(f"choice:{c.MENU_MAIN}")
    if state.step is Step.AWAIT_DOCUMENT:
        return Signal("document", document_digits(text))
    if state.step in YES_NO and (answer := yes_or_no(text)) is not None:
        yes, no = YES_NO[state.step]
        return Signal(f"choice:{yes if answer else no}")
    number = small_number(text)
    if number is not None and state.step is Step.CSAT:
        return Signal(f"choice:{c.CSAT_PREFIX}{number}")
    if number is not None and state.step is Step.CHOOSE_CONTRACT and (chosen := _contract_by_number(state, number)):
        return Signal(f"choice:{c.CONTRACT_PREFIX}{chosen}")
    return Signal("text")


def _contract_by_number(state: ConversationState, number: int) -> str:
    """A typed row number of the page on screen, or a contract id."""
    if state.customer is None:
        return ""
    contracts = state.customer.contracts
    if any(k.contract_id == str(number) for k in contracts):
        return str(number)
    index = state.contract_page * CONTRACTS_PER_PAGE + number - 1
    on_page = 1 <= number <= CONTRACTS_PER_PAGE and index < len(contracts)
    return contracts[index].contract_id if on_page else ""


# --- one step -------------------------------------------------------------------------------------

SEEN_CAPACITY = 32
_MAX_REDISPATCH = 4


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one input: new state, effects in order, and how the input was read."""

    state: ConversationState
    effects: tuple[Effect, ...]
    signal: str
    transition: str = ""
    duplicate: bool = False


def input_key(input_id: str) -> str:
    """The short hash of an input id kept in `state.seen` for deduplication."""
    return hashlib.sha256(input_id.encode()).hexdigest()[:16]


def step(state: ConversationState, event: Input, *, now: datetime, input_id: str, policy: Policy) -> Outcome:
    """Apply one input to a conversation. The same `input_id` twice is a no-op (dedup)."""
    key = input_key(input_id)
    if key in state.seen:
        return Outcome(state, (), "duplicate", duplicate=True)
    ctx = Ctx(copy.deepcopy(state), event, now, input_id, policy)
    ctx.signal = classify(ctx.state, event, policy)
    ctx.redispatch = _redispatch
    previous = ctx.state.step
    _prelude(ctx)
    transition = _dispatch(ctx, depth=0)
    _housekeeping(ctx, previous)
    ctx.state.seen = [*ctx.state.seen, key][-SEEN_CAPACITY:]
    return Outcome(ctx.state, tuple(ctx.effects), ctx.signal.name, transition)


def _redispatch(ctx: Ctx) -> None:
    """Run the table again after an action changed the step or the signal (bounded)."""
    ctx.depth += 1
    _dispatch(ctx, depth=ctx.depth)


def _dispatch(ctx: Ctx, *, depth: int) -> str:
    if depth > _MAX_REDISPATCH:
        msg = f"transition loop at {ctx.state.step} on {ctx.signal.name}"
        raise RuntimeError(msg)
    for row in TRANSITIONS:
        if row.matches(ctx):
            row.action(ctx)
            return f"{ctx.state.step}:{getattr(row.action, '__name__', 'action')}"
    return "none"


def _prelude(ctx: Ctx) -> None:
    """Settle the awaited request or timer, and remember who the customer is."""
    s, event, name = ctx.state, ctx.input, ctx.signal.name
    if isinstance(event, NluAnswer | SgpAnswer) and name not in ("late", "command_result"):
        ctx.settled, s.pending = s.pending, None
        ctx.cancel_timer(REPLY_TIMER)
    elif isinstance(event, TimerFired) and name != "late":
        s.timers.pop(event.kind, None)
        if event.kind == REPLY_TIMER:
            ctx.settled, s.pending = s.pending, None
    elif isinstance(event, CustomerMessage):
        s.phone_number_id = event.phone_number_id or s.phone_number_id
        s.reply_to = event.reply_to or s.reply_to
        s.profile_name = event.profile_name or s.profile_name
        if event.kind is MessageKind.TEXT and not event.stale:
            s.last_customer_text = truncate(a.mask_customer_text(event.text), 500)
    if name.startswith("choice:") or (name.startswith("intent:") and name != "intent:fora_escopo"):
        s.misunderstandings = 0


def _housekeeping(ctx: Ctx, previous: Step) -> None:
    """Mark as read, greet once per session, merge intros, restart the idle timer, keep NLU context."""
    s = ctx.state
    event = ctx.input
    if ctx.intro:
        _merge_intro(ctx, "\n\n".join(ctx.intro))
    sends = ctx.sends()
    if sends and not s.greeted and s.step is not Step.CLOSED:
        s.greeted = True
        _merge_intro(ctx, ctx.catalog.greeting(s.profile_name))
        sends = ctx.sends()
    replying = isinstance(event, CustomerMessage) and not event.stale and previous not in QUIET
    if replying and isinstance(event, CustomerMessage) and event.kind is not MessageKind.REACTION:
        # "typing…" only when an answer follows (now, or once the NLU/SGP replies).
        answering = bool(sends) or any(isinstance(e, RequestNlu | RequestSgp) for e in ctx.effects)
        ctx.effects.insert(0, MarkRead(event.message_id, typing_indicator=answering))
    if sends and s.step in ACTIVE and not ctx.keep_idle_timers:
        ctx.cancel_timer(CLOSE_TIMER)
        ctx.set_timer(IDLE_TIMER, ctx.policy.idle_warn_seconds)
    if s.step in (Step.CLOSED, Step.START):
        return
    if isinstance(event, CustomerMessage) and event.kind is MessageKind.TEXT and not event.stale:
        s.turns.append(Turn("customer", truncate(a.mask_customer_text(event.text), 300)))
    s.turns.extend(Turn("bot", truncate(text_of(send), 300)) for send in sends)
    s.turns = s.turns[-ctx.policy.context_turns :]
    if s.step is not Step.SGP_FAILED:
        s.retry_op, s.retry_step = None, None


def _merge_intro(ctx: Ctx, intro: str) -> None:
    """Put `intro` at the top of the first message sent, or send it alone."""
    for index, effect in enumerate(ctx.effects):
        if isinstance(effect, SendDocument):
            ctx.effects.insert(index, SendText(intro))
            break
        if isinstance(effect, SendText | SendButtons | SendList):
            ctx.effects[index] = with_intro(effect, intro)
            break
    else:
        ctx.effects.append(SendText(intro))
    ctx.intro.clear()
