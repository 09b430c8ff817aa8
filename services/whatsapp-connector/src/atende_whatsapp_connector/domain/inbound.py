"""Webhook body → normalized events: every entry, change, message and status of a batch
(reference §1.3, §2), for the numbers we own only.

    parse_webhook(raw, id_key=…) → ParsedWebhook(messages=[InboundMessage…], statuses=[StatusUpdate…], problems=[…])

Raises MalformedWebhook when the body is not a WhatsApp webhook at all; an individual message or
status that cannot be read is reported in `problems` (the rest of the batch still counts).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import ValidationError

from atende.conversation.v1.conversation_pb2 import (
    Contact,
    ContactsContent,
    InboundMessage,
    InteractiveReply,
    LocationContent,
    MediaContent,
    ReactionContent,
    TemplateButtonReply,
    TextContent,
    UnsupportedContent,
)
from atende.whatsapp.v1.whatsapp_pb2 import DeliveryStatus, GraphError
from atende_core.ids import conversation_id
from atende_whatsapp_connector.domain.models import Message, Status, Value, WebhookContact, WebhookError, WebhookPayload

_T = TypeVar("_T")
MESSAGES_FIELD = "messages"
_SURROGATE = re.compile("[\ud800-\udfff]")
_MEDIA_KINDS = {
    "image": MediaContent.KIND_IMAGE,
    "document": MediaContent.KIND_DOCUMENT,
    "audio": MediaContent.KIND_AUDIO,
    "video": MediaContent.KIND_VIDEO,
    "sticker": MediaContent.KIND_STICKER,
}
STATUS_VALUES = {
    "sent": DeliveryStatus.DELIVERY_STATUS_SENT,
    "delivered": DeliveryStatus.DELIVERY_STATUS_DELIVERED,
    "read": DeliveryStatus.DELIVERY_STATUS_READ,
    "played": DeliveryStatus.DELIVERY_STATUS_PLAYED,
    "failed": DeliveryStatus.DELIVERY_STATUS_FAILED,
}


class MalformedWebhook(ValueError):
    """The body is not JSON, or not shaped like a WhatsApp Business webhook."""


@dataclass(frozen=True)
class StatusUpdate:
    """One status webhook item of a message we sent."""

    phone_number_id: str
    message_id: str
    status: DeliveryStatus
    occurred_at: int
    recipient_id: str
    errors: tuple[GraphError, ...] = ()
    biz_opaque_callback_data: str = ""
    pricing_category: str = ""


@dataclass
class ParsedWebhook:
    """What one webhook body carried for the numbers we own."""

    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    # Items that could not be read ("<kind> <index>: <reason>"); the rest of the batch is still valid.
    problems: list[str] = field(default_factory=list)
    # phone_number_ids of changes we skipped because the number is not ours.
    foreign_numbers: list[str] = field(default_factory=list)
    # `value.errors[]` (system-level errors) and changes of other fields (template status…).
    system_errors: list[GraphError] = field(default_factory=list)
    other_fields: list[str] = field(default_factory=list)


def graph_error(error: WebhookError) -> GraphError:
    """The event form of a webhook error object."""
    return GraphError(code=error.code, title=error.title, message=error.message, details=error.error_data.details)


def parse_webhook(
    raw: bytes, *, owned: frozenset[str], now: float, stale_after_seconds: float, id_key: bytes
) -> ParsedWebhook:
    """Normalize every message and status of `raw` that belongs to a number in `owned` (conversation
    ids keyed by `id_key`, see `atende_core.ids`)."""
    try:
        document: Any = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedWebhook(f"body is not JSON: {type(exc).__name__}") from exc
    if b"\\ud" in raw.lower():
        document = _without_lone_surrogates(document)
    try:
        payload = WebhookPayload.model_validate(document)
    except ValidationError as exc:
        raise MalformedWebhook(f"not a webhook envelope: {exc.error_count()} problems") from exc
    parsed = ParsedWebhook()
    for e, entry in enumerate(payload.entry):
        for c, change in enumerate(entry.changes):
            if change.field != MESSAGES_FIELD:
                parsed.other_fields.append(change.field)
                continue
            try:
                value = Value.model_validate(change.value)
            except ValidationError as exc:
                parsed.problems.append(f"entry {e} change {c}: {_reason(exc)}")
                continue
            pnid = value.metadata.phone_number_id
            if pnid not in owned:
                parsed.foreign_numbers.append(pnid)
                continue
            parsed.system_errors.extend(graph_error(err) for err in value.errors)
            _read_messages(value, pnid, parsed, now=now, stale_after=stale_after_seconds, id_key=id_key)
            _read_statuses(value.statuses, pnid, parsed)
    return parsed


def _without_lone_surrogates(node: Any) -> Any:
    """JSON may escape half a surrogate pair (``\\ud800``), which no event can carry as UTF-8: each
    becomes U+FFFD, so the customer's message still gets through."""
    if isinstance(node, str):
        return _SURROGATE.sub("\ufffd", node)
    if isinstance(node, list):
        return [_without_lone_surrogates(item) for item in node]
    if isinstance(node, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in node.items()}
    return node


def _reason(exc: ValidationError) -> str:
    first = exc.errors()[0]
    return f"{'.'.join(str(p) for p in first['loc'])}: {first['type']}"


def _read_messages(
    value: Value, pnid: str, parsed: ParsedWebhook, *, now: float, stale_after: float, id_key: bytes
) -> None:
    for i, item in enumerate(value.messages):
        try:
            message = Message.model_validate(item)
            parsed.messages.append(
                inbound_message(message, pnid, value.contacts, now=now, stale_after=stale_after, id_key=id_key)
            )
        except (ValidationError, ValueError) as exc:
            reason = _reason(exc) if isinstance(exc, ValidationError) else str(exc)
            parsed.problems.append(f"message {i}: {reason}")


def _read_statuses(items: Iterable[dict[str, Any]], pnid: str, parsed: ParsedWebhook) -> None:
    for i, item in enumerate(items):
        try:
            status = Status.model_validate(item)
        except ValidationError as exc:
            parsed.problems.append(f"status {i}: {_reason(exc)}")
            continue
        value = STATUS_VALUES.get(status.status)
        if value is None:
            parsed.problems.append(f"status {i}: unknown status {status.status!r}")
            continue
        parsed.statuses.append(
            StatusUpdate(
                phone_number_id=pnid,
                message_id=status.id,
                status=value,
                occurred_at=status.timestamp,
                recipient_id=status.recipient_id,
                errors=tuple(graph_error(err) for err in status.errors),
                biz_opaque_callback_data=status.biz_opaque_callback_data,
                pricing_category=status.pricing.category if status.pricing else "",
            )
        )


def _sender(contacts: list[WebhookContact], sender: str) -> WebhookContact:
    """The contact of a message: `wa_id` and `from` may differ (reference §2), so match, then fall back."""
    digits = sender.lstrip("+")
    for contact in contacts:
        if contact.wa_id == digits:
            return contact
    if len(contacts) == 1:
        return contacts[0]
    return WebhookContact(wa_id=digits)


def inbound_message(
    message: Message, pnid: str, contacts: list[WebhookContact], *, now: float, stale_after: float, id_key: bytes
) -> InboundMessage:
    """One webhook message as a `conversation.inbound` event; ValueError when its content is missing."""
    contact = _sender(contacts, message.from_)
    wa_id = contact.wa_id or message.from_.lstrip("+")
    event = InboundMessage(
        conversation_id=conversation_id(phone_number_id=pnid, wa_id=wa_id, key=id_key),
        message_id=message.id,
        phone_number_id=pnid,
        wa_id=wa_id,
        profile_name=contact.profile.name,
        stale=now - message.timestamp > stale_after,
        sent_at=Timestamp(seconds=message.timestamp),
    )
    # `from` is a protobuf field name but a Python keyword.
    setattr(event, "from", message.from_)
    if message.context is not None:
        event.context_message_id = message.context.id
        event.forwarded = message.context.forwarded or message.context.frequently_forwarded
    _fill_content(event, message)
    return event


def _fill_content(event: InboundMessage, message: Message) -> None:
    kind = message.type
    if kind == "text":
        event.text.CopyFrom(TextContent(body=_required(message.text, kind).body))
    elif kind in _MEDIA_KINDS:
        media = _required(getattr(message, kind), kind)
        event.media.CopyFrom(
            MediaContent(
                kind=_MEDIA_KINDS[kind],
                media_id=media.id,
                mime_type=media.mime_type,
                sha256=media.sha256,
                caption=media.caption,
                filename=media.filename,
                url=media.url,
                voice=media.voice,
                animated=media.animated,
            )
        )
    elif kind == "interactive":
        _fill_interactive(event, _required(message.interactive, kind), message)
    elif kind == "button":
        tap = _required(message.button, kind)
        event.template_button.CopyFrom(TemplateButtonReply(payload=tap.payload, text=tap.text))
    elif kind == "location":
        loc = _required(message.location, kind)
        event.location.CopyFrom(
            LocationContent(latitude=loc.latitude, longitude=loc.longitude, name=loc.name, address=loc.address)
        )
    elif kind == "contacts":
        shared = _required(message.contacts, kind)
        event.contacts.CopyFrom(
            ContactsContent(
                contacts=[
                    Contact(formatted_name=c.name.formatted_name, phones=[p.phone for p in c.phones if p.phone])
                    for c in shared
                ]
            )
        )
    elif kind == "reaction":
        reaction = _required(message.reaction, kind)
        event.reaction.CopyFrom(ReactionContent(message_id=reaction.message_id, emoji=reaction.emoji))
    else:
        # `unsupported` (edits, polls, gifs…), `order`, `system`, and whatever Meta adds next.
        detail = message.unsupported.type if message.unsupported else ""
        _fill_unsupported(event, detail if kind == "unsupported" and detail else kind, message)


def _fill_interactive(event: InboundMessage, interactive: Any, message: Message) -> None:
    reply = interactive.button_reply if interactive.type == "button_reply" else interactive.list_reply
    if interactive.type not in ("button_reply", "list_reply") or reply is None:
        # Flows (`nfm_reply`) and other interactive replies the bot does not handle yet.
        _fill_unsupported(event, f"interactive:{interactive.type}", message)
        return
    kind = InteractiveReply.KIND_BUTTON if interactive.type == "button_reply" else InteractiveReply.KIND_LIST
    event.interactive_reply.CopyFrom(
        InteractiveReply(kind=kind, id=reply.id, title=reply.title, description=reply.description)
    )


def _fill_unsupported(event: InboundMessage, kind: str, message: Message) -> None:
    error = message.errors[0] if message.errors else None
    event.unsupported.CopyFrom(
        UnsupportedContent(type=kind, error_code=error.code if error else 0, error_title=error.title if error else "")
    )


def _required(value: _T | None, kind: str) -> _T:
    if value is None:
        raise ValueError(f"type {kind!r} without its {kind!r} object")
    return value
