"""Graph API routes: messages, media, templates, phone number, media download."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from atende_sim_whatsapp.domain import errors
from atende_sim_whatsapp.domain.phones import digits
from atende_sim_whatsapp.domain.validation import ReadRequest
from atende_sim_whatsapp.inbound import media_url
from atende_sim_whatsapp.simulator import Simulator
from atende_sim_whatsapp.stores import RecordedRequest

VERSION_RE = re.compile(r"^v\d+\.\d+$")
Handler = Callable[[Any, RecordedRequest, str], Awaitable[tuple[int, Any]]]

MIME_LIMITS: dict[str, int] = {
    "image/jpeg": 5 * 2**20,
    "image/png": 5 * 2**20,
    "image/webp": 500 * 2**10,
    "audio/aac": 16 * 2**20,
    "audio/amr": 16 * 2**20,
    "audio/mpeg": 16 * 2**20,
    "audio/mp4": 16 * 2**20,
    "audio/ogg": 16 * 2**20,
    "video/mp4": 16 * 2**20,
    "video/3gpp": 16 * 2**20,
    "text/plain": 100 * 2**20,
    "application/pdf": 100 * 2**20,
    "application/msword": 100 * 2**20,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": 100 * 2**20,
    "application/vnd.ms-excel": 100 * 2**20,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": 100 * 2**20,
    "application/vnd.ms-powerpoint": 100 * 2**20,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": 100 * 2**20,
}
MAGIC: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF",),
    "image/png": (b"\x89PNG",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/webp": (b"RIFF",),
}


def _sim(request: Request) -> Simulator:
    sim: Simulator = request.app.state.sim
    return sim


async def _graph_call(
    request: Request,
    *,
    version: str,
    kind: str,
    is_message_send: bool,
    handler: Handler,
    parse: str = "json",
) -> Response:
    """Record the request, apply version/fault/auth checks, run ``handler``, record the answer."""
    sim = _sim(request)
    raw = await request.body() if parse == "json" else b""
    body: Any = None
    raw_text: str | None = None
    parse_error = False
    if parse == "json" and raw:
        raw_text = raw.decode("utf-8", "replace")
        try:
            body = json.loads(raw)
        except ValueError:
            parse_error = True
    record = sim.requests.start(
        method=request.method,
        path=request.url.path,
        query=dict(request.query_params),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=body,
        raw_body=raw_text,
    )
    record.kind = kind
    if isinstance(body, dict) and isinstance(body.get("to"), str):
        record.phone = digits(body["to"])
    try:
        if not VERSION_RE.match(version):
            raise errors.GraphError(
                400, 2500, "Unknown path components", message=f"Unknown path components: {request.url.path}"
            )
        mode, latency_ms = sim.draw_fault(is_message_send=is_message_send)
        sim.check_token(request.headers.get("authorization"), request.query_params.get("access_token"))
        await sim.apply_fault(mode, latency_ms)
        if parse_error:
            raise errors.invalid_parameter("Request body is not valid JSON.")
        status, answer = await handler(body, record, mode)
    except errors.GraphError as exc:
        status, answer = exc.http_status, exc.body()
        headers = {"WWW-Authenticate": f'OAuth "Facebook Platform" "invalid_request" "{exc.full_message}"'}
        record.status_code, record.response = status, answer
        return JSONResponse(answer, status_code=status, headers=headers)
    record.status_code, record.response = status, answer
    return JSONResponse(answer, status_code=status)


router = APIRouter()


@router.get("/whatsapp_business/attachments/", include_in_schema=False)
async def download_media(request: Request) -> Response:
    """Serve media bytes for a signed, expiring URL; needs the Bearer token like Meta's."""
    sim = _sim(request)
    q = request.query_params
    record = sim.requests.start(
        method="GET",
        path=request.url.path,
        query=dict(q),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=None,
        raw_body=None,
    )
    record.kind = "media_download"
    try:
        sim.check_token(request.headers.get("authorization"), None)
    except errors.GraphError as exc:
        record.status_code, record.response = exc.http_status, exc.body()
        return JSONResponse(record.response, status_code=exc.http_status)
    media_id, hash_, expires_text = q.get("mid", ""), q.get("hash", ""), q.get("ext", "0")
    item = sim.media.get(media_id)
    expires = int(expires_text) if expires_text.isdigit() else 0
    if item is None or not sim.media.check_signature(media_id, expires, hash_) or sim.now() > expires:
        record.status_code = 404
        return Response("URL signature expired or invalid", status_code=404, media_type="text/plain")
    record.status_code = 200
    return Response(item.data, media_type=item.mime_type)


@router.post("/{version}/{pnid}/messages")
async def send_message(version: str, pnid: str, request: Request) -> Response:
    """Send a message, mark as read or show the typing indicator."""
    sim = _sim(request)

    async def handle(body: Any, record: RecordedRequest, mode: str) -> tuple[int, Any]:
        answer, parsed = sim.send(pnid, body, mode)
        if isinstance(parsed, ReadRequest):
            record.kind = "read"
            record.phone = sim.inbound_ids.get(parsed.message_id)
        else:
            record.kind = parsed.type
            record.wamid = answer["messages"][0]["id"]
        return 200, answer

    return await _graph_call(request, version=version, kind="message", is_message_send=True, handler=handle)


def _check_upload(form_type: str, upload: UploadFile, data: bytes) -> None:
    mime = form_type.split(";", maxsplit=1)[0].strip().lower()
    if mime not in MIME_LIMITS:
        raise errors.invalid_parameter(
            f"Param file must be a file with one of the following types: {', '.join(MIME_LIMITS)}. "
            f"Received file of type '{mime}'."
        )
    part_type = (upload.content_type or "").split(";")[0].strip().lower()
    if part_type not in ("", "application/octet-stream", mime):
        raise errors.media_upload_error(f"The file's type ({part_type}) does not match the type parameter ({mime}).")
    magic = MAGIC.get(mime)
    if magic and not data.startswith(magic):
        raise errors.media_upload_error(f"The file content does not look like {mime}.")
    if len(data) > MIME_LIMITS[mime]:
        raise errors.media_upload_error(f"File is too big for {mime}: {len(data)} > {MIME_LIMITS[mime]} bytes.")


@router.post("/{version}/{pnid}/media")
async def upload_media(version: str, pnid: str, request: Request) -> Response:
    """Upload media (multipart: messaging_product, file, type) and return its id."""
    sim = _sim(request)

    async def handle(_: Any, record: RecordedRequest, __: str) -> tuple[int, Any]:
        sim.check_phone_number_id(pnid, "POST")
        async with request.form() as form:
            upload = form.get("file")
            record.body = {
                k: (
                    {"filename": v.filename, "content_type": v.content_type, "size": v.size}
                    if isinstance(v, UploadFile)
                    else v
                )
                for k, v in form.items()
            }
            if form.get("messaging_product") != "whatsapp":
                raise errors.messaging_product_required()
            if not isinstance(upload, UploadFile):
                raise errors.missing_parameter("The parameter file is required.")
            form_type = form.get("type")
            if not isinstance(form_type, str) or not form_type:
                raise errors.missing_parameter("The parameter type is required.")
            data = await upload.read()
            _check_upload(form_type, upload, data)
            item = sim.media.add(data, form_type.split(";")[0].strip(), upload.filename, sim.now())
        return 200, {"id": item.id}

    return await _graph_call(
        request, version=version, kind="media_upload", is_message_send=False, handler=handle, parse="form"
    )


def _cursor(index: int) -> str:
    return base64.b64encode(str(index).encode()).decode()


def _uncursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.b64decode(cursor).decode())
    except (ValueError, binascii.Error) as exc:
        raise errors.invalid_parameter("Invalid paging cursor.") from exc


@router.get("/{version}/{waba_id}/message_templates")
async def list_templates(version: str, waba_id: str, request: Request) -> Response:
    """List templates with their status (filters: name, status, language, category; paging)."""
    sim = _sim(request)

    async def handle(_: Any, __: RecordedRequest, ___: str) -> tuple[int, Any]:
        sim.check_waba(waba_id, "GET")
        q = request.query_params
        items = [
            t.as_graph()
            for t in sim.templates.all()
            if (not q.get("name") or q["name"] in t.name)
            and (not q.get("status") or t.status == q["status"].upper())
            and (not q.get("language") or t.language == q["language"])
            and (not q.get("category") or t.category == q["category"].upper())
        ]
        limit = int(q.get("limit", "25")) if q.get("limit", "25").isdigit() else 25
        start = _uncursor(q.get("after"))
        page = items[start : start + limit]
        answer: dict[str, Any] = {"data": page}
        if page:
            answer["paging"] = {"cursors": {"before": _cursor(start), "after": _cursor(start + len(page))}}
            if start + len(page) < len(items):
                answer["paging"]["next"] = str(
                    request.url.include_query_params(after=_cursor(start + len(page)), limit=limit)
                )
        return 200, answer

    return await _graph_call(request, version=version, kind="template_list", is_message_send=False, handler=handle)


@router.post("/{version}/{waba_id}/message_templates")
async def create_template(version: str, waba_id: str, request: Request) -> Response:
    """Create a template (PENDING; approved after a delay, at once or manually per config)."""
    sim = _sim(request)

    async def handle(body: Any, __: RecordedRequest, ___: str) -> tuple[int, Any]:
        sim.check_waba(waba_id, "POST")
        template = sim.create_template(body)
        return 200, {"id": template.id, "status": template.status, "category": template.category}

    return await _graph_call(request, version=version, kind="template_create", is_message_send=False, handler=handle)


@router.delete("/{version}/{waba_id}/message_templates")
async def delete_template(version: str, waba_id: str, request: Request) -> Response:
    """Delete a template by name (every language) or by name + hsm_id."""
    sim = _sim(request)

    async def handle(_: Any, __: RecordedRequest, ___: str) -> tuple[int, Any]:
        sim.check_waba(waba_id, "DELETE")
        name = request.query_params.get("name")
        if not name:
            raise errors.missing_parameter("The parameter name is required.")
        if not sim.templates.delete(name, request.query_params.get("hsm_id")):
            raise errors.invalid_parameter(f"Message template {name!r} not found.")
        return 200, {"success": True}

    return await _graph_call(request, version=version, kind="template_delete", is_message_send=False, handler=handle)


@router.get("/{version}/{object_id}")
async def get_object(version: str, object_id: str, request: Request) -> Response:
    """Return media info (with a fresh 5-minute URL) or the business phone number's info."""
    sim = _sim(request)

    async def handle(_: Any, __: RecordedRequest, ___: str) -> tuple[int, Any]:
        if object_id == sim.settings.whatsapp_phone_number_id:
            return 200, {
                "verified_name": sim.settings.whatsapp_sim_business_name,
                "code_verification_status": "VERIFIED",
                "display_phone_number": sim.settings.whatsapp_sim_display_phone_number,
                "quality_rating": "GREEN",
                "platform_type": "CLOUD_API",
                "throughput": {"level": "STANDARD"},
                "id": object_id,
            }
        item = sim.media.get(object_id)
        if item is None:
            raise errors.unknown_object(object_id, "GET")
        return 200, item.info(media_url(sim, item.id))

    return await _graph_call(request, version=version, kind="media_get", is_message_send=False, handler=handle)


@router.delete("/{version}/{object_id}")
async def delete_object(version: str, object_id: str, request: Request) -> Response:
    """Delete uploaded media."""
    sim = _sim(request)

    async def handle(_: Any, __: RecordedRequest, ___: str) -> tuple[int, Any]:
        if not sim.media.delete(object_id):
            raise errors.unknown_object(object_id, "DELETE")
        return 200, {"success": True}

    return await _graph_call(request, version=version, kind="media_delete", is_message_send=False, handler=handle)
