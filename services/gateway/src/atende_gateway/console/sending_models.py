"""Request and response bodies of what an agent sends besides text: templates, attachments, canned answers."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Meta refuses body parameters with new lines, tabs or more than four spaces in a row.
_BAD_PARAMETER = re.compile(r"[\n\t]| {5,}")
TEMPLATE_EXAMPLE = {
    "name": "retomar_atendimento",
    "language": "pt_BR",
    "category": "UTILITY",
    "body": "Olá, {{1}}! Aqui é {{2}}, da central de atendimento. Nossa conversa ficou pendente: responda "
    "esta mensagem para continuarmos de onde paramos.",
    "parameters": 2,
}


class MessageTemplate(BaseModel):
    """An approved WhatsApp template an agent can send; `body` shows its placeholders {{1}}, {{2}}…"""

    model_config = ConfigDict(json_schema_extra={"examples": [TEMPLATE_EXAMPLE]})

    name: str
    language: str
    category: Literal["UTILITY", "MARKETING", "AUTHENTICATION"]
    body: str
    parameters: int = Field(ge=0, description="how many body parameters `parameters` of a send must have")


class TemplateList(BaseModel):
    """The approved templates (as WhatsApp listed them a few minutes ago at most)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [TEMPLATE_EXAMPLE]}]})

    items: list[MessageTemplate]


class TemplateSend(BaseModel):
    """A template to send, with one text per body placeholder, in order."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "retomar_atendimento", "language": "pt_BR", "parameters": ["Maria", "Ana"]}]
        },
    )

    name: str = Field(min_length=1, max_length=512, pattern=r"^[a-z0-9_]+$")
    language: str = Field(default="pt_BR", min_length=2, max_length=15, pattern=r"^[A-Za-z_]+$")
    parameters: list[str] = Field(default_factory=list, max_length=20)

    @field_validator("parameters")
    @classmethod
    def _sendable(cls, values: list[str]) -> list[str]:
        for value in values:
            if not value.strip() or len(value) > 512 or _BAD_PARAMETER.search(value):
                raise ValueError("each parameter: 1-512 characters, no line breaks, tabs or 5+ spaces in a row")
        return values


class SendAccepted(BaseModel):
    """The send command's id (the same for the same Idempotency-Key)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"command_id": "8a4f1c2e-3b5d-5e6f-9a0b-1c2d3e4f5a6b"}]})

    command_id: str


class CannedAnswer(BaseModel):
    """A ready answer; the client fills `{nome}` (and the other placeholders) from the conversation."""

    id: str
    title: str
    text: str


class CannedAnswers(BaseModel):
    """The catalog of ready answers (pt-BR)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": "horario",
                            "title": "Horário de atendimento",
                            "text": "{nome}, nosso atendimento humano funciona de segunda a sexta, das 8h às 18h.",
                        }
                    ]
                }
            ]
        }
    )

    items: list[CannedAnswer]
