"""SendMessage command → the exact Graph API `/messages` JSON (reference §3), after checking
WhatsApp's limits so that a bad command fails here, with a clear reason, instead of at Meta.

    build_payload(command) → dict            raises InvalidCommand(code, details)

Codes follow Meta's rule of thumb (§5.3): 131008 a required field is missing, 131009 a value breaks
a documented limit, 100 anything else that is not a valid parameter.
"""

from __future__ import annotations

import re
from typing import Any

from atende.whatsapp.v1.whatsapp_pb2 import (
    GraphError,
    ListMessage,
    Media,
    ReplyButtons,
    SendMessage,
    Template,
    TemplateButton,
    TemplateParameter,
)

MISSING = 131008
INVALID_VALUE = 131009
INVALID_PARAMETER = 100

TEXT_BODY_MAX = 4096
CAPTION_MAX = 1024
OPAQUE_MAX = 512
BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
BUTTONS_BODY_MAX = 1024
HEADER_MAX = 60
FOOTER_MAX = 60
LIST_BODY_MAX = 4096
LIST_BUTTON_MAX = 20
SECTIONS_MAX = 10
ROWS_MAX = 10
SECTION_TITLE_MAX = 24
ROW_ID_MAX = 200
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
TEMPLATE_BUTTON_INDEX_MAX = 9
DEFAULT_TEMPLATE_LANGUAGE = "pt_BR"
_PHONE_DIGITS = re.compile(r"^\d{8,15}$")
# Meta refuses template body parameters with new lines, tabs or more than four spaces in a row.
_BAD_TEMPLATE_TEXT = re.compile(r"[\n\t]| {5,}")
_TITLES = {
    MISSING: "Required parameter is missing",
    INVALID_VALUE: "Parameter value is not valid",
    INVALID_PARAMETER: "Invalid parameter",
}


class InvalidCommand(ValueError):
    """A command WhatsApp would refuse; `code` and `details` mirror the Graph error it would cause."""

    def __init__(self, code: int, details: str) -> None:
        super().__init__(details)
        self.code = code
        self.details = details

    def graph_error(self) -> GraphError:
        """The error as a status event carries it."""
        title = _TITLES.get(self.code, "Invalid parameter")
        return GraphError(code=self.code, title=title, message=f"(#{self.code}) {title}", details=self.details)


def _limit(value: str, maximum: int, what: str, *, required: bool = False) -> str:
    if required and not value:
        raise InvalidCommand(MISSING, f"{what} is required")
    if len(value) > maximum:
        raise InvalidCommand(INVALID_VALUE, f"{what} has {len(value)} characters; the limit is {maximum}")
    return value


def recipient(to: str) -> str:
    """`to` as Meta wants it: `+` and country code (without them Meta prepends our own country code)."""
    digits = re.sub(r"[\s().-]", "", to).removeprefix("+")
    if not _PHONE_DIGITS.match(digits):
        raise InvalidCommand(INVALID_VALUE, "to must be a phone number in E.164 (country code and number)")
    return "+" + digits


def build_payload(command: SendMessage) -> dict[str, Any]:
    """The `/messages` body for `command`, or InvalidCommand naming the first broken rule."""
    kind = command.WhichOneof("content")
    if kind is None:
        raise InvalidCommand(MISSING, "the command has no content")
    if kind == "mark_read":
        return _mark_read(command)
    body: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual"}
    body["to"] = recipient(command.to)
    if kind == "text":
        body["type"] = "text"
        body["text"] = {
            "body": _limit(command.text.body, TEXT_BODY_MAX, "text body", required=True),
            "preview_url": command.text.preview_url,
        }
    elif kind in ("image", "document", "audio", "video"):
        body["type"] = kind
        body[kind] = _media(kind, getattr(command, kind))
    elif kind == "template":
        body["type"] = "template"
        body["template"] = template_object(command.template)
    elif kind == "buttons":
        body["type"] = "interactive"
        body["interactive"] = _buttons(command.buttons)
    elif kind == "list":
        body["type"] = "interactive"
        body["interactive"] = _list(command.list)
    elif kind == "reaction":
        if not command.reaction.message_id:
            raise InvalidCommand(MISSING, "reaction.message_id is required")
        body["type"] = "reaction"
        # An empty emoji removes our reaction.
        body["reaction"] = {"message_id": command.reaction.message_id, "emoji": command.reaction.emoji}
    else:  # pragma: no cover - the oneof has no other member
        raise InvalidCommand(INVALID_PARAMETER, f"unknown content {kind!r}")
    if command.reply_to_message_id:
        body["context"] = {"message_id": command.reply_to_message_id}
    if command.biz_opaque_callback_data:
        body["biz_opaque_callback_data"] = _limit(
            command.biz_opaque_callback_data, OPAQUE_MAX, "biz_opaque_callback_data"
        )
    return body


def _mark_read(command: SendMessage) -> dict[str, Any]:
    if not command.mark_read.message_id:
        raise InvalidCommand(MISSING, "mark_read.message_id is required")
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": command.mark_read.message_id,
    }
    if command.mark_read.typing_indicator:
        body["typing_indicator"] = {"type": "text"}
    return body


def _media(kind: str, media: Media, *, where: str | None = None) -> dict[str, Any]:
    where = where or kind
    if bool(media.media_id) == bool(media.link):
        raise InvalidCommand(INVALID_PARAMETER, f"{where} needs exactly one of media_id and link")
    obj: dict[str, Any] = {"id": media.media_id} if media.media_id else {"link": _link(media.link, where)}
    if media.caption:
        if kind not in ("image", "video", "document"):
            raise InvalidCommand(INVALID_PARAMETER, f"{where} cannot have a caption")
        obj["caption"] = _limit(media.caption, CAPTION_MAX, f"{where} caption")
    if media.filename:
        if kind != "document":
            raise InvalidCommand(INVALID_PARAMETER, f"{where} cannot have a filename (documents only)")
        obj["filename"] = media.filename
    return obj


def _link(link: str, where: str) -> str:
    if not link.startswith(("https://", "http://")):
        raise InvalidCommand(INVALID_PARAMETER, f"{where} link must be an http(s) URL")
    return link


def template_object(template: Template) -> dict[str, Any]:
    """The `template` object of a send (name, language, header/body/button parameters)."""
    if not template.name:
        raise InvalidCommand(MISSING, "template.name is required")
    components: list[dict[str, Any]] = []
    if template.header:
        components.append({"type": "header", "parameters": [_parameter(p, "template header") for p in template.header]})
    if template.body:
        components.append({"type": "body", "parameters": [_parameter(p, "template body") for p in template.body]})
    components.extend(_template_button(b) for b in template.buttons)
    obj: dict[str, Any] = {"name": template.name, "language": {"code": template.language or DEFAULT_TEMPLATE_LANGUAGE}}
    if components:
        obj["components"] = components
    return obj


def _parameter(param: TemplateParameter, where: str) -> dict[str, Any]:
    kind = param.kind
    if kind == TemplateParameter.KIND_TEXT:
        if not param.text:
            raise InvalidCommand(MISSING, f"{where} text parameter is empty")
        if where == "template body" and _BAD_TEMPLATE_TEXT.search(param.text):
            raise InvalidCommand(
                INVALID_PARAMETER, f"{where} parameter cannot have new lines, tabs or more than four spaces in a row"
            )
        obj: dict[str, Any] = {"type": "text", "text": param.text}
        if param.parameter_name:
            obj["parameter_name"] = param.parameter_name
        return obj
    if kind in (TemplateParameter.KIND_DOCUMENT, TemplateParameter.KIND_IMAGE):
        media_kind = "document" if kind == TemplateParameter.KIND_DOCUMENT else "image"
        media = _media(media_kind, param.media, where=f"{where} {media_kind}")
        media.pop("caption", None)
        return {"type": media_kind, media_kind: media}
    if kind == TemplateParameter.KIND_PAYLOAD:
        return {"type": "payload", "payload": param.text}
    raise InvalidCommand(INVALID_PARAMETER, f"{where} parameter has no kind")


def _template_button(button: TemplateButton) -> dict[str, Any]:
    if button.sub_type not in ("quick_reply", "url"):
        raise InvalidCommand(INVALID_PARAMETER, "template button sub_type must be quick_reply or url")
    if not 0 <= button.index <= TEMPLATE_BUTTON_INDEX_MAX:
        raise InvalidCommand(INVALID_VALUE, f"template button index must be 0..{TEMPLATE_BUTTON_INDEX_MAX}")
    parameters = []
    for param in button.parameters:
        if button.sub_type == "quick_reply":
            parameters.append({"type": "payload", "payload": param.text})
        else:
            parameters.append({"type": "text", "text": param.text})
    # Meta's examples send the index as a string.
    return {"type": "button", "sub_type": button.sub_type, "index": str(button.index), "parameters": parameters}


def _header_footer(obj: dict[str, Any], header: str, footer: str) -> None:
    if header:
        obj["header"] = {"type": "text", "text": _limit(header, HEADER_MAX, "header")}
    if footer:
        obj["footer"] = {"text": _limit(footer, FOOTER_MAX, "footer")}


def _buttons(message: ReplyButtons) -> dict[str, Any]:
    if not 1 <= len(message.buttons) <= BUTTONS_MAX:
        raise InvalidCommand(INVALID_VALUE, f"reply buttons: {len(message.buttons)} given; 1 to {BUTTONS_MAX} allowed")
    titles = [b.title for b in message.buttons]
    ids = [b.id for b in message.buttons]
    if len(set(titles)) != len(titles) or len(set(ids)) != len(ids):
        raise InvalidCommand(INVALID_VALUE, "reply buttons need unique ids and titles")
    obj: dict[str, Any] = {"type": "button"}
    _header_footer(obj, message.header, message.footer)
    obj["body"] = {"text": _limit(message.body, BUTTONS_BODY_MAX, "reply buttons body", required=True)}
    obj["action"] = {
        "buttons": [
            {
                "type": "reply",
                "reply": {
                    "id": _limit(b.id, BUTTON_ID_MAX, "button id", required=True),
                    "title": _limit(b.title, BUTTON_TITLE_MAX, "button title", required=True),
                },
            }
            for b in message.buttons
        ]
    }
    return obj


def _list(message: ListMessage) -> dict[str, Any]:
    sections = message.sections
    if not 1 <= len(sections) <= SECTIONS_MAX:
        raise InvalidCommand(INVALID_VALUE, f"list: {len(sections)} sections given; 1 to {SECTIONS_MAX} allowed")
    rows = [row for section in sections for row in section.rows]
    if not 1 <= len(rows) <= ROWS_MAX:
        raise InvalidCommand(INVALID_VALUE, f"list: {len(rows)} rows given; 1 to {ROWS_MAX} allowed in total")
    if len({row.id for row in rows}) != len(rows):
        raise InvalidCommand(INVALID_VALUE, "list rows need unique ids")
    obj: dict[str, Any] = {"type": "list"}
    _header_footer(obj, message.header, message.footer)
    obj["body"] = {"text": _limit(message.body, LIST_BODY_MAX, "list body", required=True)}
    out_sections = []
    for section in sections:
        if not section.rows:
            raise InvalidCommand(INVALID_VALUE, "list sections need at least one row")
        out: dict[str, Any] = {}
        # A title is required once there is more than one section.
        if section.title or len(sections) > 1:
            out["title"] = _limit(section.title, SECTION_TITLE_MAX, "section title", required=True)
        out["rows"] = []
        for row in section.rows:
            item = {
                "id": _limit(row.id, ROW_ID_MAX, "row id", required=True),
                "title": _limit(row.title, ROW_TITLE_MAX, "row title", required=True),
            }
            if row.description:
                item["description"] = _limit(row.description, ROW_DESCRIPTION_MAX, "row description")
            out["rows"].append(item)
        out_sections.append(out)
    obj["action"] = {
        "button": _limit(message.button, LIST_BUTTON_MAX, "list button", required=True),
        "sections": out_sections,
    }
    return obj


def with_template(command: SendMessage, template: Template, *, command_id: str) -> SendMessage:
    """A copy of `command` that sends `template` instead (the re-engagement fallback), under `command_id`."""
    fallback = SendMessage(
        command_id=command_id,
        conversation_id=command.conversation_id,
        phone_number_id=command.phone_number_id,
        to=command.to,
        biz_opaque_callback_data=command.biz_opaque_callback_data,
    )
    fallback.template.CopyFrom(template)
    return fallback
