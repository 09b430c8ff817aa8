"""Request and response bodies of the operator API, with the examples its OpenAPI document shows."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, model_validator

from atende_core.nlu_labels import INTENTS

MAX_TEXT = 4096
CID_EXAMPLE = "106540352242922:5511987654321"
# The {conversation_id} of every operator route.
ConversationId = Annotated[str, Path(min_length=1, max_length=200)]


class Line(BaseModel):
    """One recent line of the conversation (masked)."""

    role: str = Field(examples=["customer"])
    text: str = Field(examples=["minha internet caiu"])
    at: float = Field(examples=[1764820000.5])


class Handoff(BaseModel):
    """A conversation waiting for, or with, an agent."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "conversation_id": CID_EXAMPLE,
                    "status": "claimed",
                    "reason": "customer_asked",
                    "within_business_hours": True,
                    "customer_name": "Maria",
                    "last_message": "quero falar com um atendente",
                    "requested_at": 1764820000.5,
                    "agent_id": "u-ana",
                    "claimed_at": 1764820042.1,
                    "lines": [{"role": "customer", "text": "quero falar com um atendente", "at": 1764820000.5}],
                }
            ]
        }
    )

    conversation_id: str
    status: Literal["queued", "claimed"]
    reason: str
    within_business_hours: bool
    customer_name: str
    last_message: str
    requested_at: float
    agent_id: str | None = None
    claimed_at: float | None = None
    lines: list[Line] = Field(default_factory=list)


class HandoffList(BaseModel):
    """The inbox, oldest request first."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": Handoff.model_config["json_schema_extra"]["examples"]}]}  # type: ignore[index]
    )

    items: list[Handoff]


class Reply(BaseModel):
    """An agent's message to the customer."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"text": "Oi Maria, aqui é a Ana. Como posso ajudar?"}]})

    text: str = Field(min_length=1, max_length=MAX_TEXT)


class ReplyAccepted(BaseModel):
    """The send command's id (the same for the same Idempotency-Key)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"command_id": "3f1c2a4e-8d0b-5c1e-9a7f-2b6d4e8f0a1c"}]})

    command_id: str = Field(examples=["3f1c2a4e-8d0b-5c1e-9a7f-2b6d4e8f0a1c"])


class Released(BaseModel):
    """The bot has the conversation again."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "released"}]})

    status: Literal["released"] = "released"


class Reassign(BaseModel):
    """Who takes over a claimed conversation."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"agent_id": "u-bia"}]})

    agent_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:@-]+$")


IntentLabel = Literal[INTENTS]  # type: ignore[valid-type]


class Correction(BaseModel):
    """An agent's correction of the NLU: the customer's words (as text, or the index of a customer line
    of the inbox entry) and the intent they meant."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"text": "minha internet caiu", "intent": "sem_conexao", "wrong_intent": "conexao_lenta"}]
        },
    )

    text: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT)
    line: int | None = Field(default=None, ge=0, le=1000, description="index into the entry's `lines`")
    intent: IntentLabel
    wrong_intent: IntentLabel | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Correction:
        if (self.text is None) == (self.line is None):
            raise ValueError("give either `text` or `line`")
        return self


class CorrectionAccepted(BaseModel):
    """The correction's event id (the same for the same Idempotency-Key)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"event_id": "9b2e1f0a-6c3d-5e4f-8a9b-0c1d2e3f4a5b", "intent": "sem_conexao"}]}
    )

    event_id: str
    intent: str


# The 409 of a free-form message outside WhatsApp's 24-hour window.
WINDOW_CLOSED = "the customer's 24-hour window is closed: send an approved template instead"


class Problem(BaseModel):
    """Why a request was refused."""

    detail: str = Field(examples=["not in the inbox"])


def problems(*codes: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI `responses` for the refusals a route can answer."""
    descriptions = {
        401: "missing, invalid, expired or revoked access token",
        403: "your role may not do this",
        404: "not in the inbox",
        409: "another agent has the conversation (or claim it first; or, for free-form messages, the 24-hour "
        "window is closed: send a template)",
        422: "the body is invalid (or the referenced line is not the customer's)",
        429: "rate limited; see Retry-After",
        503: "too busy right now; see Retry-After",
        504: "a system behind the gateway did not answer in time",
    }
    return {code: {"model": Problem, "description": descriptions[code]} for code in codes}
