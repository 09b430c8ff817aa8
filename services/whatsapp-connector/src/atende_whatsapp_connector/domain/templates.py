"""Template definitions kept in the repository (`templates/*.json`): the exact body of Graph's
`POST /{waba}/message_templates`, checked before it is sent."""

from __future__ import annotations

import re
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

_PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
BODY_MAX = 1024


def placeholders(text: str) -> list[int]:
    """The distinct positional placeholders of `text`, in order of first use."""
    seen: list[int] = []
    for number in (int(n) for n in _PLACEHOLDER.findall(text)):
        if number not in seen:
            seen.append(number)
    return seen


class TemplateDefinition(BaseModel):
    """One message template as Meta's create endpoint takes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9_]{1,512}$")
    language: str = "pt_BR"
    category: Literal["UTILITY", "MARKETING", "AUTHENTICATION"]
    parameter_format: Literal["POSITIONAL"] = "POSITIONAL"
    components: list[dict[str, Any]] = Field(min_length=1)

    def component(self, kind: str) -> dict[str, Any] | None:
        """The component of `kind` (HEADER, BODY, FOOTER, BUTTONS), if any."""
        return next((c for c in self.components if str(c.get("type", "")).upper() == kind), None)

    @model_validator(mode="after")
    def _check_body(self) -> Self:
        body = self.component("BODY")
        if body is None or not isinstance(body.get("text"), str):
            raise ValueError("a template needs a BODY component with text")
        text: str = body["text"]
        if len(text) > BODY_MAX:
            raise ValueError(f"BODY has {len(text)} characters; the limit is {BODY_MAX}")
        numbers = placeholders(text)
        if sorted(numbers) != list(range(1, len(numbers) + 1)):
            raise ValueError("BODY placeholders must be {{1}}, {{2}}… without gaps")
        if numbers:
            examples = body.get("example", {}).get("body_text", [[]])
            if not examples or len(examples[0]) != len(numbers):
                raise ValueError("BODY needs example.body_text with one value per placeholder (Meta requires it)")
        return self

    def create_body(self) -> dict[str, Any]:
        """The JSON body of `POST /{waba}/message_templates`."""
        return self.model_dump(mode="json")


def console_template(listed: dict[str, Any]) -> dict[str, Any] | None:
    """What the operator console shows of a template from `GET /{waba}/message_templates`, or None
    when an agent cannot send it from there: not APPROVED, named parameters, or a header or button
    that needs a parameter (the console supplies body texts only)."""
    if listed.get("status") != "APPROVED" or listed.get("parameter_format", "POSITIONAL") != "POSITIONAL":
        return None
    components = {str(c.get("type", "")).upper(): c for c in listed.get("components") or [] if isinstance(c, dict)}
    header = components.get("HEADER")
    if header is not None and (
        str(header.get("format", "TEXT")).upper() != "TEXT" or placeholders(str(header.get("text", "")))
    ):
        return None
    buttons = (components.get("BUTTONS") or {}).get("buttons") or []
    if any(placeholders(str(b.get("url", ""))) for b in buttons if isinstance(b, dict)):
        return None
    body = str((components.get("BODY") or {}).get("text", ""))
    if not body:
        return None
    return {
        "name": str(listed.get("name", "")),
        "language": str(listed.get("language", "")),
        "category": str(listed.get("category", "")),
        "body": body,
        "parameters": len(placeholders(body)),
    }
