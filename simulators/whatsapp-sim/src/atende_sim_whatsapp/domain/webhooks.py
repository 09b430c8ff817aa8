"""Webhook bodies shaped like Meta's (reference §2 and §7), their serialisation and signature."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class BusinessNumber:
    """The business side of every webhook: WABA and phone number."""

    waba_id: str
    phone_number_id: str
    display_phone_number: str


def serialize_meta(payload: dict[str, Any], *, escape_slashes: bool = False) -> bytes:
    """Serialise like Meta: compact JSON, non-ASCII escaped as lowercase ``\\uXXXX``."""
    text = json.dumps(payload, ensure_ascii=True, separators=(",", ":"))
    if escape_slashes:
        text = text.replace("/", "\\/")
    return text.encode("ascii")


def sign(app_secret: str, raw_body: bytes) -> str:
    """Return the ``X-Hub-Signature-256`` header value for ``raw_body``."""
    digest = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def envelope(business: BusinessNumber, value: dict[str, Any], field: str = "messages") -> dict[str, Any]:
    """Wrap a ``value`` in the object/entry/changes envelope."""
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": business.waba_id, "changes": [{"value": value, "field": field}]}],
    }


def _metadata(business: BusinessNumber) -> dict[str, str]:
    return {
        "display_phone_number": business.display_phone_number,
        "phone_number_id": business.phone_number_id,
    }


def pricing(category: str, *, free: bool) -> dict[str, Any]:
    """Return the per-message ``pricing`` object (PMP model)."""
    return {
        "billable": not free,
        "pricing_model": "PMP",
        "category": category,
        "type": "free_customer_service" if free else "regular",
    }


@dataclass(frozen=True)
class StatusUpdate:
    """One entry of ``statuses[]``."""

    wamid: str
    status: str
    timestamp: int
    recipient_id: str
    biz_opaque_callback_data: str | None = None
    pricing: dict[str, Any] | None = None
    errors: list[dict[str, Any]] | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON shape (timestamp as a string, like Meta)."""
        item: dict[str, Any] = {
            "id": self.wamid,
            "status": self.status,
            "timestamp": str(self.timestamp),
            "recipient_id": self.recipient_id,
        }
        if self.biz_opaque_callback_data is not None:
            item["biz_opaque_callback_data"] = self.biz_opaque_callback_data
        if self.pricing is not None:
            item["pricing"] = self.pricing
        if self.errors is not None:
            item["errors"] = self.errors
        return item


def status_payload(business: BusinessNumber, update: StatusUpdate) -> dict[str, Any]:
    """Return a status webhook body."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": _metadata(business),
        "statuses": [update.as_dict()],
    }
    return envelope(business, value)


def inbound_payload(
    business: BusinessNumber,
    *,
    wa_id: str,
    profile_name: str,
    message: dict[str, Any],
) -> dict[str, Any]:
    """Return an inbound message webhook body with its ``contacts[]``."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": _metadata(business),
        "contacts": [{"profile": {"name": profile_name}, "wa_id": wa_id}],
        "messages": [message],
    }
    return envelope(business, value)


def inbound_message(
    *,
    wamid: str,
    sender: str,
    timestamp: int,
    msg_type: str,
    content: Any,
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return one ``messages[]`` item (``content`` goes under the key named by ``msg_type``)."""
    message: dict[str, Any] = {}
    if context is not None:
        message["context"] = context
    message.update({"from": sender, "id": wamid, "timestamp": str(timestamp), "type": msg_type})
    message[msg_type] = content
    return message


def template_status_payload(
    business: BusinessNumber,
    *,
    template_id: str,
    name: str,
    language: str,
    event: str,
    reason: str | None,
) -> dict[str, Any]:
    """Return a ``message_template_status_update`` webhook body."""
    value = {
        "event": event,
        "message_template_id": int(template_id),
        "message_template_name": name,
        "message_template_language": language,
        "reason": reason,
    }
    return envelope(business, value, field="message_template_status_update")
