"""Pure billing domain: models, documents, outcomes (no I/O, no frameworks besides pydantic)."""

from atende_sgp_adapter.domain.documents import DocumentKind, digits_only, document_kind
from atende_sgp_adapter.domain.models import (
    Address,
    ConnectionState,
    ConnectionStatus,
    Contract,
    ContractStatus,
    Customer,
    DueInvoice,
    DueInvoicePage,
    Invoice,
    Outage,
    PaymentPromiseResult,
    PromiseOutcome,
    TicketReceipt,
    TicketRequest,
)
from atende_sgp_adapter.domain.outcomes import NotFound, Unavailable, UnavailableReason
from atende_sgp_adapter.domain.phones import pick_whatsapp_number, whatsapp_number

__all__ = [
    "Address",
    "ConnectionState",
    "ConnectionStatus",
    "Contract",
    "ContractStatus",
    "Customer",
    "DocumentKind",
    "DueInvoice",
    "DueInvoicePage",
    "Invoice",
    "NotFound",
    "Outage",
    "PaymentPromiseResult",
    "PromiseOutcome",
    "TicketReceipt",
    "TicketRequest",
    "Unavailable",
    "UnavailableReason",
    "digits_only",
    "document_kind",
    "pick_whatsapp_number",
    "whatsapp_number",
]
