"""The audit entry of each ERP write the bot makes: outcome, target, details without personal data."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf.message import Message

from atende.audit.v1.audit_pb2 import AuditEntryRecorded
from atende.sgp.v1 import sgp_pb2 as pb
from atende_core.audit import AuditTrail
from atende_sgp_adapter.audit import describe, entry_id, record_erp_write

pytestmark = pytest.mark.unit
PROMISE = pb.SgpRequest(
    request_id="req-1",
    conversation_id="conv-1",
    register_payment_promise=pb.RegisterPaymentPromise(contract_id="90004"),
)
TICKET = pb.SgpRequest(
    request_id="req-2",
    conversation_id="conv-1",
    open_ticket=pb.OpenTicket(
        contract_id="90000",
        kind="no_connection",
        description="sem internet, CPF 529.982.247-25",
        contact_name="Maria da Silva",
        contact_phone="5511987654321",
    ),
)


def result(**outcome: Any) -> pb.SgpResult:
    return pb.SgpResult(request_id="req", conversation_id="conv-1", **outcome)


@pytest.mark.parametrize(
    ("promise_outcome", "expected", "sgp_outcome"),
    [
        (pb.PaymentPromiseResult.OUTCOME_GRANTED, "ok", "granted"),
        (pb.PaymentPromiseResult.OUTCOME_QUOTA_REACHED, "refused", "quota_reached"),
        (pb.PaymentPromiseResult.OUTCOME_NOT_BLOCKED, "refused", "not_blocked"),
        (pb.PaymentPromiseResult.OUTCOME_NOT_ELIGIBLE, "refused", "not_eligible"),
        (pb.PaymentPromiseResult.OUTCOME_ERROR, "failed", "error"),
    ],
)
def test_a_payment_promise_is_audited_with_its_outcome(
    promise_outcome: pb.PaymentPromiseResult.Outcome.ValueType, expected: str, sgp_outcome: str
) -> None:
    answer = result(payment_promise=pb.PaymentPromiseResult(contract_id="90004", outcome=promise_outcome, days=3))
    described = describe(PROMISE, answer)
    assert described is not None
    action, target, outcome, details = described
    assert (action, target, outcome) == ("sgp.payment_promise", "90004", expected)
    assert details["sgp_outcome"] == sgp_outcome
    assert details["request_id"] == "req-1"
    assert details["conversation_id"] == "conv-1"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (result(rejected=pb.Rejected(reason="unknown_contract")), "refused"),
        (result(unavailable=pb.Unavailable(reason="circuit_open")), "failed"),
    ],
)
def test_a_write_the_billing_system_did_not_take_is_audited_as_refused_or_failed(
    answer: pb.SgpResult, expected: str
) -> None:
    for request in (PROMISE, TICKET):
        described = describe(request, answer)
        assert described is not None
        assert described[2] == expected
        assert described[3]["reason"] in {"unknown_contract", "circuit_open"}


def test_a_ticket_is_audited_without_the_contact_or_the_description() -> None:
    described = describe(TICKET, result(ticket_opened=pb.TicketOpened(contract_id="90000", protocol="P-77")))
    assert described is not None
    action, target, outcome, details = described
    assert (action, target, outcome) == ("sgp.ticket", "90000", "ok")
    assert details == {
        "request_id": "req-2",
        "conversation_id": "conv-1",
        "result": "ticket_opened",
        "kind": "no_connection",
        "protocol": "P-77",
    }


def test_a_ticket_without_a_contract_targets_the_conversation() -> None:
    request = pb.SgpRequest(request_id="r", conversation_id="conv-9", open_ticket=pb.OpenTicket(kind="other"))
    described = describe(request, result(ticket_opened=pb.TicketOpened(protocol="P-1")))
    assert described is not None
    assert described[1] == "conv-9"


def test_reads_are_not_audited() -> None:
    lookup = pb.SgpRequest(request_id="r", lookup_customer=pb.LookupCustomer(document="52998224725"))
    assert describe(lookup, result(customer_not_found=pb.CustomerNotFound())) is None
    invoices = pb.SgpRequest(request_id="r", list_open_invoices=pb.ListOpenInvoices(contract_id="90000"))
    assert describe(invoices, result(invoices=pb.InvoiceList())) is None


def test_the_entry_id_is_the_same_for_every_delivery_of_one_request() -> None:
    again = pb.SgpRequest()
    again.CopyFrom(PROMISE)
    assert entry_id(again) == entry_id(PROMISE)
    assert entry_id(PROMISE) != entry_id(TICKET)
    other = pb.SgpRequest(request_id="req-3", register_payment_promise=pb.RegisterPaymentPromise(contract_id="90004"))
    assert entry_id(other) != entry_id(PROMISE)


class RecordingBus:
    """Stands in for the bus: records what the audit trail publishes."""

    def __init__(self) -> None:
        self.published: list[tuple[str, Message, str, str | None]] = []

    async def publish(self, topic: str, event: Message, *, key: str, event_id: str | None = None) -> str:
        self.published.append((topic, event, key, event_id))
        return event_id or ""


async def test_the_entry_is_published_by_the_bot_with_the_deterministic_id() -> None:
    bus = RecordingBus()
    trail = AuditTrail(bus, source="sgp-adapter")  # type: ignore[arg-type]
    answer = result(payment_promise=pb.PaymentPromiseResult(outcome=pb.PaymentPromiseResult.OUTCOME_GRANTED))
    await record_erp_write(trail, PROMISE, answer)
    await record_erp_write(trail, pb.SgpRequest(request_id="x", lookup_customer=pb.LookupCustomer()), answer)
    ((topic, event, key, event_id),) = bus.published
    assert isinstance(event, AuditEntryRecorded)
    assert (topic, key, event_id) == ("audit.events", "sgp-adapter", entry_id(PROMISE))
    assert event.actor_kind == AuditEntryRecorded.ACTOR_KIND_BOT
    assert event.source == "sgp-adapter"
