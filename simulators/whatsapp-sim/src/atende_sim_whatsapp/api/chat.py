"""The chat page and the small JSON API it polls."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import HTMLResponse

from atende_sim_whatsapp.domain.phones import digits
from atende_sim_whatsapp.inbound import default_name
from atende_sim_whatsapp.simulator import Simulator

router = APIRouter(include_in_schema=False)
STATIC = resources.files("atende_sim_whatsapp") / "static"
STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


def _sim(request: Request) -> Simulator:
    sim: Simulator = request.app.state.sim
    return sim


@router.get("/", response_class=HTMLResponse)
async def index() -> HTMLResponse:
    """Serve the chat page."""
    return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"))


@router.get("/static/{name}")
async def static(name: str) -> Response:
    """Serve the page's JS and CSS (no CDN: the page works offline)."""
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    resource = STATIC / name
    if "/" in name or suffix not in STATIC_TYPES or not resource.is_file():
        raise HTTPException(404)
    return Response(resource.read_bytes(), media_type=STATIC_TYPES[suffix])


@router.get("/_sim/chat/config")
async def chat_config(request: Request) -> dict[str, Any]:
    """Return what the page needs to start: business identity and demo customers."""
    sim = _sim(request)
    demo = []
    for entry in sim.settings.whatsapp_sim_demo_customers:
        phone, _, name = entry.partition(":")
        demo.append({"phone": digits(phone), "name": name.strip() or "Cliente"})
    return {
        "business_name": sim.settings.whatsapp_sim_business_name,
        "display_phone_number": sim.settings.whatsapp_sim_display_phone_number,
        "demo_customers": demo,
        "read_mode": sim.config.read_mode,
        "webhook_url": sim.config.webhook_url,
    }


@router.get("/_sim/chat/customers")
async def chat_customers(request: Request) -> dict[str, Any]:
    """Return every customer that has a conversation."""
    sim = _sim(request)
    return {"customers": [{"phone": p, "name": default_name(sim, p)} for p in sim.chat.customers()]}


@router.get("/_sim/chat/conversations/{phone}")
async def conversation(phone: str, request: Request, since: int = -1) -> dict[str, Any]:
    """Return a customer's conversation, or ``unchanged`` when nothing moved since ``since``."""
    sim = _sim(request)
    wa_id = digits(phone)
    sim.customer_viewed(wa_id)
    version = sim.chat.version
    typing = sim.chat.typing_until.get(wa_id, 0.0) > sim.now()
    if since == version:
        return {"version": version, "unchanged": True, "typing": typing}
    return {
        "version": version,
        "typing": typing,
        "window_open": sim.window.is_open(wa_id, sim.now()),
        "messages": [m.as_dict() for m in sim.chat.conversation(wa_id)],
    }


@router.get("/_sim/chat/media/{media_id}")
async def chat_media(media_id: str, request: Request) -> Response:
    """Serve media bytes to the page (no token: the page is the customer's phone)."""
    item = _sim(request).media.get(media_id)
    if item is None:
        raise HTTPException(404)
    headers = {}
    if item.filename:
        safe = item.filename.replace('"', "")
        headers["Content-Disposition"] = f'inline; filename="{safe}"'
    return Response(item.data, media_type=item.mime_type, headers=headers)
