"""The shape of Meta's `messages` webhook (reference §2), as tolerant pydantic models.

Unknown fields are ignored and almost everything has a default, because Meta adds fields and types
without notice; the envelope and each message/status are validated separately so that one odd item
does not hide the rest of a batch.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

# Bounds on numbers a hostile body could make absurd: error codes travel as protobuf int32, and a
# timestamp beyond 2106 (or a float overflow) is no time Meta sends.
Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
UnixSeconds = Annotated[int, Field(ge=0, le=2**32)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


class Profile(_Model):
    """A contact's WhatsApp profile."""

    name: str = ""


class WebhookContact(_Model):
    """The sender of the messages of one change."""

    wa_id: str = ""
    profile: Profile = Profile()


class Metadata(_Model):
    """The business number a change belongs to."""

    display_phone_number: str = ""
    phone_number_id: str = ""


class Context(_Model):
    """What a message replies to, or its forwarding flags."""

    from_: str = Field(default="", alias="from")
    id: str = ""
    forwarded: bool = False
    frequently_forwarded: bool = False


class ErrorData(_Model):
    """Details of a webhook error."""

    details: str = ""


class WebhookError(_Model):
    """An error object as webhooks carry it (messages, statuses, value)."""

    code: Int32 = 0
    title: str = ""
    message: str = ""
    error_data: ErrorData = ErrorData()


class TextBody(_Model):
    """`text` of a text message."""

    body: str


class MediaObject(_Model):
    """`image`, `video`, `audio`, `document` or `sticker` of a media message."""

    id: str
    mime_type: str = ""
    sha256: str = ""
    caption: str = ""
    filename: str = ""
    url: str = ""
    voice: bool = False
    animated: bool = False


class Location(_Model):
    """`location` of a location message."""

    latitude: float
    longitude: float
    name: str = ""
    address: str = ""
    url: str = ""


class ContactName(_Model):
    """Name of a shared contact."""

    formatted_name: str = ""


class ContactPhone(_Model):
    """One phone of a shared contact."""

    phone: str = ""
    wa_id: str = ""
    type: str = ""


class SharedContact(_Model):
    """One vCard-like contact of a `contacts` message."""

    name: ContactName = ContactName()
    phones: list[ContactPhone] = []


class Reply(_Model):
    """A tapped reply button or list row."""

    id: str
    title: str = ""
    description: str = ""


class Interactive(_Model):
    """`interactive` of a reply to our buttons or list."""

    type: str
    button_reply: Reply | None = None
    list_reply: Reply | None = None


class TemplateButtonTap(_Model):
    """`button` of a template quick-reply tap."""

    payload: str = ""
    text: str = ""


class ReactionBody(_Model):
    """`reaction` of a reaction message."""

    message_id: str
    emoji: str = ""


class UnsupportedBody(_Model):
    """`unsupported` of a message type the Cloud API does not deliver."""

    type: str = ""


class Message(_Model):
    """One inbound customer message (`value.messages[]`)."""

    id: str
    from_: str = Field(alias="from")
    timestamp: UnixSeconds
    type: str
    context: Context | None = None
    text: TextBody | None = None
    image: MediaObject | None = None
    video: MediaObject | None = None
    audio: MediaObject | None = None
    document: MediaObject | None = None
    sticker: MediaObject | None = None
    location: Location | None = None
    contacts: list[SharedContact] | None = None
    interactive: Interactive | None = None
    button: TemplateButtonTap | None = None
    reaction: ReactionBody | None = None
    unsupported: UnsupportedBody | None = None
    errors: list[WebhookError] = []


class Pricing(_Model):
    """Pricing of a status (category: service, utility, marketing…)."""

    category: str = ""
    type: str = ""


class Status(_Model):
    """One status of a message we sent (`value.statuses[]`)."""

    id: str
    status: str
    timestamp: UnixSeconds = 0
    recipient_id: str = ""
    biz_opaque_callback_data: str = ""
    pricing: Pricing | None = None
    errors: list[WebhookError] = []


class Value(_Model):
    """`changes[].value` of the `messages` field; items stay raw until validated one by one."""

    messaging_product: str = ""
    metadata: Metadata = Metadata()
    contacts: list[WebhookContact] = []
    messages: list[dict[str, Any]] = []
    statuses: list[dict[str, Any]] = []
    errors: list[WebhookError] = []


class Change(_Model):
    """One change of an entry; only `field == "messages"` values are parsed."""

    field: str = ""
    value: dict[str, Any] = {}


class Entry(_Model):
    """One WhatsApp Business Account's changes."""

    id: str = ""
    changes: list[Change] = []


class WebhookPayload(_Model):
    """The whole POST body."""

    object: str = ""
    entry: list[Entry]
