"""Customer messages injected into the gateway as Meta would deliver them (``POST /_sim/inbound``)."""

from __future__ import annotations

import base64
import binascii
import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .domain import errors, media_gen
from .domain.ids import new_wamid
from .domain.phones import digits, is_valid_recipient
from .domain.webhooks import inbound_message, inbound_payload
from .simulator import Simulator
from .stores import ChatMessage

MESSAGE_KINDS = (
    "text",
    "interactive",
    "button",
    "location",
    "image",
    "document",
    "audio",
    "video",
    "sticker",
    "contacts",
    "reaction",
    "unsupported",
)


class InteractiveReply(BaseModel):
    """A tap on a reply button or a list row."""

    type: Literal["button_reply", "list_reply"] = "button_reply"
    id: str
    title: str
    description: str | None = None


class ButtonReply(BaseModel):
    """A tap on a template quick-reply button."""

    payload: str
    text: str


class Location(BaseModel):
    """A shared location."""

    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


class Media(BaseModel):
    """Customer media; bytes are generated unless ``data_base64`` is given."""

    caption: str | None = None
    filename: str | None = None
    mime_type: str | None = None
    data_base64: str | None = None
    voice: bool | None = None
    animated: bool | None = None


class Reaction(BaseModel):
    """A reaction to a message (empty emoji removes it)."""

    message_id: str
    emoji: str = ""


class Unsupported(BaseModel):
    """A message type the Cloud API does not support (edit, poll, …)."""

    type: str = "edit"


class InboundSpec(BaseModel):
    """What a customer sends; exactly one message kind must be present."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    from_: str = Field(alias="from")
    name: str | None = None
    wa_id: str | None = None
    timestamp: int | None = None
    context_id: str | None = None
    forwarded: bool = False
    text: str | None = None
    interactive: InteractiveReply | None = None
    button: ButtonReply | None = None
    location: Location | None = None
    image: Media | None = None
    document: Media | None = None
    audio: Media | None = None
    video: Media | None = None
    sticker: Media | None = None
    contacts: list[dict[str, Any]] | None = None
    reaction: Reaction | None = None
    unsupported: Unsupported | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> InboundSpec:
        given = [k for k in MESSAGE_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of {', '.join(MESSAGE_KINDS)}; got {given or 'none'}")
        if not is_valid_recipient(self.from_):
            raise ValueError("'from' must be a phone number with 8 to 15 digits")
        return self

    @property
    def kind(self) -> str:
        """Return the message kind."""
        return next(k for k in MESSAGE_KINDS if getattr(self, k) is not None)


_DEFAULT_MEDIA = {
    "image": ("image/png", None),
    "document": ("application/pdf", "documento.pdf"),
    "audio": ("audio/ogg; codecs=opus", None),
    "video": ("video/mp4", None),
    "sticker": ("image/webp", None),
}


def _media_bytes(kind: str, spec: Media, seed: int) -> bytes:
    if spec.data_base64:
        try:
            return base64.b64decode(spec.data_base64, validate=True)
        except binascii.Error as exc:
            raise errors.invalid_parameter("data_base64 is not valid base64.") from exc
    if kind == "image":
        return media_gen.png(seed=seed)
    if kind == "document":
        return media_gen.pdf(spec.caption or spec.filename or "Documento enviado pelo cliente")
    if kind == "sticker":
        return media_gen.webp()
    if kind == "audio":
        return media_gen.ogg_stub()
    return b"\x00\x00\x00\x18ftypmp42"  # the start of an MP4 file; nobody decodes it


def _content(sim: Simulator, spec: InboundSpec, kind: str) -> tuple[Any, dict[str, Any]]:
    """Return (webhook content, chat-page view) for the message."""
    if kind == "text":
        return {"body": spec.text}, {"body": spec.text}
    if kind == "interactive" and spec.interactive is not None:
        reply = spec.interactive.model_dump(exclude_none=True, exclude={"type"})
        return {"type": spec.interactive.type, spec.interactive.type: reply}, {"reply": reply}
    if kind == "button" and spec.button is not None:
        return spec.button.model_dump(), spec.button.model_dump()
    if kind == "location" and spec.location is not None:
        loc = spec.location.model_dump(exclude_none=True)
        return loc, loc
    if kind == "contacts":
        return spec.contacts, {"contacts": spec.contacts}
    if kind == "reaction" and spec.reaction is not None:
        reaction = spec.reaction.model_dump()
        return reaction, reaction
    if kind == "unsupported" and spec.unsupported is not None:
        return {"type": spec.unsupported.type}, {"type": spec.unsupported.type}
    media_spec: Media = getattr(spec, kind)
    default_mime, default_name = _DEFAULT_MEDIA[kind]
    mime = media_spec.mime_type or default_mime
    filename = media_spec.filename or default_name
    item = sim.media.add(_media_bytes(kind, media_spec, int(sim.now())), mime, filename, sim.now())
    content: dict[str, Any] = {"mime_type": mime, "sha256": item.sha256, "id": item.id}
    if kind in ("image", "video", "document") and media_spec.caption:
        content["caption"] = media_spec.caption
    if kind == "document":
        content["filename"] = filename
    if kind == "audio":
        content["voice"] = bool(media_spec.voice)
    if kind == "sticker":
        content["animated"] = bool(media_spec.animated)
    if sim.config.inbound_media_url:
        content["url"] = media_url(sim, item.id)
    view = {
        "kind": kind,
        "url": f"/_sim/chat/media/{item.id}",
        "mime_type": mime,
        "caption": media_spec.caption,
        "filename": filename,
    }
    return content, view


def media_url(sim: Simulator, media_id: str) -> str:
    """Return a fresh, expiring download URL for a media id."""
    # Round up so a URL is never valid for less than the configured TTL.
    expires = math.ceil(sim.now() + sim.config.media_url_ttl_s)
    query = sim.media.signed_query(media_id, expires)
    return f"{sim.settings.public_url}/whatsapp_business/attachments/?{query}"


def default_name(sim: Simulator, wa_id: str) -> str:
    """Return the demo customer's name for a number, or a generic one."""
    for entry in sim.settings.whatsapp_sim_demo_customers:
        phone, _, name = entry.partition(":")
        if digits(phone) == wa_id and name:
            return name.strip()
    return sim.chat.names.get(wa_id, "Cliente")


async def inject(sim: Simulator, spec: InboundSpec) -> dict[str, Any]:
    """Build the webhook for a customer message, record it, and POST it signed to the gateway."""
    sender = digits(spec.from_)
    wa_id = digits(spec.wa_id) if spec.wa_id else sender
    name = spec.name or default_name(sim, wa_id)
    sim.chat.names[wa_id] = name
    timestamp = spec.timestamp or int(sim.now())
    wamid = new_wamid(sender)
    kind = spec.kind
    content, view = _content(sim, spec, kind)
    context: dict[str, Any] | None = None
    if spec.context_id:
        context = {"from": sim.business.display_phone_number, "id": spec.context_id}
    elif spec.forwarded:
        context = {"forwarded": True}
    message = inbound_message(
        wamid=wamid, sender=sender, timestamp=timestamp, msg_type=kind, content=content, context=context
    )
    if kind == "unsupported":
        message["errors"] = [
            {
                "code": 131051,
                "title": "Message type unknown",
                "message": "Message type unknown",
                "error_data": {"details": "Message type is currently not supported."},
            }
        ]
    payload = inbound_payload(sim.business, wa_id=wa_id, profile_name=name, message=message)
    # A customer message (re)opens the 24-hour window from its own timestamp.
    sim.window.record_inbound(wa_id, float(timestamp))
    sim.inbound_ids[wamid] = wa_id
    sim.chat.add(
        ChatMessage(
            id=wamid,
            wa_id=wa_id,
            direction="in",
            ts=sim.now(),
            type=kind,
            content=view,
            status="delivered",
            context_id=spec.context_id,
        )
    )
    delivery = await sim.webhooks.deliver(payload, "inbound")
    last = delivery.attempts[-1]
    return {
        "wamid": wamid,
        "wa_id": wa_id,
        "gateway_status": last.status_code,
        "gateway_error": last.error,
        "delivered": delivery.delivered,
        "delivery_seq": delivery.seq,
        "payload": payload,
    }
