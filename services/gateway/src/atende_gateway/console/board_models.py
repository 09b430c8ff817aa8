"""Response and request bodies of the console's board routes, with their OpenAPI examples."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from atende_gateway.operator_models import IntentLabel

CID = "c1.9f2a6b1e4d3c"
SUMMARY_EXAMPLE = {
    "conversation_id": CID,
    "state": "claimed",
    "agent_id": "u-ana",
    "customer_name": "Maria",
    "phone_masked": "*********4321",
    "document_masked": "***.982.247-**",
    "last_message": "minha internet caiu",
    "last_intent": "sem_conexao",
    "last_sentiment": "negative",
    "started_at": 1764820000.5,
    "last_activity_at": 1764820090.2,
    "last_customer_at": 1764820080.0,
    "waiting_since": 1764820010.0,
    "wait_seconds": 42.0,
    "sla": "ok",
    "within_business_hours": True,
    "handoff_reason": "customer_asked",
}
TURN_EXAMPLE = {
    "id": "wamid.HBgM",
    "role": "customer",
    "kind": "text",
    "text": "minha internet caiu",
    "at": 1764820080.0,
    "agent_id": None,
    "message_id": "wamid.HBgM",
    "command_id": None,
    "status": None,
    "error": None,
    "intent": "sem_conexao",
    "confidence": 0.93,
    "sentiment": "negative",
    "media": None,
}
State = Literal["bot", "queued", "claimed", "closed"]


class Media(BaseModel):
    """An attachment of a turn."""

    filename: str
    mime_type: str
    link: str | None = None
    media_id: str | None = None


class Turn(BaseModel):
    """One turn of a conversation (texts masked)."""

    model_config = ConfigDict(json_schema_extra={"examples": [TURN_EXAMPLE]})

    id: str
    role: Literal["customer", "bot", "agent", "note", "system"]
    kind: Literal["text", "document", "image", "audio", "video", "template", "interactive", "location", "other"]
    text: str
    at: float
    agent_id: str | None = None
    message_id: str | None = None
    command_id: str | None = None
    status: Literal["pending", "sent", "delivered", "read", "failed"] | None = None
    error: str | None = None
    intent: str | None = None
    confidence: float | None = None
    sentiment: str | None = None
    corrected_intent: str | None = Field(default=None, description="an agent's correction of `intent`")
    corrected_by: str | None = None
    media: Media | None = None


class Summary(BaseModel):
    """A conversation in the board's list."""

    model_config = ConfigDict(json_schema_extra={"examples": [SUMMARY_EXAMPLE]})

    conversation_id: str
    state: State
    agent_id: str | None = None
    customer_name: str
    phone_masked: str
    document_masked: str | None = None
    last_message: str
    last_intent: str | None = None
    last_sentiment: str | None = None
    started_at: float
    last_activity_at: float
    last_customer_at: float | None = None
    waiting_since: float | None = None
    wait_seconds: float | None = None
    sla: Literal["ok", "warning", "breached"] | None = None
    within_business_hours: bool
    handoff_reason: str | None = None


class Counts(BaseModel):
    """How many conversations each view holds."""

    bot: int
    queued: int
    mine: int
    others: int
    closed: int


class ConversationList(BaseModel):
    """A page of the board, newest activity first (the queued view: oldest request first)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [SUMMARY_EXAMPLE],
                    "next_cursor": "1764820090.2",
                    "counts": {"bot": 12, "queued": 3, "mine": 1, "others": 4, "closed": 80},
                }
            ]
        }
    )

    items: list[Summary]
    next_cursor: str | None = None
    counts: Counts


class Contract(BaseModel):
    """A contract of the identified customer."""

    contract_id: str
    status: str
    plan: str


class ConversationDetail(Summary):
    """A conversation with its last turns."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **SUMMARY_EXAMPLE,
                    "turns": [TURN_EXAMPLE],
                    "window_open": True,
                    "window_closes_at": 1764906480.0,
                    "customer_id": "cust-1",
                    "contract_id": "ct-1",
                    "contracts": [{"contract_id": "ct-1", "status": "active", "plan": "Fibra 500"}],
                    "csat": None,
                    "close_reason": None,
                }
            ]
        }
    )

    turns: list[Turn]
    window_open: bool
    window_closes_at: float | None = None
    customer_id: str | None = None
    contract_id: str | None = None
    contracts: list[Contract] = Field(default_factory=list)
    csat: int | None = None
    close_reason: str | None = None


class Note(BaseModel):
    """An internal note (never sent to the customer)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"text": "Cliente já ligou ontem."}]})

    text: str = Field(min_length=1, max_length=2000)


class TurnCorrection(BaseModel):
    """The intent a customer's turn meant (the turn's `id` from the conversation detail)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"turn_id": "wamid.HBgNNTUxMTk4NzY1NDMyMRUC", "intent": "segunda_via"}]},
    )

    turn_id: str = Field(min_length=1, max_length=200)
    intent: IntentLabel


class Session(BaseModel):
    """A past session of the customer."""

    started_at: float
    closed_at: float | None = None
    outcome: str
    intents: list[str]
    csat: int | None = None


class Ticket(BaseModel):
    """A ticket opened for the customer."""

    ticket_id: str = Field(description="the SGP's protocol number")
    kind: str
    contract_id: str = ""
    opened_at: float


class History(BaseModel):
    """The customer's earlier sessions, tickets and other conversations (same document)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sessions": [
                        {
                            "started_at": 1764700000.0,
                            "closed_at": 1764700400.0,
                            "outcome": "solved_by_bot",
                            "intents": ["segunda_via"],
                            "csat": 5,
                        }
                    ],
                    "tickets": [
                        {
                            "ticket_id": "2026120400123",
                            "kind": "no_connection",
                            "contract_id": "3021",
                            "opened_at": 1764820000.5,
                        }
                    ],
                    "others": [SUMMARY_EXAMPLE],
                }
            ]
        }
    )

    sessions: list[Session]
    tickets: list[Ticket]
    others: list[Summary]
