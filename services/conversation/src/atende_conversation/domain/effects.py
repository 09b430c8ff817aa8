"""What the machine asks the world to do. Adapters turn effects into Kafka events and timers.

Message effects check WhatsApp's limits when built, so a catalog text that is too long fails in
unit tests rather than at the Graph API.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import ContractInfo, SgpOp, Turn

MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_LIST_BUTTON = 20
MAX_INTERACTIVE_BODY = 1024
MAX_TEXT_BODY = 4096
MAX_CAPTION = 1024
MAX_ID = 200


class LimitExceeded(ValueError):
    """A message breaks a WhatsApp limit."""


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise LimitExceeded(what)


@dataclass(frozen=True, slots=True)
class Button:
    """A reply button: an id the machine routes on, and a title of at most 20 characters."""

    id: str
    title: str

    def __post_init__(self) -> None:
        _check(0 < len(self.title) <= MAX_BUTTON_TITLE, f"button title {self.title!r} over {MAX_BUTTON_TITLE}")
        _check(0 < len(self.id) <= MAX_ID, f"button id {self.id!r}")


@dataclass(frozen=True, slots=True)
class Row:
    """A list row: title at most 24 characters, description at most 72."""

    id: str
    title: str
    description: str = ""

    def __post_init__(self) -> None:
        _check(0 < len(self.title) <= MAX_ROW_TITLE, f"row title {self.title!r} over {MAX_ROW_TITLE}")
        _check(len(self.description) <= MAX_ROW_DESCRIPTION, f"row description over {MAX_ROW_DESCRIPTION}")
        _check(0 < len(self.id) <= MAX_ID, f"row id {self.id!r}")


@dataclass(frozen=True, slots=True)
class SendText:
    """Send a plain text."""

    body: str

    def __post_init__(self) -> None:
        _check(0 < len(self.body) <= MAX_TEXT_BODY, "text body length")


@dataclass(frozen=True, slots=True)
class SendButtons:
    """Send a text with one to three reply buttons."""

    body: str
    buttons: tuple[Button, ...]

    def __post_init__(self) -> None:
        _check(0 < len(self.body) <= MAX_INTERACTIVE_BODY, "buttons body length")
        _check(0 < len(self.buttons) <= MAX_BUTTONS, f"{len(self.buttons)} buttons")


@dataclass(frozen=True, slots=True)
class SendList:
    """Send a text with a list of up to ten rows behind a button."""

    body: str
    button: str
    rows: tuple[Row, ...]
    section_title: str = ""

    def __post_init__(self) -> None:
        _check(0 < len(self.body) <= MAX_TEXT_BODY, "list body length")
        _check(0 < len(self.button) <= MAX_LIST_BUTTON, f"list button {self.button!r}")
        _check(0 < len(self.rows) <= MAX_ROWS, f"{len(self.rows)} rows")
        _check(len(self.section_title) <= MAX_ROW_TITLE, "section title length")


@dataclass(frozen=True, slots=True)
class SendDocument:
    """Send a document (the bill PDF) by link."""

    link: str
    filename: str
    caption: str = ""

    def __post_init__(self) -> None:
        _check(bool(self.link), "document link")
        _check(len(self.caption) <= MAX_CAPTION, "caption length")


@dataclass(frozen=True, slots=True)
class MarkRead:
    """Mark a customer message as read (blue ticks), optionally showing "typing…"."""

    message_id: str
    typing_indicator: bool = True


@dataclass(frozen=True, slots=True)
class RequestNlu:
    """Ask the NLU to read a text; the answer carries `request_id` back."""

    request_id: str
    text: str
    context: tuple[Turn, ...]
    message_id: str


@dataclass(frozen=True, slots=True)
class RequestSgp:
    """Ask the billing system for something; the answer carries `request_id` back."""

    request_id: str
    op: SgpOp


@dataclass(frozen=True, slots=True)
class ScheduleTimer:
    """Deliver `TimerFired(kind, token)` after `delay_seconds` (durably)."""

    kind: str
    token: str
    delay_seconds: float


@dataclass(frozen=True, slots=True)
class CancelTimer:
    """Forget a scheduled timer (a late firing would be ignored anyway)."""

    kind: str
    token: str


# --- facts, published on conversation.events and kept in the session record --------------------


@dataclass(frozen=True, slots=True)
class ConversationStarted:
    """A new session began."""

    session_id: str


@dataclass(frozen=True, slots=True)
class CustomerIdentified:
    """The customer and contract are known."""

    customer_id: str
    contract_id: str
    document_masked: str
    customer_name: str = ""
    document_index: str = ""
    contracts: tuple[ContractInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class HandoffRequested:
    """The conversation waits for an agent."""

    reason: str
    within_business_hours: bool
    customer_name: str
    last_message: str


@dataclass(frozen=True, slots=True)
class ConversationClosed:
    """The session ended."""

    outcome: str  # resolved, handed_off, inactive, abandoned, closed_by_agent
    intents: tuple[str, ...]
    reason: str = ""  # why an agent closed it: solved, no_answer, spam, duplicate, other
    agent_id: str = ""


@dataclass(frozen=True, slots=True)
class CsatRecorded:
    """The customer rated the service 1-5."""

    score: int


@dataclass(frozen=True, slots=True)
class ActionCompleted:
    """What came of an agent's command: done, rejected, unavailable or invalid, with a pt-BR detail."""

    command_id: str
    agent_id: str
    action: str
    outcome: str
    detail: str


Fact = ConversationStarted | CustomerIdentified | HandoffRequested | ConversationClosed | CsatRecorded | ActionCompleted


@dataclass(frozen=True, slots=True)
class Emit:
    """Publish a fact about the conversation."""

    fact: Fact


Send = SendText | SendButtons | SendList | SendDocument
Effect = Send | MarkRead | RequestNlu | RequestSgp | ScheduleTimer | CancelTimer | Emit


def text_of(effect: Send) -> str:
    """The words a customer sees for a send effect (transcripts and NLU context)."""
    match effect:
        case SendText(body=body):
            return body
        case SendButtons(body=body, buttons=buttons):
            return body + " [" + " | ".join(b.title for b in buttons) + "]"
        case SendList(body=body, rows=rows):
            return body + " [" + " | ".join(r.title for r in rows) + "]"
        case SendDocument(filename=filename, caption=caption):
            return f"📎 {filename} {caption}".strip()
