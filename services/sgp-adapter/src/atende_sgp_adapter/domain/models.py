"""Typed, ISP-agnostic billing models the rest of Atende sees (no SGP field names, no secrets)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import IntEnum, StrEnum

from pydantic import BaseModel, ConfigDict

from atende_sgp_adapter.domain.documents import DocumentKind


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ContractStatus(IntEnum):
    """Contract status codes (SGP's numbering, shared by most Brazilian ISP systems)."""

    UNKNOWN = 0
    ACTIVE = 1
    INACTIVE = 2
    CANCELLED = 3
    SUSPENDED = 4
    TECHNICALLY_UNFEASIBLE = 5
    NEW = 6
    SPEED_REDUCED = 7

    @property
    def blocked(self) -> bool:
        """True when the customer's access is restricted for non-payment."""
        return self in (ContractStatus.SUSPENDED, ContractStatus.SPEED_REDUCED)


class Address(_Model):
    """Service address of a contract."""

    street: str = ""
    number: str = ""
    district: str = ""
    city: str = ""
    state: str = ""
    zip_code: str = ""


class Contract(_Model):
    """One service contract; actions (invoices, promise, tickets) need its ``contract_id``."""

    contract_id: str
    status: ContractStatus
    status_label: str
    plan: str = ""
    pop_id: str | None = None
    pop_name: str | None = None
    address: Address = Address()
    open_amount: Decimal = Decimal("0")
    open_invoice_count: int = 0
    promises_this_month: int | None = None


class Customer(_Model):
    """A customer found by CPF/CNPJ, with every contract."""

    customer_id: str
    name: str
    document: str
    document_kind: DocumentKind | None
    contracts: tuple[Contract, ...]
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    registered_at: datetime | None = None

    def contract(self, contract_id: str) -> Contract | None:
        """The contract with ``contract_id``, if this customer holds it."""
        return next((c for c in self.contracts if c.contract_id == contract_id), None)


class Invoice(_Model):
    """An open bill with what the customer needs to pay it."""

    invoice_id: str
    contract_id: str
    due_date: date
    original_due_date: date | None = None
    amount: Decimal
    updated_amount: Decimal | None = None
    boleto_url: str | None = None
    payment_page_url: str | None = None
    digitable_line: str | None = None
    barcode: str | None = None
    pix_copy_paste: str | None = None

    def is_overdue(self, today: date) -> bool:
        """True when the (original) due date has passed."""
        return (self.original_due_date or self.due_date) < today


MAX_AUDIENCE_PAGE = 1000  # items per audience page (about 0.5 MB as one event)
MAX_DUE_IN_DAYS = 366


class DueInvoice(_Model):
    """One bill of a billing-campaign audience and whom to send it to."""

    customer_name: str
    phone: str | None  # WhatsApp digits (55 + DDD + number); None when no registered mobile
    invoice: Invoice
    # Every open bill of the invoice's contract, when the billing system proved the list complete;
    # the cache writes it through as that contract's open invoices. None when unproven.
    contract_open_invoices: tuple[Invoice, ...] | None = None


class DueInvoicePage(_Model):
    """A page of an audience: ``offset``/``total`` count the billing system's due bills, so a page
    may hold fewer than ``limit`` items when some bills were unusable."""

    items: tuple[DueInvoice, ...]
    total: int
    offset: int
    limit: int


class PromiseOutcome(StrEnum):
    """How the billing system answered a payment promise (trust unlock)."""

    GRANTED = "granted"
    QUOTA = "quota"  # the period's allowance is used up
    NOT_BLOCKED = "not_blocked"  # nothing to unlock
    NOT_ELIGIBLE = "not_eligible"  # e.g. cancelled contract
    ERROR = "error"  # refused for a reason the system did not classify


class PaymentPromiseResult(_Model):
    """Result of a payment promise; ``message`` is only set for refusals (safe to show)."""

    contract_id: str
    outcome: PromiseOutcome
    days: int | None = None
    until: date | None = None
    protocol: str | None = None
    message: str | None = None

    @property
    def granted(self) -> bool:
        """True when access was unlocked."""
        return self.outcome is PromiseOutcome.GRANTED


class ConnectionState(StrEnum):
    """Connection state of a contract's service."""

    ONLINE = "online"
    OFFLINE = "offline"
    BLOCKED = "blocked"  # contract suspended: access blocked by the ISP
    UNKNOWN = "unknown"


class ConnectionStatus(_Model):
    """What the billing system knows about a contract's connection."""

    contract_id: str
    state: ConnectionState
    protocol: str | None = None  # some systems open a ticket as a side effect


class Outage(_Model):
    """A maintenance window or outage ("massiva")."""

    outage_id: str
    title: str
    customer_message: str
    starts_at: datetime | None
    ends_at: datetime | None
    severity: int = 0
    active_flag: bool = True
    pop_ids: tuple[str, ...] = ()

    def is_active(self, now: datetime) -> bool:
        """Flagged active and ``now`` inside its window (open-ended when a bound is missing)."""
        if not self.active_flag:
            return False
        if self.starts_at is not None and now < self.starts_at:
            return False
        return self.ends_at is None or now <= self.ends_at

    def affects(self, pop_id: str | None) -> bool:
        """True when the outage covers ``pop_id``."""
        return pop_id is not None and pop_id in self.pop_ids


class TicketRequest(_Model):
    """A support ticket to open for a contract."""

    text: str
    type_code: int | None = None
    classification_ids: tuple[int, ...] = ()
    contact_name: str | None = None
    contact_phone: str | None = None
    create_work_order: bool = False


class TicketReceipt(_Model):
    """The protocol number of an opened ticket."""

    contract_id: str
    protocol: str
