"""``/_sim`` control API: failure injection, runtime config, recordings, inbound injection."""

from __future__ import annotations

import base64
import json
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ValidationError

from atende_sim_whatsapp.config import FaultConfig, RuntimeConfig
from atende_sim_whatsapp.domain import errors
from atende_sim_whatsapp.domain.phones import digits
from atende_sim_whatsapp.domain.webhooks import serialize_meta, sign
from atende_sim_whatsapp.inbound import InboundSpec, inject
from atende_sim_whatsapp.simulator import Simulator

router = APIRouter(prefix="/_sim", tags=["simulator control"])


def _sim(request: Request) -> Simulator:
    sim: Simulator = request.app.state.sim
    return sim


@router.get("/health")
async def health() -> dict[str, str]:
    """Liveness of the simulator."""
    return {"status": "ok"}


@router.get("/faults")
async def get_faults(request: Request) -> FaultConfig:
    """Return the active failure injection."""
    return _sim(request).faults.config


@router.post("/faults")
async def set_faults(config: FaultConfig, request: Request) -> FaultConfig:
    """Switch failure injection (mode, probability, latency_ms, scope, count)."""
    _sim(request).faults.set(config)
    return config


@router.delete("/faults")
async def reset_faults(request: Request) -> FaultConfig:
    """Go back to normal behaviour."""
    sim = _sim(request)
    sim.faults.reset()
    return sim.faults.config


@router.get("/config")
async def get_config(request: Request) -> RuntimeConfig:
    """Return the runtime config."""
    return _sim(request).config


@router.patch("/config")
async def patch_config(patch: dict[str, Any], request: Request) -> RuntimeConfig:
    """Change some runtime knobs (limits, delays, window mode, webhook URL, …)."""
    sim = _sim(request)
    unknown = sorted(set(patch) - set(RuntimeConfig.model_fields))
    if unknown:
        raise HTTPException(422, f"unknown config keys: {unknown}")
    try:
        sim.config = RuntimeConfig.model_validate({**sim.config.model_dump(), **patch})
    except ValidationError as exc:
        raise HTTPException(422, json.loads(exc.json())) from exc
    sim.apply_limits()
    return sim.config


@router.post("/reset")
async def reset(request: Request) -> dict[str, bool]:
    """Forget everything (requests, media, chats, windows, templates, faults, config changes)."""
    await _sim(request).reset()
    return {"success": True}


@router.get("/requests")
async def list_requests(
    request: Request,
    phone: str | None = None,
    kind: str | None = None,
    path_contains: str | None = None,
    since_seq: int = 0,
    limit: int | None = None,
) -> dict[str, Any]:
    """Return recorded Graph API calls, oldest first, each with the exact JSON body received."""
    items = _sim(request).requests.query(
        phone=phone, kind=kind, path_contains=path_contains, since_seq=since_seq, limit=limit
    )
    return {"requests": [r.as_dict() for r in items]}


@router.delete("/requests")
async def clear_requests(request: Request) -> dict[str, bool]:
    """Forget recorded requests."""
    _sim(request).requests.clear()
    return {"success": True}


@router.get("/webhooks")
async def list_webhooks(request: Request, kind: str | None = None, since_seq: int = 0) -> dict[str, Any]:
    """Return webhook deliveries (inbound, status, template_status, raw) with every attempt."""
    return {"webhooks": [d.as_dict() for d in _sim(request).webhooks.query(kind=kind, since_seq=since_seq)]}


@router.delete("/webhooks")
async def clear_webhooks(request: Request) -> dict[str, bool]:
    """Forget the webhook delivery log."""
    _sim(request).webhooks.log.clear()
    return {"success": True}


@router.post("/inbound")
async def post_inbound(spec: InboundSpec, request: Request) -> dict[str, Any]:
    """Inject a customer message: build Meta's webhook, POST it signed, return wamid and gateway status."""
    try:
        return await inject(_sim(request), spec)
    except errors.GraphError as exc:
        raise HTTPException(400, exc.details) from exc


_UPLOAD_KINDS = (("image/webp", "sticker"), ("image/", "image"), ("audio/", "audio"), ("video/", "video"))


@router.post("/inbound/upload")
async def post_inbound_upload(request: Request) -> dict[str, Any]:
    """Inject a customer message carrying a real file (multipart: from, name?, caption?, file)."""
    async with request.form() as form:
        upload = form.get("file")
        sender = form.get("from")
        if not isinstance(sender, str) or upload is None or isinstance(upload, str):
            raise HTTPException(422, "multipart fields 'from' and 'file' are required")
        mime = upload.content_type or "application/octet-stream"
        data = await upload.read()
        caption = form.get("caption")
        name = form.get("name")
    kind = next((k for prefix, k in _UPLOAD_KINDS if mime.startswith(prefix)), "document")
    media: dict[str, Any] = {
        "data_base64": base64.b64encode(data).decode(),
        "mime_type": mime,
        "filename": upload.filename,
    }
    if isinstance(caption, str) and caption and kind in ("image", "video", "document"):
        media["caption"] = caption
    try:
        spec = InboundSpec.model_validate(
            {"from": sender, "name": name if isinstance(name, str) and name else None, kind: media}
        )
    except ValidationError as exc:
        raise HTTPException(422, json.loads(exc.json())) from exc
    return await inject(_sim(request), spec)


class RawWebhook(BaseModel):
    """An arbitrary webhook body to deliver (for gateway tests)."""

    body: dict[str, Any] | list[Any] | None = None
    body_text: str | None = None
    signature: Literal["valid", "invalid", "missing", "custom"] = "valid"
    signature_value: str | None = None
    url: str | None = None
    headers: dict[str, str] = {}


@router.post("/raw-webhook")
async def raw_webhook(raw: RawWebhook, request: Request) -> dict[str, Any]:
    """POST any body to the gateway once, signed correctly, wrongly, or not at all."""
    sim = _sim(request)
    if (raw.body is None) == (raw.body_text is None):
        raise HTTPException(422, "give exactly one of 'body' (serialised the Meta way) or 'body_text' (sent as is)")
    if raw.body_text is not None:
        data = raw.body_text.encode()
    elif isinstance(raw.body, dict):
        data = serialize_meta(raw.body, escape_slashes=sim.config.webhook_escape_slashes)
    else:
        data = json.dumps(raw.body, ensure_ascii=True, separators=(",", ":")).encode()
    secret = sim.settings.whatsapp_app_secret.get_secret_value()
    signature = {
        "valid": sign(secret, data),
        "invalid": sign(secret + "-wrong", data),
        "missing": None,
        "custom": raw.signature_value,
    }[raw.signature]
    headers = {"Content-Type": "application/json", "User-Agent": "facebookexternalua", **raw.headers}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    _remember_inbound_ids(sim, raw.body)
    status, error, text = await sim.webhooks.post(raw.url or sim.config.webhook_url, data, headers)
    return {
        "status_code": status,
        "error": error,
        "response_text": text,
        "signature": signature,
        "size": len(data),
    }


def _remember_inbound_ids(sim: Simulator, body: Any) -> None:
    """Let mark-as-read accept wamids of messages injected through raw webhooks."""
    if not isinstance(body, dict):
        return
    for entry in body.get("entry") or []:
        for change in entry.get("changes") or [] if isinstance(entry, dict) else []:
            value = change.get("value") if isinstance(change, dict) else None
            for message in (value or {}).get("messages") or []:
                if isinstance(message, dict) and isinstance(message.get("id"), str):
                    sim.inbound_ids[message["id"]] = digits(str(message.get("from", "")))


class WindowChange(BaseModel):
    """Set a customer's 24-hour window."""

    phone: str
    open: bool = True
    last_inbound: float | None = None


@router.post("/window")
async def set_window(change: WindowChange, request: Request) -> dict[str, Any]:
    """Open or close a customer's window (``last_inbound`` = Unix seconds of their last message)."""
    sim = _sim(request)
    wa_id = digits(change.phone)
    at = change.last_inbound if change.last_inbound is not None else (sim.now() if change.open else None)
    sim.window.set_last_inbound(wa_id, at)
    return {"wa_id": wa_id, "open": sim.window.is_open(wa_id, sim.now()), "last_inbound": at}


@router.get("/window/{phone}")
async def get_window(phone: str, request: Request) -> dict[str, Any]:
    """Return whether a customer's window is open."""
    sim = _sim(request)
    wa_id = digits(phone)
    return {
        "wa_id": wa_id,
        "open": sim.window.is_open(wa_id, sim.now()),
        "last_inbound": sim.window.last_inbound(wa_id),
    }


class TemplateSeed(BaseModel):
    """A template definition (Graph create body) plus the status to store it with."""

    model_config = {"extra": "allow"}
    status: Literal["PENDING", "APPROVED", "REJECTED", "PAUSED", "DISABLED"] = "APPROVED"


@router.post("/templates")
async def seed_template(seed: TemplateSeed, request: Request) -> dict[str, Any]:
    """Register a template directly with a status (no approval wait), e.g. for e2e setup."""
    sim = _sim(request)
    body = seed.model_dump(exclude={"status"})
    try:
        template = sim.templates.create(body, now=sim.now())
    except errors.GraphError as exc:
        raise HTTPException(400, exc.body()["error"]) from exc
    template.status = seed.status
    return template.as_graph()


class TemplateStatusChange(BaseModel):
    """A new template status."""

    status: Literal["PENDING", "APPROVED", "REJECTED", "PAUSED", "DISABLED"]
    reason: str | None = None


@router.post("/templates/{template_id}/status")
async def set_template_status(template_id: str, change: TemplateStatusChange, request: Request) -> dict[str, Any]:
    """Approve, reject, pause or disable a template (sends a template status webhook)."""
    sim = _sim(request)
    template = sim.templates.by_id(template_id)
    if template is None:
        raise HTTPException(404, "no such template")
    await sim.set_template_status(template, change.status, change.reason)
    return template.as_graph()
