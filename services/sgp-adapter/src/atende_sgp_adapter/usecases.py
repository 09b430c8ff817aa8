"""Use cases the ``sgp.requests`` handlers call: one per request kind, each returning an outcome.

They never raise billing errors: every failure becomes ``Unavailable`` (answer fast, offer a human)
or ``NotFound``. Only programming errors propagate (and end in the dead-letter topic).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from atende_sgp_adapter import metrics
from atende_sgp_adapter.domain.documents import mask_document
from atende_sgp_adapter.domain.models import (
    ConnectionStatus,
    Customer,
    DueInvoicePage,
    Invoice,
    Outage,
    PaymentPromiseResult,
    TicketReceipt,
    TicketRequest,
)
from atende_sgp_adapter.domain.outcomes import NotFound, Unavailable, UnavailableReason
from atende_sgp_adapter.errors import (
    BillingMisconfigured,
    BillingNotFound,
    BillingUnavailable,
    SgpCircuitOpen,
)
from atende_sgp_adapter.ports import IspBillingSystem, PromiseLedger

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class ConnectionReport:
    """Connection status plus the outages affecting the contract's POP."""

    status: ConnectionStatus
    outages: Sequence[Outage]


def _unavailable(exc: Exception, operation: str) -> Unavailable:
    if isinstance(exc, SgpCircuitOpen):
        reason = UnavailableReason.CIRCUIT_OPEN
    elif isinstance(exc, BillingMisconfigured):
        reason = UnavailableReason.MISCONFIGURED
        logger.error("billing system misconfigured", extra={"operation": operation, "error_message": str(exc)})
    else:
        reason = UnavailableReason.DOWN
    logger.warning("billing system unavailable", extra={"operation": operation, "reason": reason.value})
    return Unavailable(reason=reason)


async def _guard(operation: str, what: str, call: Callable[[], Awaitable[T]]) -> T | NotFound | Unavailable:
    try:
        return await call()
    except BillingNotFound:
        return NotFound(what=what)
    except (BillingUnavailable, BillingMisconfigured) as exc:
        return _unavailable(exc, operation)


async def lookup_customer(billing: IspBillingSystem, document: str) -> Customer | NotFound | Unavailable:
    """Customer and contracts by CPF/CNPJ."""
    result = await _guard("lookup_customer", "customer", lambda: billing.find_customer(document))
    if result is None:
        logger.info("customer not found", extra={"doc": mask_document(document)})
        return NotFound(what="customer")
    return result


async def list_invoices(billing: IspBillingSystem, contract_id: str) -> Sequence[Invoice] | NotFound | Unavailable:
    """Open invoices of a contract (PDF link, linha digitável, PIX)."""
    return await _guard("list_invoices", "contract", lambda: billing.list_open_invoices(contract_id))


async def list_due_invoices(
    billing: IspBillingSystem, due_in_days: int, limit: int, offset: int
) -> DueInvoicePage | Unavailable:
    """Campaign audience: open bills due ``due_in_days`` from today with payer name and mobile."""
    result = await _guard(
        "list_due_invoices", "audience", lambda: billing.list_due_invoices(due_in_days, limit, offset)
    )
    # An unknown window is an empty audience, never "not found".
    return DueInvoicePage(items=(), total=0, offset=offset, limit=limit) if isinstance(result, NotFound) else result


async def get_pix(billing: IspBillingSystem, contract_id: str, invoice_id: str) -> str | NotFound | Unavailable:
    """PIX copia-e-cola of one invoice."""
    result = await _guard("get_pix", "invoice", lambda: billing.get_pix(contract_id, invoice_id))
    return NotFound(what="pix") if result is None else result


async def check_connection(
    billing: IspBillingSystem, contract_id: str, pop_id: str | None
) -> ConnectionReport | NotFound | Unavailable:
    """Connection status and the outages on the contract's POP (outage errors do not hide status)."""
    status = await _guard("connection_status", "contract", lambda: billing.connection_status(contract_id))
    if not isinstance(status, ConnectionStatus):
        return status
    outages = await _guard("active_outages", "outage", lambda: billing.active_outages(pop_id))
    return ConnectionReport(status=status, outages=tuple(outages) if isinstance(outages, Sequence) else ())


async def check_connection_by_contract(
    billing: IspBillingSystem, contract_id: str
) -> ConnectionReport | NotFound | Unavailable:
    """Connection report when only the contract is known (its POP comes from the cached customer)."""
    owner = await _guard(
        "find_customer_by_contract", "contract", lambda: billing.find_customer_by_contract(contract_id)
    )
    contract = owner.contract(contract_id) if isinstance(owner, Customer) else None
    return await check_connection(billing, contract_id, contract.pop_id if contract else None)


async def open_ticket(
    billing: IspBillingSystem, contract_id: str, ticket: TicketRequest
) -> TicketReceipt | NotFound | Unavailable:
    """Open a support ticket."""
    return await _guard("open_ticket", "contract", lambda: billing.open_ticket(contract_id, ticket))


async def request_payment_promise(
    billing: IspBillingSystem,
    ledger: PromiseLedger,
    *,
    request_id: str,
    contract_id: str,
    replay_wait_s: float = 20.0,
) -> PaymentPromiseResult | NotFound | Unavailable:
    """Register a payment promise at most once per ``request_id``.

    A replay returns the stored result; a concurrent replay waits for it. If the call fails the
    claim is released so the replay can try again, and SGP's own rules (quota, "not blocked")
    refuse a second unlock if the first one did go through.
    """
    stored = await ledger.get(request_id)
    if stored is not None:
        metrics.PROMISE_REPLAYS.inc()
        return stored
    if not await ledger.claim(request_id):
        metrics.PROMISE_REPLAYS.inc()
        waited = await ledger.wait(request_id, replay_wait_s)
        return waited if waited is not None else Unavailable(reason=UnavailableReason.DOWN)
    result = await _guard("payment_promise", "contract", lambda: billing.request_payment_promise(contract_id))
    if isinstance(result, PaymentPromiseResult):
        await ledger.put(request_id, result)
        logger.info(
            "payment promise answered",
            extra={"contract_id": contract_id, "outcome": result.outcome.value},
        )
    else:
        await ledger.release(request_id)
    return result
