"""What can happen to a conversation: customer messages, NLU and SGP answers, timers, agents."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MessageKind(StrEnum):
    """The shape of a customer message, as far as the dialogue cares."""

    TEXT = "text"
    CHOICE = "choice"  # an interactive button/list reply or a template quick-reply button
    MEDIA = "media"  # image, document, audio, video, sticker, location, contacts, unsupported
    REACTION = "reaction"


@dataclass(frozen=True, slots=True)
class CustomerMessage:
    """One normalized inbound WhatsApp message."""

    message_id: str
    kind: MessageKind
    text: str = ""  # body of a text, or the title of a choice
    choice_id: str = ""
    stale: bool = False
    profile_name: str = ""
    phone_number_id: str = ""
    reply_to: str = ""


@dataclass(frozen=True, slots=True)
class Entity:
    """An entity the NLU found (cpf, cnpj, date, money, contract)."""

    type: str
    value: str
    valid: bool = True


@dataclass(frozen=True, slots=True)
class NluAnswer:
    """The NLU's reading of a customer text."""

    request_id: str
    intent: str
    confidence: float
    sentiment: str = "neutro"
    sentiment_score: float = 0.0  # the model's confidence in `sentiment`
    entities: tuple[Entity, ...] = ()
    # How strongly the sentiment is expressed (0..1, independent of confidence): insults, threats,
    # shouting push it up; a plain complaint is negative with a low intensity.
    sentiment_intensity: float = 0.0


# --- SGP outcomes -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SgpContract:
    """A contract in a lookup result."""

    contract_id: str
    status: str = ""
    plan: str = ""
    address: str = ""


@dataclass(frozen=True, slots=True)
class CustomerFound:
    """The document belongs to a customer."""

    customer_id: str
    name: str
    document_masked: str
    contracts: tuple[SgpContract, ...] = ()


@dataclass(frozen=True, slots=True)
class CustomerNotFound:
    """No customer has this document."""

    document_masked: str = ""


@dataclass(frozen=True, slots=True)
class OpenInvoice:
    """One open invoice: PDF link, PIX copia-e-cola, due date (ISO) and amount in cents."""

    invoice_id: str
    due_date: str
    amount_cents: int
    pdf_url: str = ""
    pix_code: str = ""
    digitable_line: str = ""
    overdue: bool = False


@dataclass(frozen=True, slots=True)
class Invoices:
    """The open invoices of a contract (possibly none)."""

    invoices: tuple[OpenInvoice, ...] = ()


class PromiseOutcome(StrEnum):
    """How SGP answered a trust-unlock request."""

    GRANTED = "granted"
    QUOTA_REACHED = "quota_reached"
    NOT_BLOCKED = "not_blocked"
    NOT_ELIGIBLE = "not_eligible"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class PromiseResult:
    """SGP's decision on a payment promise."""

    outcome: PromiseOutcome
    until: str = ""  # ISO date
    days: int = 0
    protocol: str = ""


class LinkState(StrEnum):
    """The connection state SGP reports."""

    ONLINE = "online"
    OFFLINE = "offline"
    BLOCKED = "blocked"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class OutageInfo:
    """An active outage or maintenance touching the customer."""

    customer_message: str
    ends_at: str = ""  # ISO timestamp or date, may be empty


@dataclass(frozen=True, slots=True)
class ConnectionStatus:
    """Connection state plus active outages."""

    state: LinkState
    outages: tuple[OutageInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class TicketOpened:
    """A support ticket exists; its protocol is what the customer keeps."""

    protocol: str


@dataclass(frozen=True, slots=True)
class SgpUnavailable:
    """SGP is down, slow or its breaker is open."""

    reason: str = ""


@dataclass(frozen=True, slots=True)
class SgpRejected:
    """SGP refused the request itself (unknown contract, bad input)."""

    reason: str = ""


SgpOutcome = (
    CustomerFound
    | CustomerNotFound
    | Invoices
    | PromiseResult
    | ConnectionStatus
    | TicketOpened
    | SgpUnavailable
    | SgpRejected
)


@dataclass(frozen=True, slots=True)
class SgpAnswer:
    """The billing system's answer to one request."""

    request_id: str
    outcome: SgpOutcome


@dataclass(frozen=True, slots=True)
class TimerFired:
    """A scheduled timeout is due."""

    kind: str
    token: str


class AgentActionKind(StrEnum):
    """What an agent did through the operator API."""

    ACCEPTED = "accepted"
    REPLIED = "replied"
    RELEASED = "released"


@dataclass(frozen=True, slots=True)
class AgentAction:
    """An agent claimed, replied in, or released a handed-off conversation."""

    kind: AgentActionKind
    agent_id: str
    text: str = ""


class CommandKind(StrEnum):
    """What an agent asks the dialogue to do for the customer (AgentActionRequested)."""

    SEND_BILL = "send_bill"
    REGISTER_PROMISE = "register_promise"
    OPEN_TICKET = "open_ticket"
    CLOSE = "close"


@dataclass(frozen=True, slots=True)
class AgentCommand:
    """An agent's action through the console; `action` is one of `CommandKind` (anything else is invalid)."""

    command_id: str
    agent_id: str
    action: str
    contract_id: str = ""
    ticket_kind: str = ""
    description: str = ""
    reason: str = ""


Input = CustomerMessage | NluAnswer | SgpAnswer | TimerFired | AgentAction | AgentCommand
