"""The conversation's state: where the dialogue is (a `Step`) plus what it remembers."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Step(StrEnum):
    """Where a conversation is; `machine.TRANSITIONS` says what moves it."""

    START = "start"  # nothing said yet
    MENU = "menu"  # main menu shown, a choice or free text expected
    AWAIT_DOCUMENT = "await_document"  # CPF/CNPJ asked
    LOOKING_UP = "looking_up"  # SGP customer lookup in flight
    CHOOSE_CONTRACT = "choose_contract"  # contract list shown
    FETCHING_INVOICES = "fetching_invoices"  # SGP open invoices in flight
    CONFIRM_PROMISE = "confirm_promise"  # asked whether to unlock in trust
    REGISTERING_PROMISE = "registering_promise"  # SGP payment promise in flight
    CHECKING_CONNECTION = "checking_connection"  # SGP connection status + outages in flight
    GUIDED_CHECK = "guided_check"  # a troubleshooting step shown (check_index)
    OPENING_TICKET = "opening_ticket"  # SGP ticket in flight
    CONFIRM_VISIT = "confirm_visit"  # asked to confirm or reschedule a technician visit
    SGP_FAILED = "sgp_failed"  # SGP did not answer; retry / agent offered
    ANYTHING_ELSE = "anything_else"  # a request was served; more help?
    CSAT = "csat"  # 1-5 rating asked
    HANDOFF_QUEUED = "handoff_queued"  # waiting for an agent: the bot is quiet
    WITH_AGENT = "with_agent"  # an agent talks: the bot is quiet
    CLOSED = "closed"  # session over; the next message starts a new one


class Goal(StrEnum):
    """What the customer asked for; identification comes first when the goal needs a contract."""

    BILL = "bill"
    PROMISE = "promise"
    NO_CONNECTION = "no_connection"
    SLOW = "slow"
    VISIT = "visit"


class PendingKind(StrEnum):
    """Which system an in-flight request went to."""

    NLU = "nlu"
    SGP = "sgp"


@dataclass(frozen=True, slots=True)
class SgpOp:
    """One SGP operation as the dialogue sees it (mapped to `SgpRequest` by the adapter)."""

    name: str  # lookup_customer, list_open_invoices, register_payment_promise, check_connection, open_ticket
    document: str = ""  # lookup only; dropped from state once answered
    contract_id: str = ""
    ticket_kind: str = ""  # no_connection, slow_connection, technician_visit, other
    description: str = ""
    contact_name: str = ""
    contact_phone: str = ""


@dataclass(frozen=True, slots=True)
class Pending:
    """The one request the conversation waits for; results with another id are late and ignored."""

    kind: PendingKind
    request_id: str
    attempt: int = 1
    op: SgpOp | None = None


@dataclass(frozen=True, slots=True)
class AgentTask:
    """An agent's command waiting for SGP, beside whatever the bot itself waits for."""

    command_id: str
    agent_id: str
    action: str  # send_bill, register_promise, open_ticket
    request_id: str
    op: SgpOp


@dataclass(frozen=True, slots=True)
class ContractInfo:
    """What the dialogue needs of a contract to list it and act on it."""

    contract_id: str
    status: str = ""  # active, suspended, reduced_speed, ...
    plan: str = ""
    address: str = ""


@dataclass(frozen=True, slots=True)
class Customer:
    """The identified customer: never the document in clear, only its mask."""

    customer_id: str
    name: str
    document_masked: str
    contracts: tuple[ContractInfo, ...] = ()
    document_index: str = ""  # keyed hash of the document (Policy.document_index): agents search by it


@dataclass(frozen=True, slots=True)
class Turn:
    """One line of the recent dialogue, kept as NLU context (already masked)."""

    role: str  # customer | bot
    text: str


@dataclass(slots=True)
class ConversationState:
    """Everything the machine knows about one conversation (hot state, Redis)."""

    conversation_id: str
    step: Step = Step.START
    session_id: str = ""
    started_at: str = ""  # ISO timestamp of the session start
    phone_number_id: str = ""
    reply_to: str = ""
    profile_name: str = ""
    greeted: bool = False
    goal: Goal | None = None
    intents: list[str] = field(default_factory=list)
    document_attempts: int = 0
    customer: Customer | None = None
    contract_id: str = ""
    contract_page: int = 0
    pending: Pending | None = None
    retry_op: SgpOp | None = None  # what "try again" repeats after an SGP failure
    retry_step: Step | None = None
    timers: dict[str, str] = field(default_factory=dict)  # kind -> token of the live timer
    misunderstandings: int = 0
    check_index: int = 0
    wait_notice_sent: bool = False
    handed_off: bool = False
    agent_id: str = ""
    agent_task: AgentTask | None = None
    # An agent closed the conversation with the survey first: the close, when it comes, says why and who.
    close_reason: str = ""
    closed_by: str = ""
    last_customer_text: str = ""
    turns: list[Turn] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)  # hashes of inputs already handled (dedup)

    @property
    def identified(self) -> bool:
        """True once a customer is known and one of their contracts chosen."""
        return self.customer is not None and bool(self.contract_id)
