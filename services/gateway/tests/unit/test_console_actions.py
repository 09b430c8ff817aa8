"""The console's action requests and the customer panel's reading of SGP, without infrastructure."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from atende.sgp.v1 import sgp_pb2 as sgp
from atende_gateway.console.action_models import ActionRequest
from atende_gateway.console.actions_api import action_requested, command_id
from atende_gateway.console.customer_panel import bills_of, connection_of, promise_eligibility

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("body", "oneof", "fields"),
    [
        ({"action": "send_bill", "contract_id": "26515"}, "send_bill", {"contract_id": "26515"}),
        ({"action": "register_promise"}, "register_promise", {"contract_id": ""}),
        (
            {"action": "open_ticket", "contract_id": "7", "kind": "slow_connection", "description": "lento à noite"},
            "open_ticket",
            {"contract_id": "7", "kind": "slow_connection", "description": "lento à noite"},
        ),
        ({"action": "close", "reason": "duplicate"}, "close", {"reason": "duplicate"}),
    ],
)
def test_a_request_becomes_the_bus_command(body: dict[str, Any], oneof: str, fields: dict[str, str]) -> None:
    event = action_requested("c1.x", "ana", "cmd-1", ActionRequest.model_validate(body))
    assert (event.command_id, event.conversation_id, event.agent_id) == ("cmd-1", "c1.x", "ana")
    assert event.WhichOneof("action") == oneof
    assert {name: getattr(getattr(event, oneof), name) for name in fields} == fields
    assert event.HasField("occurred_at")


@pytest.mark.parametrize(
    "body",
    [
        {"action": "open_ticket"},
        {"action": "close"},
        {"action": "close", "reason": "tired"},
        {"action": "send_bill", "reason": "spam"},
        {"action": "send_bill", "kind": "other"},
        {"action": "send_bill", "contract_id": "26515; DROP"},
        {"action": "open_ticket", "kind": "other", "description": "x" * 1001},
        {"action": "send_bill", "agent_id": "someone-else"},
    ],
)
def test_requests_that_do_not_fit_their_action_are_refused(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ActionRequest.model_validate(body)


def test_command_ids_follow_the_idempotency_key() -> None:
    assert command_id("c1.x", "ana", "k1") == command_id("c1.x", "ana", "k1")
    assert command_id("c1.x", "ana", "k1") != command_id("c1.x", "bia", "k1")
    assert command_id("c1.x", "ana", None) != command_id("c1.x", "ana", None)


@pytest.mark.parametrize(
    ("status", "connection", "eligible", "words"),
    [
        ("suspended", "blocked", True, None),
        ("active", "blocked", True, None),
        ("reduced_speed", "online", True, None),
        ("active", "online", False, "não está bloqueada"),
        ("cancelled", "blocked", False, "cancelado"),
        ("inactive", "unknown", False, "inativo"),
    ],
)
def test_promise_eligibility_from_what_sgp_reports(
    status: str, connection: str, eligible: bool, words: str | None
) -> None:
    answer, reason = promise_eligibility(status, connection)
    assert answer is eligible
    assert (reason is None) if words is None else (words in (reason or ""))


def test_sgp_answers_read_as_bills_and_connection() -> None:
    invoices = sgp.SgpResult(
        invoices=sgp.InvoiceList(
            invoices=[
                sgp.Invoice(invoice_id="b", due_date="2026-04-01", amount_cents=100),
                sgp.Invoice(invoice_id="a", due_date="2026-03-01", amount_cents=12345, overdue=True),
            ]
        )
    )
    assert bills_of(invoices) == [
        {"invoice_id": "a", "due_date": "2026-03-01", "amount": 123.45, "overdue": True},
        {"invoice_id": "b", "due_date": "2026-04-01", "amount": 1.0, "overdue": False},
    ]
    assert bills_of(sgp.SgpResult(rejected=sgp.Rejected(reason="unknown_contract"))) == []
    offline = sgp.SgpResult(connection=sgp.ConnectionReport(state=sgp.ConnectionReport.STATE_OFFLINE))
    assert connection_of(offline) == "offline"
    assert connection_of(sgp.SgpResult(unavailable=sgp.Unavailable())) == "unknown"
    assert connection_of(None) == "unknown"
