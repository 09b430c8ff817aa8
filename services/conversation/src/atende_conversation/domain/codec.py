"""The state as plain JSON-ready dicts (compact keys are not worth the obscurity; states are ~1-2 KB)."""

from __future__ import annotations

from typing import Any

from .model import (
    AgentTask,
    ContractInfo,
    ConversationState,
    Customer,
    Goal,
    Pending,
    PendingKind,
    SgpOp,
    Step,
    Turn,
)

FORMAT = 1


def _op_to_dict(op: SgpOp | None) -> dict[str, str] | None:
    if op is None:
        return None
    return {k: v for k, v in _op_fields(op).items() if v}


def _op_fields(op: SgpOp) -> dict[str, str]:
    return {
        "name": op.name,
        "document": op.document,
        "contract_id": op.contract_id,
        "ticket_kind": op.ticket_kind,
        "description": op.description,
        "contact_name": op.contact_name,
        "contact_phone": op.contact_phone,
    }


def _op_from_dict(data: dict[str, str] | None) -> SgpOp | None:
    return None if data is None else SgpOp(**data)


def _task_to_dict(task: AgentTask | None) -> dict[str, Any] | None:
    if task is None:
        return None
    return {
        "command_id": task.command_id,
        "agent_id": task.agent_id,
        "action": task.action,
        "request_id": task.request_id,
        "op": _op_to_dict(task.op),
    }


def _task_from_dict(data: dict[str, Any] | None) -> AgentTask | None:
    if data is None:
        return None
    op = SgpOp(**data["op"])
    return AgentTask(data["command_id"], data["agent_id"], data["action"], data["request_id"], op)


def state_to_dict(state: ConversationState) -> dict[str, Any]:
    """Serialize a state."""
    pending = state.pending
    customer = state.customer
    return {
        "format": FORMAT,
        "conversation_id": state.conversation_id,
        "step": state.step.value,
        "session_id": state.session_id,
        "started_at": state.started_at,
        "phone_number_id": state.phone_number_id,
        "reply_to": state.reply_to,
        "profile_name": state.profile_name,
        "greeted": state.greeted,
        "goal": state.goal.value if state.goal else None,
        "intents": list(state.intents),
        "document_attempts": state.document_attempts,
        "customer": None
        if customer is None
        else {
            "customer_id": customer.customer_id,
            "name": customer.name,
            "document_masked": customer.document_masked,
            "contracts": [[k.contract_id, k.status, k.plan, k.address] for k in customer.contracts],
            "document_index": customer.document_index,
        },
        "contract_id": state.contract_id,
        "contract_page": state.contract_page,
        "pending": None
        if pending is None
        else {
            "kind": pending.kind.value,
            "request_id": pending.request_id,
            "attempt": pending.attempt,
            "op": _op_to_dict(pending.op),
        },
        "retry_op": _op_to_dict(state.retry_op),
        "retry_step": state.retry_step.value if state.retry_step else None,
        "timers": dict(state.timers),
        "misunderstandings": state.misunderstandings,
        "check_index": state.check_index,
        "wait_notice_sent": state.wait_notice_sent,
        "handed_off": state.handed_off,
        "agent_id": state.agent_id,
        "agent_task": _task_to_dict(state.agent_task),
        "close_reason": state.close_reason,
        "closed_by": state.closed_by,
        "last_customer_text": state.last_customer_text,
        "turns": [[t.role, t.text] for t in state.turns],
        "seen": list(state.seen),
    }


def state_from_dict(data: dict[str, Any]) -> ConversationState:
    """Deserialize a state written by `state_to_dict`."""
    customer = data.get("customer")
    pending = data.get("pending")
    return ConversationState(
        conversation_id=data["conversation_id"],
        step=Step(data["step"]),
        session_id=data.get("session_id", ""),
        started_at=data.get("started_at", ""),
        phone_number_id=data.get("phone_number_id", ""),
        reply_to=data.get("reply_to", ""),
        profile_name=data.get("profile_name", ""),
        greeted=bool(data.get("greeted")),
        goal=Goal(data["goal"]) if data.get("goal") else None,
        intents=list(data.get("intents", [])),
        document_attempts=int(data.get("document_attempts", 0)),
        customer=None
        if customer is None
        else Customer(
            customer_id=customer["customer_id"],
            name=customer["name"],
            document_masked=customer["document_masked"],
            contracts=tuple(ContractInfo(*k) for k in customer["contracts"]),
            document_index=customer.get("document_index", ""),
        ),
        contract_id=data.get("contract_id", ""),
        contract_page=int(data.get("contract_page", 0)),
        pending=None
        if pending is None
        else Pending(
            kind=PendingKind(pending["kind"]),
            request_id=pending["request_id"],
            attempt=int(pending.get("attempt", 1)),
            op=_op_from_dict(pending.get("op")),
        ),
        retry_op=_op_from_dict(data.get("retry_op")),
        retry_step=Step(data["retry_step"]) if data.get("retry_step") else None,
        timers=dict(data.get("timers", {})),
        misunderstandings=int(data.get("misunderstandings", 0)),
        check_index=int(data.get("check_index", 0)),
        wait_notice_sent=bool(data.get("wait_notice_sent")),
        handed_off=bool(data.get("handed_off")),
        agent_id=data.get("agent_id", ""),
        agent_task=_task_from_dict(data.get("agent_task")),
        close_reason=data.get("close_reason", ""),
        closed_by=data.get("closed_by", ""),
        last_customer_text=data.get("last_customer_text", ""),
        turns=[Turn(role, text) for role, text in data.get("turns", [])],
        seen=list(data.get("seen", [])),
    )
