"""``sgp.requests`` subscriber: decode → one use case → publish ``sgp.results`` (thin by design)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Protocol

from google.protobuf.message import Message

from atende.conversation.v1 import conversation_pb2 as conv
from atende.sgp.v1 import sgp_pb2 as pb
from atende_core.audit import AuditTrail
from atende_core.bus import Bus, Envelope, topics
from atende_core.documents import is_valid_cnpj, is_valid_cpf
from atende_sgp_adapter import usecases
from atende_sgp_adapter.audit import record_erp_write
from atende_sgp_adapter.domain.documents import mask_document
from atende_sgp_adapter.domain.models import (
    MAX_AUDIENCE_PAGE,
    MAX_DUE_IN_DAYS,
    ConnectionState,
    ContractStatus,
    Customer,
    DueInvoicePage,
    Invoice,
    Outage,
    PaymentPromiseResult,
    PromiseOutcome,
    TicketReceipt,
    TicketRequest,
)
from atende_sgp_adapter.domain.outcomes import NotFound, Unavailable
from atende_sgp_adapter.errors import BillingError
from atende_sgp_adapter.ports import IspBillingSystem, PromiseLedger

logger = logging.getLogger(__name__)
GROUP = "sgp-adapter"
DEFAULT_AUDIENCE_PAGE = 250  # when a ListDueInvoices request leaves limit at 0
# Ticket kinds from the event schema that need a technician (an O.S.), not only an ocorrência.
_WORK_ORDER_KINDS = frozenset({"no_connection", "technician_visit"})
_OUTCOMES = {
    PromiseOutcome.GRANTED: pb.PaymentPromiseResult.OUTCOME_GRANTED,
    PromiseOutcome.QUOTA: pb.PaymentPromiseResult.OUTCOME_QUOTA_REACHED,
    PromiseOutcome.NOT_BLOCKED: pb.PaymentPromiseResult.OUTCOME_NOT_BLOCKED,
    PromiseOutcome.NOT_ELIGIBLE: pb.PaymentPromiseResult.OUTCOME_NOT_ELIGIBLE,
    PromiseOutcome.ERROR: pb.PaymentPromiseResult.OUTCOME_ERROR,
}
_CONTRACT_STATUS = {
    ContractStatus.UNKNOWN: pb.CONTRACT_STATUS_UNSPECIFIED,
    ContractStatus.ACTIVE: pb.CONTRACT_STATUS_ACTIVE,
    ContractStatus.INACTIVE: pb.CONTRACT_STATUS_INACTIVE,
    ContractStatus.CANCELLED: pb.CONTRACT_STATUS_CANCELLED,
    ContractStatus.SUSPENDED: pb.CONTRACT_STATUS_SUSPENDED,
    ContractStatus.TECHNICALLY_UNFEASIBLE: pb.CONTRACT_STATUS_TECHNICALLY_UNFEASIBLE,
    ContractStatus.NEW: pb.CONTRACT_STATUS_NEW,
    ContractStatus.SPEED_REDUCED: pb.CONTRACT_STATUS_REDUCED_SPEED,
}
_STATES = {
    ConnectionState.ONLINE: pb.ConnectionReport.STATE_ONLINE,
    ConnectionState.OFFLINE: pb.ConnectionReport.STATE_OFFLINE,
    ConnectionState.BLOCKED: pb.ConnectionReport.STATE_BLOCKED,
    ConnectionState.UNKNOWN: pb.ConnectionReport.STATE_UNKNOWN,
}


def _cents(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


def customer_found(customer: Customer) -> pb.CustomerFound:
    """Domain customer → event (document masked, no secrets)."""
    return pb.CustomerFound(
        customer_id=customer.customer_id,
        name=customer.name,
        document_masked=mask_document(customer.document),
        contracts=[
            pb.Contract(
                contract_id=c.contract_id,
                status=_CONTRACT_STATUS[c.status],
                plan=c.plan,
                address=", ".join(
                    p for p in (c.address.street, c.address.number, c.address.district, c.address.city) if p
                ),
                pop_id=c.pop_id or "",
                open_invoice_count=c.open_invoice_count,
                open_amount_cents=_cents(c.open_amount),
            )
            for c in customer.contracts
        ],
    )


def _invoice(invoice: Invoice, *, today: date) -> pb.Invoice:
    """Domain invoice → event; the amount is what the customer pays today (corrected when overdue)."""
    return pb.Invoice(
        invoice_id=invoice.invoice_id,
        contract_id=invoice.contract_id,
        due_date=invoice.due_date.isoformat(),
        amount_cents=_cents(invoice.updated_amount or invoice.amount),
        pdf_url=invoice.boleto_url or "",
        digitable_line=invoice.digitable_line or "",
        pix_code=invoice.pix_copy_paste or "",
        overdue=invoice.is_overdue(today),
    )


def invoice_list(contract_id: str, invoices: Sequence[Invoice], *, today: date) -> pb.InvoiceList:
    """Open invoices → event."""
    return pb.InvoiceList(contract_id=contract_id, invoices=[_invoice(i, today=today) for i in invoices])


def due_invoices(page: DueInvoicePage, *, today: date) -> pb.DueInvoices:
    """Campaign audience page → event (the phone is the payer's WhatsApp mobile, "" when none)."""
    return pb.DueInvoices(
        items=[
            pb.DueInvoice(customer_name=i.customer_name, phone=i.phone or "", invoice=_invoice(i.invoice, today=today))
            for i in page.items
        ],
        total=page.total,
    )


def promise_result(result: PaymentPromiseResult) -> pb.PaymentPromiseResult:
    """Promise result → event (SGP's refusal text for agents only)."""
    return pb.PaymentPromiseResult(
        contract_id=result.contract_id,
        outcome=_OUTCOMES[result.outcome],
        days=result.days or 0,
        until=result.until.isoformat() if result.until else "",
        protocol=result.protocol or "",
        message=result.message or "",
    )


def _outage(outage: Outage) -> pb.Outage:
    return pb.Outage(
        title=outage.title,
        customer_message=outage.customer_message,
        starts_at=outage.starts_at.isoformat() if outage.starts_at else "",
        ends_at=outage.ends_at.isoformat() if outage.ends_at else "",
        severity=outage.severity,
    )


class SgpRequestHandler:
    """Answers each ``SgpRequest`` with exactly one ``SgpResult`` (result, rejected or unavailable)."""

    def __init__(
        self,
        billing: IspBillingSystem,
        ledger: PromiseLedger,
        *,
        ticket_types: dict[str, int] | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._billing = billing
        self._ledger = ledger
        self._ticket_types = ticket_types or {}
        self._today = today

    async def answer(self, request: pb.SgpRequest) -> pb.SgpResult:
        """Run the use case for the request's operation."""
        result = pb.SgpResult(request_id=request.request_id, conversation_id=request.conversation_id)
        operation = request.WhichOneof("operation")
        if operation == "lookup_customer":
            document = request.lookup_customer.document
            if not (is_valid_cpf(document) or is_valid_cnpj(document)):
                result.rejected.reason = "invalid_document"
                return result
            found = await usecases.lookup_customer(self._billing, document)
            if isinstance(found, Customer):
                result.customer_found.CopyFrom(customer_found(found))
            elif isinstance(found, NotFound):
                result.customer_not_found.document_masked = mask_document(document)
            else:
                result.unavailable.reason = found.reason.value
        elif operation == "list_open_invoices":
            contract_id = request.list_open_invoices.contract_id
            invoices = await usecases.list_invoices(self._billing, contract_id)
            if isinstance(invoices, Unavailable | NotFound):
                self._fail(result, invoices)
            else:
                result.invoices.CopyFrom(invoice_list(contract_id, invoices, today=self._today()))
        elif operation == "register_payment_promise":
            promise = await usecases.request_payment_promise(
                self._billing,
                self._ledger,
                request_id=request.request_id,
                contract_id=request.register_payment_promise.contract_id,
            )
            if isinstance(promise, PaymentPromiseResult):
                result.payment_promise.CopyFrom(promise_result(promise))
            else:
                self._fail(result, promise)
        elif operation == "check_connection":
            contract_id = request.check_connection.contract_id
            report = await usecases.check_connection_by_contract(self._billing, contract_id)
            if isinstance(report, usecases.ConnectionReport):
                result.connection.contract_id = contract_id
                result.connection.state = _STATES[report.status.state]
                result.connection.outages.extend(_outage(o) for o in report.outages)
            else:
                self._fail(result, report)
        elif operation == "open_ticket":
            ticket = request.open_ticket
            receipt = await usecases.open_ticket(
                self._billing,
                ticket.contract_id,
                TicketRequest(
                    text=ticket.description or ticket.kind,
                    type_code=self._ticket_types.get(ticket.kind),
                    contact_name=ticket.contact_name or None,
                    contact_phone=ticket.contact_phone or None,
                    create_work_order=ticket.kind in _WORK_ORDER_KINDS,
                ),
            )
            if isinstance(receipt, TicketReceipt):
                result.ticket_opened.contract_id = receipt.contract_id
                result.ticket_opened.protocol = receipt.protocol
            else:
                self._fail(result, receipt)
        elif operation == "list_due_invoices":
            await self._answer_due_invoices(request.list_due_invoices, result)
        else:
            result.rejected.reason = f"unsupported_operation:{operation}"
        return result

    async def _answer_due_invoices(self, query: pb.ListDueInvoices, result: pb.SgpResult) -> None:
        if abs(query.due_in_days) > MAX_DUE_IN_DAYS:
            result.rejected.reason = "invalid_due_in_days"
            return
        limit = query.limit or DEFAULT_AUDIENCE_PAGE
        if not 1 <= limit <= MAX_AUDIENCE_PAGE or query.offset < 0:
            result.rejected.reason = "invalid_paging"
            return
        page = await usecases.list_due_invoices(self._billing, query.due_in_days, limit, query.offset)
        if isinstance(page, Unavailable):
            result.unavailable.reason = page.reason.value
            return
        result.due_invoices.CopyFrom(due_invoices(page, today=self._today()))
        result.due_invoices.SetInParent()  # an empty audience is still an answer

    @staticmethod
    def _fail(result: pb.SgpResult, outcome: Unavailable | NotFound) -> None:
        if isinstance(outcome, NotFound):
            result.rejected.reason = f"unknown_{outcome.what}"
        else:
            result.unavailable.reason = outcome.reason.value


def subscribe(bus: Bus, handler: SgpRequestHandler, *, concurrency: int = 1, audit: AuditTrail | None = None) -> None:
    """Consume ``sgp.requests`` and publish one ``sgp.results`` event per request (keyed by conversation).

    With `audit`, each payment promise and ticket is recorded on ``audit.events`` before it is answered.
    """

    async def on_request(request: pb.SgpRequest, envelope: Envelope) -> None:
        result = await handler.answer(request)
        if audit is not None:
            await record_erp_write(audit, request, result)
        await bus.publish(topics.SGP_RESULTS, result, key=request.conversation_id or envelope.key or request.request_id)
        logger.info(
            "sgp request answered",
            extra={"operation": request.WhichOneof("operation"), "outcome": result.WhichOneof("outcome")},
        )

    bus.subscribe(topics.SGP_REQUESTS, on_request, group=GROUP, concurrency=concurrency)


class PhoneWarmer(Protocol):
    """What warming on conversation start needs from the cache."""

    async def warm_for_phone(self, phone: str) -> int: ...


def subscribe_warming(bus: Bus, cache: PhoneWarmer) -> None:
    """Warm the cache for the customer behind a conversation as it starts (from its WhatsApp number).

    Other conversation facts are not ours. A failure only means a cold cache later: logged, not retried.
    """

    async def on_conversation_event(event: Message, envelope: Envelope) -> None:
        # The conversation id is pseudonymous: the number travels in the event.
        if not isinstance(event, conv.ConversationStarted) or not event.wa_id:
            return
        try:
            warmed = await cache.warm_for_phone(event.wa_id)
        except BillingError as exc:
            logger.info("cache warming skipped", extra={"error_type": type(exc).__name__})
            return
        logger.debug("cache warmed for a new conversation", extra={"customers": warmed})

    # The warming is a read: a redelivery only repeats it, so no handle-once round trips.
    bus.subscribe(topics.CONVERSATION_EVENTS, on_conversation_event, group=f"{GROUP}-warming", idempotent=False)
