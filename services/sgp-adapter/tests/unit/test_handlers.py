"""The sgp.requests handler maps each operation to one SgpResult."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import pytest

from atende.sgp.v1 import sgp_pb2 as pb
from atende_sgp_adapter.domain import (
    ConnectionState,
    ConnectionStatus,
    Contract,
    ContractStatus,
    Customer,
    DocumentKind,
    DueInvoice,
    DueInvoicePage,
    Invoice,
    Outage,
    PaymentPromiseResult,
    PromiseOutcome,
    TicketReceipt,
    TicketRequest,
)
from atende_sgp_adapter.errors import ContractNotFound, SgpCircuitOpen
from atende_sgp_adapter.handlers import SgpRequestHandler

pytestmark = pytest.mark.unit


class Billing:
    """A hand-written fake billing system with fixed answers."""

    def __init__(self) -> None:
        self.tickets: list[tuple[str, TicketRequest]] = []
        self.audience_queries: list[tuple[int, int, int]] = []
        self.down = False

    async def find_customer(self, document: str) -> Customer | None:
        if self.down:
            raise SgpCircuitOpen("open")
        if document != "12345678909":
            return None
        return Customer(
            customer_id="1",
            name="MARIA",
            document=document,
            document_kind=DocumentKind.CPF,
            contracts=(
                Contract(
                    contract_id="90000",
                    status=ContractStatus.SUSPENDED,
                    status_label="Suspenso",
                    pop_id="3",
                    open_amount=Decimal("89.90"),
                    open_invoice_count=1,
                ),
            ),
        )

    async def find_customer_by_contract(self, contract_id: str) -> Customer | None:
        return await self.find_customer("12345678909")

    async def list_open_invoices(self, contract_id: str) -> Sequence[Invoice]:
        if contract_id != "90000":
            raise ContractNotFound(contract_id)
        return [
            Invoice(
                invoice_id="7",
                contract_id="90000",
                due_date=date(2026, 11, 10),
                amount=Decimal("89.90"),
                updated_amount=Decimal("92.15"),
                boleto_url="http://x/b.pdf",
                digitable_line="123",
                pix_copy_paste="000201",
            )
        ]

    async def get_pix(self, contract_id: str, invoice_id: str) -> str | None:
        return "000201"

    async def list_due_invoices(self, due_in_days: int, limit: int, offset: int = 0) -> DueInvoicePage:
        if self.down:
            raise SgpCircuitOpen("open")
        self.audience_queries.append((due_in_days, limit, offset))
        if due_in_days != 3:
            return DueInvoicePage(items=(), total=0, offset=offset, limit=limit)
        (invoice,) = await self.list_open_invoices("90000")
        item = DueInvoice(customer_name="MARIA", phone="5598988881000", invoice=invoice)
        return DueInvoicePage(items=(item,), total=21, offset=offset, limit=limit)

    async def request_payment_promise(self, contract_id: str) -> PaymentPromiseResult:
        return PaymentPromiseResult(contract_id=contract_id, outcome=PromiseOutcome.QUOTA, message="limite")

    async def connection_status(self, contract_id: str) -> ConnectionStatus:
        return ConnectionStatus(contract_id=contract_id, state=ConnectionState.OFFLINE)

    async def active_outages(self, pop_id: str | None = None) -> Sequence[Outage]:
        outage = Outage(
            outage_id="1",
            title="Fibra",
            customer_message="Rompimento",
            starts_at=None,
            ends_at=None,
            severity=4,
            pop_ids=("3",),
        )
        return [outage] if pop_id == "3" else []

    async def open_ticket(self, contract_id: str, ticket: TicketRequest) -> TicketReceipt:
        self.tickets.append((contract_id, ticket))
        return TicketReceipt(contract_id=contract_id, protocol="P-1")


class Ledger:
    """Minimal in-memory ledger."""

    def __init__(self) -> None:
        self.done: dict[str, PaymentPromiseResult] = {}

    async def get(self, request_id: str) -> PaymentPromiseResult | None:
        return self.done.get(request_id)

    async def claim(self, request_id: str) -> bool:
        return request_id not in self.done

    async def release(self, request_id: str) -> None:
        return None

    async def put(self, request_id: str, result: PaymentPromiseResult) -> None:
        self.done[request_id] = result

    async def wait(self, request_id: str, timeout_s: float) -> PaymentPromiseResult | None:
        return self.done.get(request_id)


@pytest.fixture
def billing() -> Billing:
    return Billing()


@pytest.fixture
def handler(billing: Billing) -> SgpRequestHandler:
    return SgpRequestHandler(billing, Ledger(), ticket_types={"no_connection": 200}, today=lambda: date(2026, 11, 25))


async def test_lookup_found_not_found_invalid_and_unavailable(handler: SgpRequestHandler, billing: Billing) -> None:
    found = await handler.answer(
        pb.SgpRequest(request_id="r", conversation_id="c", lookup_customer=pb.LookupCustomer(document="12345678909"))
    )
    assert found.request_id == "r"
    assert found.customer_found.document_masked == "***.456.789-**"
    assert found.customer_found.contracts[0].status == pb.CONTRACT_STATUS_SUSPENDED
    assert found.customer_found.contracts[0].open_amount_cents == 8990
    missing = await handler.answer(pb.SgpRequest(lookup_customer=pb.LookupCustomer(document="52998224725")))
    assert missing.WhichOneof("outcome") == "customer_not_found"
    invalid = await handler.answer(pb.SgpRequest(lookup_customer=pb.LookupCustomer(document="12345678900")))
    assert invalid.rejected.reason == "invalid_document"
    billing.down = True
    down = await handler.answer(pb.SgpRequest(lookup_customer=pb.LookupCustomer(document="12345678909")))
    assert down.unavailable.reason == "circuit_open"


async def test_invoices_carry_the_amount_due_today(handler: SgpRequestHandler) -> None:
    result = await handler.answer(pb.SgpRequest(list_open_invoices=pb.ListOpenInvoices(contract_id="90000")))
    (invoice,) = result.invoices.invoices
    assert invoice.amount_cents == 9215
    assert invoice.overdue
    assert invoice.pix_code == "000201"
    unknown = await handler.answer(pb.SgpRequest(list_open_invoices=pb.ListOpenInvoices(contract_id="1")))
    assert unknown.rejected.reason == "unknown_contract"


async def test_promise_connection_and_ticket(handler: SgpRequestHandler, billing: Billing) -> None:
    promise = await handler.answer(
        pb.SgpRequest(request_id="p1", register_payment_promise=pb.RegisterPaymentPromise(contract_id="90000"))
    )
    assert promise.payment_promise.outcome == pb.PaymentPromiseResult.OUTCOME_QUOTA_REACHED
    assert promise.payment_promise.message == "limite"
    connection = await handler.answer(pb.SgpRequest(check_connection=pb.CheckConnection(contract_id="90000")))
    assert connection.connection.state == pb.ConnectionReport.STATE_OFFLINE
    assert [o.customer_message for o in connection.connection.outages] == ["Rompimento"]
    ticket = await handler.answer(
        pb.SgpRequest(open_ticket=pb.OpenTicket(contract_id="90000", kind="no_connection", description="Sem sinal"))
    )
    assert ticket.ticket_opened.protocol == "P-1"
    ((_, request),) = billing.tickets
    assert request.type_code == 200
    assert request.create_work_order
    unsupported = await handler.answer(pb.SgpRequest(request_id="x"))
    assert unsupported.rejected.reason.startswith("unsupported_operation")


async def test_due_invoices_answer_the_audience_page(handler: SgpRequestHandler, billing: Billing) -> None:
    result = await handler.answer(
        pb.SgpRequest(request_id="a", list_due_invoices=pb.ListDueInvoices(due_in_days=3, limit=10, offset=20))
    )
    assert billing.audience_queries == [(3, 10, 20)]
    assert result.due_invoices.total == 21
    (item,) = result.due_invoices.items
    assert item.customer_name == "MARIA"
    assert item.phone == "5598988881000"
    assert item.invoice.invoice_id == "7"
    assert item.invoice.amount_cents == 9215
    assert item.invoice.pix_code == "000201"
    nobody = await handler.answer(pb.SgpRequest(list_due_invoices=pb.ListDueInvoices(due_in_days=4)))
    assert billing.audience_queries[-1] == (4, 250, 0)  # limit 0: the default page
    assert nobody.WhichOneof("outcome") == "due_invoices"  # an empty audience is an answer
    assert nobody.due_invoices.total == 0
    assert not nobody.due_invoices.items


async def test_due_invoices_reject_bad_queries_and_report_outages(handler: SgpRequestHandler, billing: Billing) -> None:
    for query, reason in (
        (pb.ListDueInvoices(due_in_days=400), "invalid_due_in_days"),
        (pb.ListDueInvoices(due_in_days=3, limit=5000), "invalid_paging"),
        (pb.ListDueInvoices(due_in_days=3, limit=-1), "invalid_paging"),
        (pb.ListDueInvoices(due_in_days=3, offset=-5), "invalid_paging"),
    ):
        result = await handler.answer(pb.SgpRequest(list_due_invoices=query))
        assert result.rejected.reason == reason
    assert billing.audience_queries == []
    billing.down = True
    down = await handler.answer(pb.SgpRequest(list_due_invoices=pb.ListDueInvoices(due_in_days=3)))
    assert down.unavailable.reason == "circuit_open"
