"""Validation of ``POST /{ver}/{pnid}/messages`` bodies, with Meta's codes.

Rule of thumb used throughout (from the reference's §5.3 table): a required field that is absent
is 131008, a value that breaks a documented limit (length, count, uniqueness, format) is 131009,
and an unknown/malformed/wrongly typed parameter is 100.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import errors
from .fields import check_length, require_str, validate_media
from .interactive import validate_interactive
from .phones import digits, is_valid_recipient

MESSAGE_TYPES = (
    "text",
    "image",
    "document",
    "audio",
    "video",
    "sticker",
    "location",
    "contacts",
    "interactive",
    "template",
    "reaction",
)
MEDIA_TYPES = ("image", "document", "audio", "video", "sticker")
TEXT_BODY_MAX = 4096
OPAQUE_MAX = 512
TOP_LEVEL_KEYS = {
    "messaging_product",
    "recipient_type",
    "to",
    "type",
    "context",
    "biz_opaque_callback_data",
    *MESSAGE_TYPES,
}
READ_KEYS = {"messaging_product", "status", "message_id", "typing_indicator"}


@dataclass(frozen=True)
class SendRequest:
    """A validated message send."""

    to: str
    wa_id: str
    type: str
    content: dict[str, Any]
    context_message_id: str | None
    biz_opaque_callback_data: str | None


@dataclass(frozen=True)
class ReadRequest:
    """A validated mark-as-read (optionally with typing indicator)."""

    message_id: str
    typing: bool


def _require_obj(body: dict[str, Any], key: str) -> dict[str, Any]:
    if key not in body or body[key] is None:
        raise errors.missing_parameter(f"The parameter {key} is required.")
    value = body[key]
    if not isinstance(value, dict):
        raise errors.invalid_parameter(f"Param {key} must be a JSON object.")
    return value


def validate_read(body: dict[str, Any]) -> ReadRequest:
    """Validate a mark-as-read body."""
    unknown = sorted(set(body) - READ_KEYS)
    if unknown:
        raise errors.invalid_parameter(f"Param {unknown[0]} is not a valid parameter for status updates.")
    if body.get("status") != "read":
        raise errors.invalid_parameter("Param status must be 'read'.")
    message_id = require_str(body, "message_id", "body")
    typing = body.get("typing_indicator")
    if typing is not None:
        if not isinstance(typing, dict) or typing.get("type") != "text":
            raise errors.invalid_parameter("Param typing_indicator['type'] must be 'text'.")
        return ReadRequest(message_id=message_id, typing=True)
    return ReadRequest(message_id=message_id, typing=False)


def _validate_text(obj: dict[str, Any]) -> None:
    unknown = sorted(set(obj) - {"body", "preview_url"})
    if unknown:
        raise errors.invalid_parameter(f"Param text['{unknown[0]}'] is not a valid parameter.")
    check_length(require_str(obj, "body", "text"), TEXT_BODY_MAX, "Text body")
    if "preview_url" in obj and not isinstance(obj["preview_url"], bool):
        raise errors.invalid_parameter("Param text['preview_url'] must be a boolean.")


def _validate_reaction(obj: dict[str, Any]) -> None:
    require_str(obj, "message_id", "reaction")
    if "emoji" not in obj:
        raise errors.missing_parameter("The parameter reaction['emoji'] is required.")
    emoji = obj["emoji"]
    if not isinstance(emoji, str):
        raise errors.invalid_parameter("Param reaction['emoji'] must be a string.")
    if len(emoji) > 8:
        raise errors.invalid_value("Param reaction['emoji'] must be a single emoji.")


def _validate_location(obj: dict[str, Any]) -> None:
    for key in ("latitude", "longitude"):
        if key not in obj:
            raise errors.missing_parameter(f"The parameter location['{key}'] is required.")
        value = obj[key]
        if isinstance(value, str):
            try:
                float(value)
            except ValueError as exc:
                raise errors.invalid_parameter(f"Param location['{key}'] must be a number.") from exc
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise errors.invalid_parameter(f"Param location['{key}'] must be a number.")


def _validate_contacts(value: Any) -> None:
    if not isinstance(value, list) or not value:
        raise errors.invalid_parameter("Param contacts must be a non-empty array.")
    for i, contact in enumerate(value):
        if not isinstance(contact, dict):
            raise errors.invalid_parameter(f"Param contacts[{i}] must be a JSON object.")
        name = contact.get("name")
        if not isinstance(name, dict) or not isinstance(name.get("formatted_name"), str):
            raise errors.missing_parameter(f"The parameter contacts[{i}]['name']['formatted_name'] is required.")


def validate_send(body: dict[str, Any], media_exists: Callable[[str], bool]) -> SendRequest:
    """Validate a message send body (everything but template definitions, checked separately)."""
    unknown = sorted(set(body) - TOP_LEVEL_KEYS)
    if unknown:
        raise errors.invalid_parameter(f"Param {unknown[0]} is not a valid parameter.")
    recipient_type = body.get("recipient_type", "individual")
    if recipient_type != "individual":
        raise errors.invalid_parameter("Param recipient_type must be 'individual'.")
    to = require_str(body, "to", "body")
    if not is_valid_recipient(to):
        raise errors.invalid_value(f"Recipient phone number {to!r} is not a valid phone number.")
    msg_type = body.get("type", "text")
    if msg_type not in MESSAGE_TYPES:
        raise errors.invalid_parameter(f"Param type must be one of {{{', '.join(MESSAGE_TYPES)}}}.")
    others = sorted(k for k in MESSAGE_TYPES if k in body and k != msg_type)
    if others:
        raise errors.invalid_parameter(f"Param {others[0]} is not allowed for a message of type {msg_type}.")
    context_id: str | None = None
    if "context" in body:
        context_id = require_str(_require_obj(body, "context"), "message_id", "context")
    opaque = body.get("biz_opaque_callback_data")
    if opaque is not None:
        if not isinstance(opaque, str):
            raise errors.invalid_parameter("Param biz_opaque_callback_data must be a string.")
        check_length(opaque, OPAQUE_MAX, "biz_opaque_callback_data")
    if msg_type == "contacts":
        _validate_contacts(body.get("contacts"))
        content: dict[str, Any] = {"contacts": body["contacts"]}
    else:
        content = _require_obj(body, msg_type)
        if msg_type == "text":
            _validate_text(content)
        elif msg_type in MEDIA_TYPES:
            validate_media(msg_type, content, media_exists)
        elif msg_type == "interactive":
            validate_interactive(content, media_exists)
        elif msg_type == "reaction":
            _validate_reaction(content)
        elif msg_type == "location":
            _validate_location(content)
        # template definitions are checked against the registry by templates.check_send
    return SendRequest(
        to=to,
        wa_id=digits(to),
        type=msg_type,
        content=content,
        context_message_id=context_id,
        biz_opaque_callback_data=opaque,
    )
