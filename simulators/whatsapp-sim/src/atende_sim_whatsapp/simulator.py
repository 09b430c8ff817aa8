"""The simulator's use cases: sends, statuses, media, templates, inbound injection.

HTTP routes (``api/``) stay thin and call these methods; everything here is in-memory and
single-threaded on the event loop, so no locks are needed.
"""

from __future__ import annotations

import asyncio
import copy
import hmac
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from .config import Faults, RuntimeConfig
from .delivery import WebhookDeliverer
from .domain import errors
from .domain.ids import new_wamid
from .domain.phones import digits, mask
from .domain.ratelimit import RateLimiter
from .domain.sample_templates import SAMPLE_TEMPLATES
from .domain.templates import RenderedTemplate, Template, TemplateRegistry, check_send
from .domain.validation import MEDIA_TYPES, ReadRequest, SendRequest, validate_read, validate_send
from .domain.webhooks import (
    BusinessNumber,
    StatusUpdate,
    pricing,
    status_payload,
    template_status_payload,
)
from .domain.window import WindowTracker
from .settings import SimSettings
from .stores import ChatMessage, ChatStore, MediaStore, RequestLog

logger = logging.getLogger(__name__)
TYPING_SECONDS = 25.0


@dataclass
class Outbound:
    """An accepted send and what will happen to it."""

    wamid: str
    request: SendRequest
    rendered: RenderedTemplate | None
    failure: errors.GraphError | None
    window_open: bool


class Simulator:
    """All simulator state and behaviour."""

    def __init__(
        self,
        settings: SimSettings,
        *,
        http_client: httpx.AsyncClient,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.config = RuntimeConfig.from_settings(settings)
        self.faults = Faults()
        self.business = BusinessNumber(
            waba_id=settings.whatsapp_business_account_id,
            phone_number_id=settings.whatsapp_phone_number_id,
            display_phone_number=settings.whatsapp_sim_display_phone_number,
        )
        self.requests = RequestLog(settings.whatsapp_sim_max_recorded_requests)
        self.media = MediaStore()
        self.chat = ChatStore()
        self.templates = TemplateRegistry()
        self.window = WindowTracker()
        self.limiter = RateLimiter(
            throughput_mps=self.config.throughput_mps,
            pair_burst=self.config.pair_burst,
            pair_interval_s=self.config.pair_interval_s,
            clock=time.monotonic,
        )
        self.http = http_client
        self._tasks: set[asyncio.Task[None]] = set()
        self.webhooks = WebhookDeliverer(
            client=http_client,
            config=lambda: self.config,
            app_secret=settings.whatsapp_app_secret.get_secret_value(),
            spawn=self.spawn,
        )
        self.inbound_ids: dict[str, str] = {}
        self.seed_templates()

    # ---- housekeeping -------------------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a background coroutine, keeping a reference so it is not garbage-collected."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("background task failed", exc_info=task.exception())

    async def aclose(self) -> None:
        """Cancel background work (status flows, retries, approvals)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def seed_templates(self) -> None:
        """Register Meta's default ``hello_world`` template, approved, like a new WABA has (and the
        samples when asked: ``whatsapp_sim_sample_templates``)."""
        if self.settings.whatsapp_sim_sample_templates:
            for sample in SAMPLE_TEMPLATES:
                self.templates.add(copy.deepcopy(sample))
        self.templates.add(
            Template(
                id="1000000000000001",
                name="hello_world",
                language="en_US",
                category="UTILITY",
                status="APPROVED",
                components=[
                    {"type": "HEADER", "format": "TEXT", "text": "Hello World"},
                    {
                        "type": "BODY",
                        "text": "Welcome and congratulations!! This message demonstrates your ability "
                        "to send a WhatsApp message notification from the Cloud API, hosted by Meta.",
                    },
                    {"type": "FOOTER", "text": "WhatsApp Business Platform sample message"},
                ],
            )
        )

    async def reset(self) -> None:
        """Forget everything that happened; keep settings, go back to the initial runtime config."""
        # Wait for cancelled status flows and retries, so nothing from before the reset is delivered after it.
        await self.aclose()
        self.config = RuntimeConfig.from_settings(self.settings)
        self.apply_limits()
        self.faults.reset()
        self.requests.clear()
        self.media.clear()
        self.chat.clear()
        self.window.clear()
        self.templates.clear()
        self.seed_templates()
        self.inbound_ids.clear()
        self.webhooks.log.clear()

    def apply_limits(self) -> None:
        """Push the runtime limits into the rate limiter (resets its buckets)."""
        self.limiter.configure(
            throughput_mps=self.config.throughput_mps,
            pair_burst=self.config.pair_burst,
            pair_interval_s=self.config.pair_interval_s,
        )

    def now(self) -> float:
        """Return the current time (Unix seconds)."""
        return self.clock()

    # ---- auth and faults ----------------------------------------------------------------------

    def check_token(self, authorization: str | None, query_token: str | None) -> None:
        """Check the Bearer token against the configured one (Meta: 104 missing, 190 invalid)."""
        token = None
        if authorization:
            scheme, _, value = authorization.partition(" ")
            token = value.strip() if scheme.lower() == "bearer" else None
        token = token or query_token
        if not token:
            raise errors.token_missing()
        expected = self.settings.whatsapp_access_token.get_secret_value()
        if not hmac.compare_digest(token.encode(), expected.encode()):
            raise errors.token_invalid()

    def draw_fault(self, *, is_message_send: bool) -> tuple[str, int]:
        """Draw the active fault; an injected expired token fails at once, before the token check."""
        mode, latency_ms = self.faults.draw(is_message_send=is_message_send)
        if mode == "expired_token":
            expired = datetime.fromtimestamp(self.now() - 3600, UTC).strftime("%A, %d-%b-%y %H:%M:%S UTC")
            raise errors.token_expired(expired)
        return mode, latency_ms

    async def apply_fault(self, mode: str, latency_ms: int) -> None:
        """Apply a drawn fault after authentication: sleep, or fail like Meta would."""
        if mode == "slow":
            await asyncio.sleep(latency_ms / 1000)
        elif mode == "throttle":
            raise errors.throughput_reached(self.config.throughput_mps)
        elif mode == "server_error":
            raise errors.server_error()
        elif mode == "pair_rate":
            raise errors.pair_rate_hit()

    # ---- sending ------------------------------------------------------------------------------

    def check_phone_number_id(self, pnid: str, method: str) -> None:
        """Refuse paths naming a phone-number id this WABA does not have."""
        if pnid != self.settings.whatsapp_phone_number_id:
            raise errors.unknown_object(pnid, method)

    def send(self, pnid: str, body: Any, fault: str) -> tuple[dict[str, Any], SendRequest | ReadRequest]:
        """Handle ``POST /{pnid}/messages``; return the response body and the parsed request."""
        self.check_phone_number_id(pnid, "POST")
        if not isinstance(body, dict):
            raise errors.invalid_parameter("Request body must be a JSON object.")
        if body.get("messaging_product") != "whatsapp":
            raise errors.messaging_product_required()
        if "status" in body:
            read = validate_read(body)
            if not self.limiter.take_throughput(pnid):
                raise errors.throughput_reached(self.config.throughput_mps)
            self.mark_read(read)
            return {"success": True}, read
        request = validate_send(body, self.media.exists)
        rendered = None
        if request.type == "template":
            rendered = check_send(request.content, self.templates, self.media.exists)
        if not self.limiter.take_throughput(pnid):
            raise errors.throughput_reached(self.config.throughput_mps)
        if not self.limiter.take_pair(pnid, request.wa_id):
            raise errors.pair_rate_hit()
        window_open = self.window.is_open(request.wa_id, self.now()) and fault != "outside_window"
        failure: errors.GraphError | None = None
        if request.type != "template" and not window_open and self.config.window_mode != "off":
            if self.config.window_mode == "sync":
                raise errors.reengagement()
            failure = errors.reengagement()
        undeliverable = {digits(n) for n in self.config.undeliverable_numbers}
        if fault == "undeliverable" or request.wa_id in undeliverable:
            failure = errors.undeliverable()
        outbound = Outbound(new_wamid(request.wa_id), request, rendered, failure, window_open)
        self._record_outbound(outbound)
        self.spawn(self._status_flow(outbound))
        message: dict[str, Any] = {"id": outbound.wamid}
        if request.type == "template":
            message["message_status"] = "accepted"
        response = {
            "messaging_product": "whatsapp",
            "contacts": [{"input": request.to, "wa_id": request.wa_id}],
            "messages": [message],
        }
        return response, request

    def _view_media(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        view = {k: v for k, v in obj.items() if k in ("caption", "filename", "link", "id")}
        item = self.media.get(str(obj["id"])) if obj.get("id") else None
        if item is not None:
            view["url"] = f"/_sim/chat/media/{item.id}"
            view["mime_type"] = item.mime_type
            view.setdefault("filename", item.filename)
        elif obj.get("link"):
            view["url"] = obj["link"]
        view["kind"] = kind
        return view

    def _chat_content(self, outbound: Outbound) -> dict[str, Any]:
        req = outbound.request
        if req.type in MEDIA_TYPES:
            return self._view_media(req.type, req.content)
        if req.type == "template" and outbound.rendered is not None:
            view = outbound.rendered.as_dict()
            header = view.get("header")
            if header and header.get("type") in ("image", "video", "document"):
                kind = header["type"]
                view["header"] = {"type": kind, "media": self._view_media(kind, header[kind])}
            return view
        if req.type == "interactive":
            content = dict(req.content)
            header = content.get("header")
            if isinstance(header, dict) and header.get("type") in ("image", "video", "document"):
                kind = header["type"]
                content["header"] = {"type": kind, "media": self._view_media(kind, header[kind])}
            return content
        return dict(req.content)

    def _record_outbound(self, outbound: Outbound) -> None:
        wa_id = outbound.request.wa_id
        self.chat.typing_until.pop(wa_id, None)  # Meta removes the typing bubble when you reply
        self.chat.add(
            ChatMessage(
                id=outbound.wamid,
                wa_id=wa_id,
                direction="out",
                ts=self.now(),
                type=outbound.request.type,
                content=self._chat_content(outbound),
                status="accepted",
                context_id=outbound.request.context_message_id,
            )
        )
        logger.info(
            "message accepted",
            extra={"wamid": outbound.wamid, "to": mask(wa_id), "message_type": outbound.request.type},
        )

    def _set_chat_status(self, wamid: str, status: str, error: dict[str, Any] | None = None) -> None:
        message = self.chat.get(wamid)
        if message is not None:
            message.status = status
            message.error = error
            self.chat.touch()

    def _status(self, outbound: Outbound, status: str, **extra: Any) -> StatusUpdate:
        return StatusUpdate(
            wamid=outbound.wamid,
            status=status,
            timestamp=int(self.now()),
            recipient_id=outbound.request.wa_id,
            biz_opaque_callback_data=outbound.request.biz_opaque_callback_data,
            **extra,
        )

    def _pricing(self, outbound: Outbound) -> dict[str, Any]:
        category = outbound.rendered.category.lower() if outbound.rendered else "service"
        free = outbound.window_open and category in ("service", "utility")
        return pricing(category, free=free)

    async def _fetch_link_media(self, outbound: Outbound) -> errors.GraphError | None:
        """Fetch ``link`` media like Meta does; a broken link makes the send fail with 131053."""
        req = outbound.request
        obj: dict[str, Any] | None = req.content if req.type in MEDIA_TYPES else None
        if req.type == "template" and outbound.rendered and outbound.rendered.header:
            header = outbound.rendered.header
            obj = header.get(header.get("type", ""))
        if not isinstance(obj, dict) or not obj.get("link") or not self.config.fetch_media_links:
            return None
        link = str(obj["link"])
        try:
            response = await self.http.get(link, timeout=10.0, follow_redirects=True)
        except httpx.HTTPError as exc:
            return errors.media_upload_error(f"Unable to download the media from the link provided: {exc}")
        if response.status_code != 200:
            return errors.media_upload_error(
                f"Unable to download the media from the link provided (HTTP {response.status_code})."
            )
        mime = response.headers.get("content-type", "application/octet-stream").split(";")[0]
        item = self.media.add(response.content, mime, obj.get("filename"), self.now())
        self._point_chat_media(outbound.wamid, item.id, mime)
        return None

    def _point_chat_media(self, wamid: str, media_id: str, mime: str) -> None:
        message = self.chat.get(wamid)
        if message is None:
            return
        view = message.content
        if isinstance(view.get("header"), dict) and "media" in view["header"]:
            view = view["header"]["media"]
        view["url"] = f"/_sim/chat/media/{media_id}"
        view["mime_type"] = mime
        self.chat.touch()

    async def _sleep_until(self, start: float, offset: float) -> None:
        await asyncio.sleep(max(0.0, start + offset - time.monotonic()))

    async def _status_flow(self, outbound: Outbound) -> None:
        """Send sent → delivered → read (or failed) status webhooks with the configured delays."""
        start = time.monotonic()
        cfg = self.config
        failure = outbound.failure or await self._fetch_link_media(outbound)
        await self._sleep_until(start, cfg.status_sent_delay_s)
        if failure is not None:
            error = failure.status_error()
            self._set_chat_status(outbound.wamid, "failed", error)
            update = self._status(outbound, "failed", errors=[error])
            await self.webhooks.deliver_with_retries(status_payload(self.business, update), "status")
            return
        for status, offset in (
            ("sent", cfg.status_sent_delay_s),
            ("delivered", cfg.status_delivered_delay_s),
        ):
            await self._sleep_until(start, offset)
            self._set_chat_status(outbound.wamid, status)
            update = self._status(outbound, status, pricing=self._pricing(outbound))
            # Await the first attempt so one message's statuses leave in order; retries go on in background.
            await self.webhooks.deliver(status_payload(self.business, update), "status")
        if cfg.read_mode == "auto" and outbound.request.type != "reaction":
            await self._sleep_until(start, cfg.status_read_delay_s)
            self._send_read(outbound.wamid, outbound)

    async def _deliver_status(self, update: StatusUpdate) -> None:
        await self.webhooks.deliver_with_retries(status_payload(self.business, update), "status")

    def _send_read(self, wamid: str, outbound: Outbound | None = None) -> None:
        message = self.chat.get(wamid)
        if message is None or message.read_sent or message.status == "failed":
            return
        message.read_sent = True
        self._set_chat_status(wamid, "read")
        update = StatusUpdate(
            wamid=wamid,
            status="read",
            timestamp=int(self.now()),
            recipient_id=message.wa_id,
            biz_opaque_callback_data=outbound.request.biz_opaque_callback_data if outbound else None,
        )
        self.spawn(self._deliver_status(update))

    def customer_viewed(self, wa_id: str) -> None:
        """The chat page shows the conversation: in ``on_view`` mode, delivered messages become read."""
        if self.config.read_mode != "on_view":
            return
        for message in self.chat.conversation(wa_id):
            if message.direction == "out" and message.status == "delivered" and message.type != "reaction":
                self._send_read(message.id)

    def mark_read(self, read: ReadRequest) -> None:
        """Mark an inbound message (and earlier ones) read; optionally show the typing bubble."""
        wa_id = self.inbound_ids.get(read.message_id)
        if wa_id is None:
            raise errors.invalid_value(f"Invalid message_id {read.message_id!r}: no such inbound message.")
        target = self.chat.get(read.message_id)
        for message in self.chat.conversation(wa_id):
            if message.direction == "in" and (target is None or message.ts <= target.ts):
                message.status = "read"
        if read.typing:
            self.chat.typing_until[wa_id] = self.now() + TYPING_SECONDS
        self.chat.touch()

    # ---- templates ----------------------------------------------------------------------------

    def check_waba(self, waba_id: str, method: str) -> None:
        """Refuse paths naming another WABA."""
        if waba_id != self.settings.whatsapp_business_account_id:
            raise errors.unknown_object(waba_id, method)

    def create_template(self, body: Any) -> Template:
        """Create a template: PENDING, approved later (or at once, or manually) per the config."""
        if not isinstance(body, dict):
            raise errors.invalid_parameter("Request body must be a JSON object.")
        template = self.templates.create(body, now=self.now())
        mode = self.config.template_approval
        if mode == "immediate":
            template.status = "APPROVED"
        elif mode == "delayed":
            self.spawn(self._approve_later(template))
        return template

    async def _approve_later(self, template: Template) -> None:
        await asyncio.sleep(self.config.template_approval_delay_s)
        if self.templates.by_id(template.id) is template and template.status == "PENDING":
            await self.set_template_status(template, "APPROVED", None)

    async def set_template_status(self, template: Template, status: str, reason: str | None) -> None:
        """Change a template's status and tell the gateway (``message_template_status_update``)."""
        template.status = status
        if self.config.template_status_webhooks:
            payload = template_status_payload(
                self.business,
                template_id=template.id,
                name=template.name,
                language=template.language,
                event=status,
                reason=reason or ("NONE" if status == "APPROVED" else None),
            )
            self.spawn(self._deliver_template_status(payload))

    async def _deliver_template_status(self, payload: dict[str, Any]) -> None:
        await self.webhooks.deliver_with_retries(payload, "template_status")
