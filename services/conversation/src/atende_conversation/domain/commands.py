"""Agents' commands from the console (AgentActionRequested): the bot's own flows, run for an agent.

A command works whatever the step: its SGP request travels beside whatever the bot waits for
(`state.agent_task`, not `state.pending`), and it leaves the step alone, so a conversation an agent
holds stays with the agent and one the bot leads goes on where it was. The customer reads the bot's
catalog texts for a result (the bill, the unlock, the protocol); refusals and failures go to the agent
only, as the pt-BR detail of `ActionCompleted`, who decides what to tell the customer.

    command ──► invalid? (closed, not identified, unknown contract, one already in flight) ─► ActionCompleted
       │
       └──► RequestSgp + timer ──► SGP answer ──► customer messages (done) + ActionCompleted
                                └► timeout ─────► ActionCompleted(unavailable)
"""

from __future__ import annotations

from . import actions as a
from .context import COMMAND_TIMER, Ctx
from .effects import ActionCompleted, RequestSgp, SendText
from .formatting import date_br, money
from .inputs import (
    AgentCommand,
    CommandKind,
    Invoices,
    PromiseOutcome,
    PromiseResult,
    SgpAnswer,
    SgpRejected,
    SgpUnavailable,
    TicketOpened,
)
from .model import AgentTask, SgpOp, Step

DONE, REJECTED, UNAVAILABLE, INVALID = "done", "rejected", "unavailable", "invalid"
TICKET_KINDS = frozenset({"no_connection", "slow_connection", "technician_visit", "other"})
CLOSE_REASONS = frozenset({"solved", "no_answer", "spam", "duplicate", "other"})
# Reasons whose close asks the bot's satisfaction survey first; the others close at once.
SURVEYED = frozenset({"solved", "other"})
_OPERATIONS = {
    CommandKind.SEND_BILL: "list_open_invoices",
    CommandKind.REGISTER_PROMISE: "register_payment_promise",
    CommandKind.OPEN_TICKET: "open_ticket",
}
_PROMISE_REFUSALS = {
    PromiseOutcome.QUOTA_REACHED: "o desbloqueio em confiança já foi usado neste período",
    PromiseOutcome.NOT_BLOCKED: "a conexão não está bloqueada",
    PromiseOutcome.NOT_ELIGIBLE: "o status do contrato não permite desbloqueio em confiança",
    PromiseOutcome.ERROR: "o SGP respondeu com erro",
}


def _command(ctx: Ctx) -> AgentCommand:
    command = ctx.input
    assert isinstance(command, AgentCommand)
    return command


def _complete(ctx: Ctx, command_id: str, agent_id: str, action: str, outcome: str, detail: str) -> None:
    ctx.emit(ActionCompleted(command_id, agent_id, action, outcome, detail))


def _refuse(ctx: Ctx, detail: str) -> None:
    command = _command(ctx)
    _complete(ctx, command.command_id, command.agent_id, command.action, INVALID, detail)


def _problem(ctx: Ctx, command: AgentCommand) -> str:
    """Why the command cannot run now ('' when it can)."""
    s = ctx.state
    if command.action not in _OPERATIONS:
        return "Ação desconhecida."
    if s.step in (Step.START, Step.CLOSED):
        return "A conversa está encerrada."
    if s.customer is None:
        return "O cliente ainda não foi identificado pelo CPF/CNPJ."
    contract = command.contract_id or s.contract_id
    if not contract:
        return "Escolha um contrato do cliente."
    if all(k.contract_id != contract for k in s.customer.contracts):
        return f"O contrato {contract} não é deste cliente."
    if command.action == CommandKind.OPEN_TICKET and command.ticket_kind not in TICKET_KINDS:
        return "Tipo de chamado inválido."
    if s.agent_task is not None:
        return "Outra ação ainda aguarda o SGP; tente de novo em instantes."
    return ""


def start(ctx: Ctx) -> None:
    """send_bill, register_promise, open_ticket: ask SGP for the agent, beside the bot's own request."""
    command = _command(ctx)
    problem = _problem(ctx, command)
    if problem:
        _refuse(ctx, problem)
        return
    s = ctx.state
    contract = command.contract_id or s.contract_id
    action = CommandKind(command.action)
    if action is CommandKind.OPEN_TICKET:
        description = command.description.strip() or "Chamado aberto por um atendente pelo WhatsApp."
        op = a.ticket_op(ctx, command.ticket_kind, description, contract_id=contract)
    else:
        op = SgpOp(name=_OPERATIONS[action], contract_id=contract)
    request_id = ctx.new_id("command-sgp")
    s.agent_task = AgentTask(command.command_id, command.agent_id, action.value, request_id, op)
    ctx.effects.append(RequestSgp(request_id, op))
    ctx.set_timer(COMMAND_TIMER, ctx.policy.sgp_timeout_seconds * ctx.policy.sgp_attempts)


def finish(ctx: Ctx) -> None:
    """SGP answered the agent's request: the customer reads the result, the agent the detail."""
    s = ctx.state
    task = s.agent_task
    answer = ctx.input
    assert task is not None
    assert isinstance(answer, SgpAnswer)
    s.agent_task = None
    ctx.cancel_timer(COMMAND_TIMER)
    outcome, detail = _result(ctx, task, answer)
    _complete(ctx, task.command_id, task.agent_id, task.action, outcome, detail)


def _result(ctx: Ctx, task: AgentTask, answer: SgpAnswer) -> tuple[str, str]:
    contract = task.op.contract_id
    match answer.outcome:
        case SgpUnavailable():
            return UNAVAILABLE, "O SGP está indisponível agora; tente de novo em instantes."
        case SgpRejected(reason=reason):
            return REJECTED, f"O SGP recusou o pedido ({reason or 'sem motivo'})."
        case Invoices() as found if task.action == CommandKind.SEND_BILL:
            if not found.invoices:
                ctx.say(SendText(ctx.catalog.no_open_invoices()))
                return DONE, f"Nenhuma fatura em aberto no contrato {contract}; o cliente foi avisado."
            sent = a.say_invoices(ctx, found)
            bills = ", ".join(f"{date_br(v.due_date)} ({money(v.amount_cents)})" for v in sent)
            return DONE, f"Enviada(s) {len(sent)} fatura(s) do contrato {contract}: vencimento {bills}."
        case PromiseResult() as promise if task.action == CommandKind.REGISTER_PROMISE:
            if promise.outcome is PromiseOutcome.GRANTED:
                ctx.say(SendText(ctx.catalog.promise_granted(promise.until, promise.protocol)))
                protocol = f" Protocolo {promise.protocol}." if promise.protocol else ""
                return DONE, f"Liberado em confiança até {date_br(promise.until)}.{protocol}"
            return REJECTED, f"Desbloqueio recusado: {_PROMISE_REFUSALS[promise.outcome]}."
        case TicketOpened(protocol=protocol) if task.action == CommandKind.OPEN_TICKET:
            ctx.say(SendText(ctx.catalog.ticket_opened(protocol)))
            return DONE, f"Chamado aberto no contrato {contract}: protocolo {protocol}."
    return REJECTED, "O SGP deu uma resposta que não corresponde ao pedido."


def gave_up(ctx: Ctx) -> None:
    """No SGP answer in time: the agent hears it, the customer nothing (the agent decides)."""
    s = ctx.state
    task = s.agent_task
    if task is None:
        return
    s.agent_task = None
    waited = round(ctx.policy.sgp_timeout_seconds * ctx.policy.sgp_attempts)
    _complete(ctx, task.command_id, task.agent_id, task.action, UNAVAILABLE, f"O SGP não respondeu em {waited} s.")


def close(ctx: Ctx) -> None:
    """An agent ends the conversation: solved/other with the bot's survey first, the rest at once."""
    command = _command(ctx)
    s = ctx.state
    if s.step in (Step.START, Step.CLOSED):
        _refuse(ctx, "A conversa já está encerrada.")
        return
    if command.reason not in CLOSE_REASONS:
        _refuse(ctx, "Motivo de encerramento inválido.")
        return
    s.close_reason, s.closed_by = command.reason, command.agent_id
    s.pending = None
    s.agent_id = ""
    if command.reason in SURVEYED:
        ctx.cancel_all_timers()
        a.ask_csat(ctx)
        detail = "Pesquisa de satisfação enviada; a conversa se encerra com a resposta do cliente."
        _complete(ctx, command.command_id, command.agent_id, command.action, DONE, detail)
        return
    if command.reason == "no_answer":
        ctx.say(ctx.catalog.idle_closed())
    _complete(ctx, command.command_id, command.agent_id, command.action, DONE, "Conversa encerrada.")
    a.close(ctx, a.CLOSED_BY_AGENT)
