"""Audit entries for the writes the bot makes to the ISP's system through this service.

Every payment promise and ticket the adapter executes is recorded on `audit.events` (actor: the bot,
this service) with its outcome (ok, refused, failed), the contract as target and no personal data
(no contact name, phone or free-text description). The entry id is derived from the SGP request's id,
so a redelivered or replayed request records one entry: the auth service stores an entry id once.
"""

from __future__ import annotations

import uuid

from atende.sgp.v1 import sgp_pb2 as pb
from atende_core.audit import BOT, AuditTrail

ACTOR = "sgp-adapter"
ACTIONS = {"register_payment_promise": "sgp.payment_promise", "open_ticket": "sgp.ticket"}
# Fixed forever: changing it would give replays of old requests new entry ids.
_NAMESPACE = uuid.UUID("0b7f8a52-3c1e-5d7a-9e4b-6a2f1c8d9e30")
_PROMISE_REFUSALS = {
    pb.PaymentPromiseResult.OUTCOME_QUOTA_REACHED,
    pb.PaymentPromiseResult.OUTCOME_NOT_BLOCKED,
    pb.PaymentPromiseResult.OUTCOME_NOT_ELIGIBLE,
}


def entry_id(request: pb.SgpRequest) -> str:
    """The audit entry id of an ERP write: the same for every delivery of the same SGP request."""
    return str(uuid.uuid5(_NAMESPACE, f"{request.WhichOneof('operation')}:{request.request_id}"))


def _promise(result: pb.SgpResult, details: dict[str, str]) -> str:
    promise = result.payment_promise
    details["sgp_outcome"] = pb.PaymentPromiseResult.Outcome.Name(promise.outcome).removeprefix("OUTCOME_").lower()
    details["days"] = str(promise.days) if promise.days else ""
    details["protocol"] = promise.protocol
    if promise.outcome == pb.PaymentPromiseResult.OUTCOME_GRANTED:
        return "ok"
    return "refused" if promise.outcome in _PROMISE_REFUSALS else "failed"


def describe(request: pb.SgpRequest, result: pb.SgpResult) -> tuple[str, str, str, dict[str, str]] | None:
    """(action, target, outcome, details) of an audited request, None for reads."""
    operation = request.WhichOneof("operation")
    action = ACTIONS.get(operation or "")
    if action is None:
        return None
    answer = result.WhichOneof("outcome") or ""
    details = {"request_id": request.request_id, "conversation_id": request.conversation_id, "result": answer}
    if operation == "open_ticket":
        target = request.open_ticket.contract_id or request.conversation_id
        details["kind"] = request.open_ticket.kind
    else:
        target = request.register_payment_promise.contract_id or request.conversation_id
    if answer == "payment_promise":
        outcome = _promise(result, details)
    elif answer == "ticket_opened":
        outcome, details["protocol"] = "ok", result.ticket_opened.protocol
    elif answer == "rejected":
        outcome, details["reason"] = "refused", result.rejected.reason
    else:
        outcome, details["reason"] = "failed", result.unavailable.reason if answer == "unavailable" else "no_answer"
    return action, target, outcome, {k: v for k, v in details.items() if v}


async def record_erp_write(trail: AuditTrail, request: pb.SgpRequest, result: pb.SgpResult) -> None:
    """Publish the audit entry of a payment promise or ticket (nothing for reads)."""
    described = describe(request, result)
    if described is None:
        return
    action, target, outcome, details = described
    await trail.record(
        actor_kind=BOT,
        actor_id=ACTOR,
        action=action,
        target=target,
        outcome=outcome,
        details=details,
        entry_id=entry_id(request),
    )
