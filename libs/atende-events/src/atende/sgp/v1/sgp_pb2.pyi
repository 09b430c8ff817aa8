from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ContractStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONTRACT_STATUS_UNSPECIFIED: _ClassVar[ContractStatus]
    CONTRACT_STATUS_ACTIVE: _ClassVar[ContractStatus]
    CONTRACT_STATUS_INACTIVE: _ClassVar[ContractStatus]
    CONTRACT_STATUS_CANCELLED: _ClassVar[ContractStatus]
    CONTRACT_STATUS_SUSPENDED: _ClassVar[ContractStatus]
    CONTRACT_STATUS_TECHNICALLY_UNFEASIBLE: _ClassVar[ContractStatus]
    CONTRACT_STATUS_NEW: _ClassVar[ContractStatus]
    CONTRACT_STATUS_REDUCED_SPEED: _ClassVar[ContractStatus]
CONTRACT_STATUS_UNSPECIFIED: ContractStatus
CONTRACT_STATUS_ACTIVE: ContractStatus
CONTRACT_STATUS_INACTIVE: ContractStatus
CONTRACT_STATUS_CANCELLED: ContractStatus
CONTRACT_STATUS_SUSPENDED: ContractStatus
CONTRACT_STATUS_TECHNICALLY_UNFEASIBLE: ContractStatus
CONTRACT_STATUS_NEW: ContractStatus
CONTRACT_STATUS_REDUCED_SPEED: ContractStatus

class SgpRequest(_message.Message):
    __slots__ = ("request_id", "conversation_id", "lookup_customer", "list_open_invoices", "register_payment_promise", "check_connection", "open_ticket", "list_due_invoices")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    LOOKUP_CUSTOMER_FIELD_NUMBER: _ClassVar[int]
    LIST_OPEN_INVOICES_FIELD_NUMBER: _ClassVar[int]
    REGISTER_PAYMENT_PROMISE_FIELD_NUMBER: _ClassVar[int]
    CHECK_CONNECTION_FIELD_NUMBER: _ClassVar[int]
    OPEN_TICKET_FIELD_NUMBER: _ClassVar[int]
    LIST_DUE_INVOICES_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    conversation_id: str
    lookup_customer: LookupCustomer
    list_open_invoices: ListOpenInvoices
    register_payment_promise: RegisterPaymentPromise
    check_connection: CheckConnection
    open_ticket: OpenTicket
    list_due_invoices: ListDueInvoices
    def __init__(self, request_id: _Optional[str] = ..., conversation_id: _Optional[str] = ..., lookup_customer: _Optional[_Union[LookupCustomer, _Mapping]] = ..., list_open_invoices: _Optional[_Union[ListOpenInvoices, _Mapping]] = ..., register_payment_promise: _Optional[_Union[RegisterPaymentPromise, _Mapping]] = ..., check_connection: _Optional[_Union[CheckConnection, _Mapping]] = ..., open_ticket: _Optional[_Union[OpenTicket, _Mapping]] = ..., list_due_invoices: _Optional[_Union[ListDueInvoices, _Mapping]] = ...) -> None: ...

class LookupCustomer(_message.Message):
    __slots__ = ("document",)
    DOCUMENT_FIELD_NUMBER: _ClassVar[int]
    document: str
    def __init__(self, document: _Optional[str] = ...) -> None: ...

class ListOpenInvoices(_message.Message):
    __slots__ = ("contract_id",)
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    def __init__(self, contract_id: _Optional[str] = ...) -> None: ...

class RegisterPaymentPromise(_message.Message):
    __slots__ = ("contract_id",)
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    def __init__(self, contract_id: _Optional[str] = ...) -> None: ...

class CheckConnection(_message.Message):
    __slots__ = ("contract_id",)
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    def __init__(self, contract_id: _Optional[str] = ...) -> None: ...

class OpenTicket(_message.Message):
    __slots__ = ("contract_id", "kind", "description", "contact_name", "contact_phone")
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CONTACT_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTACT_PHONE_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    kind: str
    description: str
    contact_name: str
    contact_phone: str
    def __init__(self, contract_id: _Optional[str] = ..., kind: _Optional[str] = ..., description: _Optional[str] = ..., contact_name: _Optional[str] = ..., contact_phone: _Optional[str] = ...) -> None: ...

class ListDueInvoices(_message.Message):
    __slots__ = ("due_in_days", "limit", "offset")
    DUE_IN_DAYS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    due_in_days: int
    limit: int
    offset: int
    def __init__(self, due_in_days: _Optional[int] = ..., limit: _Optional[int] = ..., offset: _Optional[int] = ...) -> None: ...

class SgpResult(_message.Message):
    __slots__ = ("request_id", "conversation_id", "customer_found", "customer_not_found", "invoices", "payment_promise", "connection", "ticket_opened", "due_invoices", "unavailable", "rejected")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_FOUND_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_NOT_FOUND_FIELD_NUMBER: _ClassVar[int]
    INVOICES_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_PROMISE_FIELD_NUMBER: _ClassVar[int]
    CONNECTION_FIELD_NUMBER: _ClassVar[int]
    TICKET_OPENED_FIELD_NUMBER: _ClassVar[int]
    DUE_INVOICES_FIELD_NUMBER: _ClassVar[int]
    UNAVAILABLE_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    conversation_id: str
    customer_found: CustomerFound
    customer_not_found: CustomerNotFound
    invoices: InvoiceList
    payment_promise: PaymentPromiseResult
    connection: ConnectionReport
    ticket_opened: TicketOpened
    due_invoices: DueInvoices
    unavailable: Unavailable
    rejected: Rejected
    def __init__(self, request_id: _Optional[str] = ..., conversation_id: _Optional[str] = ..., customer_found: _Optional[_Union[CustomerFound, _Mapping]] = ..., customer_not_found: _Optional[_Union[CustomerNotFound, _Mapping]] = ..., invoices: _Optional[_Union[InvoiceList, _Mapping]] = ..., payment_promise: _Optional[_Union[PaymentPromiseResult, _Mapping]] = ..., connection: _Optional[_Union[ConnectionReport, _Mapping]] = ..., ticket_opened: _Optional[_Union[TicketOpened, _Mapping]] = ..., due_invoices: _Optional[_Union[DueInvoices, _Mapping]] = ..., unavailable: _Optional[_Union[Unavailable, _Mapping]] = ..., rejected: _Optional[_Union[Rejected, _Mapping]] = ...) -> None: ...

class Contract(_message.Message):
    __slots__ = ("contract_id", "status", "plan", "address", "pop_id", "open_invoice_count", "open_amount_cents")
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    POP_ID_FIELD_NUMBER: _ClassVar[int]
    OPEN_INVOICE_COUNT_FIELD_NUMBER: _ClassVar[int]
    OPEN_AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    status: ContractStatus
    plan: str
    address: str
    pop_id: str
    open_invoice_count: int
    open_amount_cents: int
    def __init__(self, contract_id: _Optional[str] = ..., status: _Optional[_Union[ContractStatus, str]] = ..., plan: _Optional[str] = ..., address: _Optional[str] = ..., pop_id: _Optional[str] = ..., open_invoice_count: _Optional[int] = ..., open_amount_cents: _Optional[int] = ...) -> None: ...

class CustomerFound(_message.Message):
    __slots__ = ("customer_id", "name", "document_masked", "contracts")
    CUSTOMER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DOCUMENT_MASKED_FIELD_NUMBER: _ClassVar[int]
    CONTRACTS_FIELD_NUMBER: _ClassVar[int]
    customer_id: str
    name: str
    document_masked: str
    contracts: _containers.RepeatedCompositeFieldContainer[Contract]
    def __init__(self, customer_id: _Optional[str] = ..., name: _Optional[str] = ..., document_masked: _Optional[str] = ..., contracts: _Optional[_Iterable[_Union[Contract, _Mapping]]] = ...) -> None: ...

class CustomerNotFound(_message.Message):
    __slots__ = ("document_masked",)
    DOCUMENT_MASKED_FIELD_NUMBER: _ClassVar[int]
    document_masked: str
    def __init__(self, document_masked: _Optional[str] = ...) -> None: ...

class Invoice(_message.Message):
    __slots__ = ("invoice_id", "contract_id", "due_date", "amount_cents", "pdf_url", "digitable_line", "pix_code", "overdue")
    INVOICE_ID_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    DUE_DATE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_CENTS_FIELD_NUMBER: _ClassVar[int]
    PDF_URL_FIELD_NUMBER: _ClassVar[int]
    DIGITABLE_LINE_FIELD_NUMBER: _ClassVar[int]
    PIX_CODE_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    invoice_id: str
    contract_id: str
    due_date: str
    amount_cents: int
    pdf_url: str
    digitable_line: str
    pix_code: str
    overdue: bool
    def __init__(self, invoice_id: _Optional[str] = ..., contract_id: _Optional[str] = ..., due_date: _Optional[str] = ..., amount_cents: _Optional[int] = ..., pdf_url: _Optional[str] = ..., digitable_line: _Optional[str] = ..., pix_code: _Optional[str] = ..., overdue: _Optional[bool] = ...) -> None: ...

class InvoiceList(_message.Message):
    __slots__ = ("contract_id", "invoices")
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    INVOICES_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    invoices: _containers.RepeatedCompositeFieldContainer[Invoice]
    def __init__(self, contract_id: _Optional[str] = ..., invoices: _Optional[_Iterable[_Union[Invoice, _Mapping]]] = ...) -> None: ...

class PaymentPromiseResult(_message.Message):
    __slots__ = ("contract_id", "outcome", "days", "until", "protocol", "message")
    class Outcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        OUTCOME_UNSPECIFIED: _ClassVar[PaymentPromiseResult.Outcome]
        OUTCOME_GRANTED: _ClassVar[PaymentPromiseResult.Outcome]
        OUTCOME_QUOTA_REACHED: _ClassVar[PaymentPromiseResult.Outcome]
        OUTCOME_NOT_BLOCKED: _ClassVar[PaymentPromiseResult.Outcome]
        OUTCOME_NOT_ELIGIBLE: _ClassVar[PaymentPromiseResult.Outcome]
        OUTCOME_ERROR: _ClassVar[PaymentPromiseResult.Outcome]
    OUTCOME_UNSPECIFIED: PaymentPromiseResult.Outcome
    OUTCOME_GRANTED: PaymentPromiseResult.Outcome
    OUTCOME_QUOTA_REACHED: PaymentPromiseResult.Outcome
    OUTCOME_NOT_BLOCKED: PaymentPromiseResult.Outcome
    OUTCOME_NOT_ELIGIBLE: PaymentPromiseResult.Outcome
    OUTCOME_ERROR: PaymentPromiseResult.Outcome
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    outcome: PaymentPromiseResult.Outcome
    days: int
    until: str
    protocol: str
    message: str
    def __init__(self, contract_id: _Optional[str] = ..., outcome: _Optional[_Union[PaymentPromiseResult.Outcome, str]] = ..., days: _Optional[int] = ..., until: _Optional[str] = ..., protocol: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class Outage(_message.Message):
    __slots__ = ("title", "customer_message", "starts_at", "ends_at", "severity")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    STARTS_AT_FIELD_NUMBER: _ClassVar[int]
    ENDS_AT_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    title: str
    customer_message: str
    starts_at: str
    ends_at: str
    severity: int
    def __init__(self, title: _Optional[str] = ..., customer_message: _Optional[str] = ..., starts_at: _Optional[str] = ..., ends_at: _Optional[str] = ..., severity: _Optional[int] = ...) -> None: ...

class ConnectionReport(_message.Message):
    __slots__ = ("contract_id", "state", "outages")
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATE_UNSPECIFIED: _ClassVar[ConnectionReport.State]
        STATE_ONLINE: _ClassVar[ConnectionReport.State]
        STATE_OFFLINE: _ClassVar[ConnectionReport.State]
        STATE_BLOCKED: _ClassVar[ConnectionReport.State]
        STATE_UNKNOWN: _ClassVar[ConnectionReport.State]
    STATE_UNSPECIFIED: ConnectionReport.State
    STATE_ONLINE: ConnectionReport.State
    STATE_OFFLINE: ConnectionReport.State
    STATE_BLOCKED: ConnectionReport.State
    STATE_UNKNOWN: ConnectionReport.State
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    OUTAGES_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    state: ConnectionReport.State
    outages: _containers.RepeatedCompositeFieldContainer[Outage]
    def __init__(self, contract_id: _Optional[str] = ..., state: _Optional[_Union[ConnectionReport.State, str]] = ..., outages: _Optional[_Iterable[_Union[Outage, _Mapping]]] = ...) -> None: ...

class TicketOpened(_message.Message):
    __slots__ = ("contract_id", "protocol")
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    protocol: str
    def __init__(self, contract_id: _Optional[str] = ..., protocol: _Optional[str] = ...) -> None: ...

class DueInvoice(_message.Message):
    __slots__ = ("customer_name", "phone", "invoice")
    CUSTOMER_NAME_FIELD_NUMBER: _ClassVar[int]
    PHONE_FIELD_NUMBER: _ClassVar[int]
    INVOICE_FIELD_NUMBER: _ClassVar[int]
    customer_name: str
    phone: str
    invoice: Invoice
    def __init__(self, customer_name: _Optional[str] = ..., phone: _Optional[str] = ..., invoice: _Optional[_Union[Invoice, _Mapping]] = ...) -> None: ...

class DueInvoices(_message.Message):
    __slots__ = ("items", "total")
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[DueInvoice]
    total: int
    def __init__(self, items: _Optional[_Iterable[_Union[DueInvoice, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class Unavailable(_message.Message):
    __slots__ = ("reason",)
    REASON_FIELD_NUMBER: _ClassVar[int]
    reason: str
    def __init__(self, reason: _Optional[str] = ...) -> None: ...

class Rejected(_message.Message):
    __slots__ = ("reason",)
    REASON_FIELD_NUMBER: _ClassVar[int]
    reason: str
    def __init__(self, reason: _Optional[str] = ...) -> None: ...
