"""What an agent sends besides text: approved WhatsApp templates (the only messages allowed once the
customer's 24-hour window has closed) and attachments (PDF, JPEG, PNG), through the WhatsApp
connector's internal API (console/connector.py): the gateway never holds the WhatsApp token.

    route                                              viewer  agent  supervisor  admin
    GET  /operator/templates                             yes    yes      yes       yes
    POST /operator/conversations/{id}/template            -     yes(1)   yes(1)    yes(1)
    POST /operator/conversations/{id}/attachments         -     yes(1)   yes(1)    yes(1)
    (1) only the agent who claimed the conversation.

A send publishes SendMessage on `whatsapp.outbound` (its command id derives from the Idempotency-Key,
so a retried click is sent once) then AgentReplied on `conversation.events`, and records an audit
entry; the board shows the turn (kind "template", or "document"/"image" with its media).
An attachment is refused before its bytes are read when Content-Length is missing (411) or above
CONSOLE_ATTACHMENT_MAX_BYTES (413); its type comes from its first bytes (415 unless PDF, JPEG or
PNG), never from the client; it is uploaded to WhatsApp and sent by media id.
"""

# No `from __future__ import annotations` here: FastAPI must see the route annotations as objects.
import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Header, HTTPException, Request, status
from google.protobuf.timestamp_pb2 import Timestamp
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from atende.conversation.v1 import conversation_pb2 as conv
from atende.whatsapp.v1 import whatsapp_pb2 as wa
from atende_core.bus import topics
from atende_core.identity import Principal
from atende_gateway import metrics
from atende_gateway.console.board import window_closed
from atende_gateway.console.connector import ConnectorClient, ConnectorRefused, ConnectorUnavailable
from atende_gateway.console.sending_models import SendAccepted, TemplateList, TemplateSend
from atende_gateway.domain.attachments import IMAGE_MAX_BYTES, safe_filename, sniff
from atende_gateway.inbox import NotInInbox
from atende_gateway.operator_models import WINDOW_CLOSED, ConversationId, problems

if TYPE_CHECKING:  # the console package imports this module to list its registrar
    from atende_gateway.console import ConsoleContext

log = logging.getLogger(__name__)

_NAMESPACE = uuid.UUID("5c1d8e2a-7b3f-4a69-9e0d-2f4b6a8c1e37")
CAPTION_MAX = 1024
# Room for the multipart boundaries and the caption around the file itself.
_FORM_OVERHEAD_BYTES = 16 * 1024
_RETRY_AFTER_S = "5"
_UPLOAD_MEMORY_S = 24 * 3600
_PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
_ATTACHMENT_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "PDF, JPEG or PNG"},
                        "caption": {"type": "string", "maxLength": CAPTION_MAX},
                    },
                },
                "example": {"file": "fatura-dezembro.pdf", "caption": "Segue a sua fatura de dezembro."},
            }
        },
    }
}


def _now() -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(datetime.now(UTC))
    return stamp


def _unavailable(kind: str, exc: ConnectorUnavailable) -> HTTPException:
    metrics.CONSOLE_SENDS.labels(kind, "unavailable").inc()
    return HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc), headers={"Retry-After": _RETRY_AFTER_S})


def _refused(kind: str, reason: str, code: int, detail: str) -> HTTPException:
    """A counted refusal (atende_gateway_console_sends_total{kind, outcome=reason})."""
    metrics.CONSOLE_SENDS.labels(kind, reason).inc()
    return HTTPException(code, detail)


def render(body: str, parameters: list[str]) -> str:
    """The template's body with its {{n}} placeholders filled (what the customer reads)."""
    return _PLACEHOLDER.sub(
        lambda m: parameters[int(m.group(1)) - 1] if int(m.group(1)) <= len(parameters) else "", body
    )


def register(context: "ConsoleContext") -> None:
    """Add the template and attachment routes, with one connector client per replica."""
    settings = context.settings
    connector = ConnectorClient(
        base_url=settings.whatsapp_connector_url,
        token=settings.internal_api_token,
        timeout_s=settings.console_connector_timeout_s,
    )
    context.on_stop.append(connector.aclose)
    context.publishes_to |= {topics.WHATSAPP_OUTBOUND, topics.CONVERSATION_EVENTS}
    inbox, bus, redis = context.inbox, context.bus, context.redis
    prefix = settings.kafka_topic_prefix
    max_bytes = settings.console_attachment_max_bytes
    router = context.router
    Reader, Actor = context.reader, context.actor  # noqa: N806 - type aliases, named like ones
    IdempotencyKey = Annotated[str | None, Header(max_length=200)]  # noqa: N806

    async def claimed(conversation_id: str, agent: str) -> tuple[str, str]:
        """(phone_number_id, wa_id) of a conversation the agent has claimed; 404 / 409 otherwise."""
        try:
            recipient = await inbox.recipient(conversation_id)
            owner = await inbox.owner(conversation_id)
        except NotInInbox:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not in the inbox") from None
        if owner != agent:
            raise HTTPException(status.HTTP_409_CONFLICT, "claim the conversation before sending")
        return recipient

    async def send(
        principal: Principal,
        request: Request,
        conversation_id: str,
        command: wa.SendMessage,
        *,
        said: str,
        action: str,
        **details: str,
    ) -> SendAccepted:
        command_id = command.command_id
        await bus.publish(topics.WHATSAPP_OUTBOUND, command, key=conversation_id, event_id=command_id)
        replied = conv.AgentReplied(
            conversation_id=conversation_id, occurred_at=_now(), agent_id=principal.user_id, text=said
        )
        event_id = str(uuid.uuid5(_NAMESPACE, command_id))
        await bus.publish(topics.CONVERSATION_EVENTS, replied, key=conversation_id, event_id=event_id)
        audit_id = str(uuid.uuid5(_NAMESPACE, f"audit|{command_id}"))
        await context.record(
            principal, action, conversation_id, request, command_id=command_id, entry_id=audit_id, **details
        )
        metrics.CONSOLE_SENDS.labels(action.removeprefix("conversation."), "sent").inc()
        log.info("agent sent", extra={"agent.id": principal.user_id, "event.action": action})
        return SendAccepted(command_id=command_id)

    def command_id(conversation_id: str, agent: str, what: str, idempotency_key: str | None) -> str:
        seed = f"{conversation_id}|{agent}|{what}|{idempotency_key}" if idempotency_key else str(uuid.uuid4())
        return str(uuid.uuid5(_NAMESPACE, seed))

    @router.get("/templates", responses=problems(503))
    async def list_templates(principal: Reader) -> TemplateList:
        """The approved templates an agent can send, with their body and parameter count (every role)."""
        try:
            return TemplateList.model_validate({"items": await connector.templates()})
        except ConnectorUnavailable as exc:
            raise _unavailable("template_list", exc) from exc

    @router.post(
        "/conversations/{conversation_id}/template",
        status_code=status.HTTP_202_ACCEPTED,
        responses=problems(404, 409, 422, 503),
    )
    async def send_template(
        conversation_id: ConversationId,
        body: TemplateSend,
        principal: Actor,
        request: Request,
        idempotency_key: IdempotencyKey = None,
    ) -> SendAccepted:
        """Send an approved template as the agent who claimed the conversation (also after 24 hours)."""
        phone_number_id, wa_id = await claimed(conversation_id, principal.user_id)
        try:
            approved = await connector.templates()
        except ConnectorUnavailable as exc:
            raise _unavailable("template", exc) from exc
        template = next((t for t in approved if (t["name"], t["language"]) == (body.name, body.language)), None)
        unprocessable = status.HTTP_422_UNPROCESSABLE_CONTENT
        if template is None:
            raise _refused("template", "unknown", unprocessable, "no approved template with that name and language")
        if len(body.parameters) != template["parameters"]:
            detail = f"this template takes {template['parameters']} parameters, not {len(body.parameters)}"
            raise _refused("template", "parameters", unprocessable, detail)
        parameters = [wa.TemplateParameter(kind=wa.TemplateParameter.KIND_TEXT, text=p) for p in body.parameters]
        command = wa.SendMessage(
            command_id=command_id(conversation_id, principal.user_id, "template", idempotency_key),
            conversation_id=conversation_id,
            phone_number_id=phone_number_id,
            to=wa_id,
            template=wa.Template(name=body.name, language=body.language, body=parameters),
        )
        said = render(template["body"], body.parameters)
        return await send(
            principal, request, conversation_id, command, said=said, action="conversation.template", template=body.name
        )

    @router.post(
        "/conversations/{conversation_id}/attachments",
        status_code=status.HTTP_202_ACCEPTED,
        responses={
            **problems(404, 409, 422, 503),
            411: {"description": "Content-Length is required"},
            413: {"description": f"larger than CONSOLE_ATTACHMENT_MAX_BYTES ({max_bytes}) or, images, 5 MB"},
            415: {"description": "the bytes are not a PDF, JPEG or PNG"},
        },
        openapi_extra=_ATTACHMENT_FORM,
    )
    async def send_attachment(
        conversation_id: ConversationId,
        principal: Actor,
        request: Request,
        idempotency_key: IdempotencyKey = None,
    ) -> SendAccepted:
        """Send a PDF (as a document) or a JPEG/PNG (as an image), with an optional caption, as the agent
        who claimed the conversation, inside the 24-hour window."""
        phone_number_id, wa_id = await claimed(conversation_id, principal.user_id)
        if await window_closed(redis, prefix, conversation_id, time.time()):
            raise _refused("attachment", "window_closed", status.HTTP_409_CONFLICT, WINDOW_CLOSED)
        length = request.headers.get("content-length", "")
        if not length.isdigit():
            raise _refused("attachment", "no_length", status.HTTP_411_LENGTH_REQUIRED, "Content-Length is required")
        if int(length) > max_bytes + _FORM_OVERHEAD_BYTES:
            too_large = f"attachments are limited to {max_bytes} bytes"
            raise _refused("attachment", "too_large", status.HTTP_413_CONTENT_TOO_LARGE, too_large)
        data, filename, caption = await _read_form(request, max_bytes)
        kind = sniff(data[:16])
        if kind is None:
            unsupported = status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
            raise _refused("attachment", "type", unsupported, "send a PDF, JPEG or PNG file")
        if kind.kind == "image" and len(data) > IMAGE_MAX_BYTES:
            too_large = f"images are limited to {IMAGE_MAX_BYTES} bytes"
            raise _refused("attachment", "too_large", status.HTTP_413_CONTENT_TOO_LARGE, too_large)
        name = safe_filename(filename, kind)
        the_command_id = command_id(conversation_id, principal.user_id, "attachment", idempotency_key)
        media_id = await upload(the_command_id, data, mime_type=kind.mime_type, filename=name,
                                phone_number_id=phone_number_id)  # fmt: skip
        # WhatsApp shows a document's file name; an image has none.
        media = wa.Media(media_id=media_id, caption=caption, filename=name if kind.kind == "document" else "")
        command = wa.SendMessage(
            command_id=the_command_id,
            conversation_id=conversation_id,
            phone_number_id=phone_number_id,
            to=wa_id,
            **{kind.kind: media},
        )
        said = caption or f"[{'documento' if kind.kind == 'document' else 'imagem'}] {name}"
        details = {"mime_type": kind.mime_type, "size": str(len(data)), "media_id": media_id}
        return await send(principal, request, conversation_id, command, said=said, action="conversation.attachment",
                          **details)  # fmt: skip

    async def upload(command: str, data: bytes, *, mime_type: str, filename: str, phone_number_id: str) -> str:
        """The file's media id: uploaded once per command (a retried click reuses the first upload)."""
        key = f"{prefix}console:upload:{command}"
        known = await redis.get(key)
        if known:
            return known.decode() if isinstance(known, bytes) else str(known)
        try:
            media_id = await connector.upload(
                data, mime_type=mime_type, filename=filename, phone_number_id=phone_number_id
            )
        except ConnectorRefused as exc:
            detail = f"whatsapp refused the file: {exc}"
            raise _refused("attachment", "refused", status.HTTP_422_UNPROCESSABLE_CONTENT, detail) from exc
        except ConnectorUnavailable as exc:
            raise _unavailable("attachment", exc) from exc
        # Uploaded ids live 30 days at Meta; a retry comes within minutes.
        await redis.set(key, media_id, ex=_UPLOAD_MEMORY_S)
        return media_id


async def _read_form(request: Request, max_bytes: int) -> tuple[bytes, str, str]:
    """The file's bytes, its client-given name and the caption of a multipart body (422 when malformed)."""
    try:
        form = await request.form(max_files=1, max_fields=2)
    except StarletteHTTPException as exc:  # python-multipart's parse errors, as Starlette reports them
        detail = "the body is not a valid multipart form"
        raise _refused("attachment", "malformed", status.HTTP_422_UNPROCESSABLE_CONTENT, detail) from exc
    try:
        upload: Any = form.get("file")
        caption: Any = form.get("caption") or ""
        if not isinstance(upload, UploadFile):
            detail = "a multipart `file` field is required"
            raise _refused("attachment", "malformed", status.HTTP_422_UNPROCESSABLE_CONTENT, detail)
        if not isinstance(caption, str) or len(caption) > CAPTION_MAX:
            detail = f"caption: text up to {CAPTION_MAX} characters"
            raise _refused("attachment", "malformed", status.HTTP_422_UNPROCESSABLE_CONTENT, detail)
        data = await upload.read(max_bytes + 1)
        filename = upload.filename or ""
    finally:
        await form.close()
    if len(data) > max_bytes:
        detail = f"attachments are limited to {max_bytes} bytes"
        raise _refused("attachment", "too_large", status.HTTP_413_CONTENT_TOO_LARGE, detail)
    if not data:
        raise _refused("attachment", "empty", status.HTTP_422_UNPROCESSABLE_CONTENT, "the file is empty")
    return data, filename, caption.strip()
