"""Ports: what the sgp-adapter's use cases need from the world."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

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


@runtime_checkable
class IspBillingSystem(Protocol):
    """An ISP billing system (SGP today; IXCSoft, Hubsoft or MK later).

    Methods raise the ``errors.BillingError`` tree; they never return SGP-shaped data or secrets.
    """

    async def find_customer(self, document: str) -> Customer | None:
        """Customer and contracts by CPF/CNPJ (digits or masked); None when unknown."""
        ...

    async def documents_by_phone(self, phone: str) -> Sequence[str]:
        """CPF/CNPJ digits of the customers who registered this phone (a WhatsApp number); may be empty."""
        ...

    async def find_customer_by_contract(self, contract_id: str) -> Customer | None:
        """Customer holding ``contract_id`` (its other contracts may be missing); None if unknown."""
        ...

    async def list_open_invoices(self, contract_id: str) -> Sequence[Invoice]:
        """Open invoices of a contract, oldest due date first."""
        ...

    async def get_pix(self, contract_id: str, invoice_id: str) -> str | None:
        """PIX copia-e-cola for one open invoice; None when the system has none."""
        ...

    async def list_due_invoices(self, due_in_days: int, limit: int, offset: int = 0) -> DueInvoicePage:
        """Campaign audience: open bills due exactly ``due_in_days`` from today (negative: overdue),
        each with its payer's name and WhatsApp mobile; ``offset``/``limit`` page the system's list."""
        ...

    async def request_payment_promise(self, contract_id: str) -> PaymentPromiseResult:
        """Trust unlock; refusals come back as a result with a typed outcome, not an error."""
        ...

    async def connection_status(self, contract_id: str) -> ConnectionStatus:
        """Online / offline / blocked for a contract's service."""
        ...

    async def active_outages(self, pop_id: str | None = None) -> Sequence[Outage]:
        """Outages active now, limited to ``pop_id`` when given."""
        ...

    async def open_ticket(self, contract_id: str, ticket: TicketRequest) -> TicketReceipt:
        """Open a support ticket and return its protocol."""
        ...


class PromiseLedger(Protocol):
    """Remembers payment-promise results by request id so replays never register twice."""

    async def get(self, request_id: str) -> PaymentPromiseResult | None:
        """The stored result for ``request_id``, if any."""
        ...

    async def claim(self, request_id: str) -> bool:
        """Mark ``request_id`` in progress; False when another worker already holds it."""
        ...

    async def release(self, request_id: str) -> None:
        """Drop a claim whose call failed so that a replay may try again."""
        ...

    async def put(self, request_id: str, result: PaymentPromiseResult) -> None:
        """Store the final result for ``request_id``."""
        ...

    async def wait(self, request_id: str, timeout_s: float) -> PaymentPromiseResult | None:
        """Wait (bounded) for the result another worker is producing."""
        ...
