"""`/webhooks/whatsapp` as a raw ASGI handler: the hottest path of the system, so it skips the
framework (routing, dependency injection, per-request middleware) and does only what Meta needs:

- GET: the verification handshake (echo `hub.challenge` as text/plain, else 403);
- POST: read at most `max_body_bytes` (413 above, decided from Content-Length before reading and
  enforced while streaming), check `X-Hub-Signature-256` over the raw bytes (401 when missing,
  malformed or wrong; counted; the body is never logged), publish to Kafka and wait for acks=all,
  then 200 — or 503 when Kafka cannot take it, so Meta retries instead of losing the webhook.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import parse_qsl

from starlette.types import Receive, Scope, Send

from atende_gateway import metrics
from atende_gateway.domain.webhook import handshake_challenge, phone_number_id_hint, signature_problem
from atende_gateway.ports import PublishUnavailable, WebhookSink

log = logging.getLogger(__name__)

WEBHOOK_PATHS = frozenset({"/webhooks/whatsapp", "/webhooks/whatsapp/"})
_TEXT = [(b"content-type", b"text/plain; charset=utf-8"), (b"x-content-type-options", b"nosniff")]
# The answer Meta waits for, built once: 200 with an empty body is all it needs.
_ACCEPTED_START = {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]}
_EMPTY_BODY = {"type": "http.response.body", "body": b""}


async def _respond(send: Send, status: int, body: bytes = b"", headers: list[tuple[bytes, bytes]] = _TEXT) -> None:
    length = (b"content-length", str(len(body)).encode())
    await send({"type": "http.response.start", "status": status, "headers": [*headers, length]})
    await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


class _Disconnected(Exception):
    pass


class WebhookIngress:
    """The ASGI app of `/webhooks/whatsapp` (GET handshake, POST signed deliveries)."""

    def __init__(self, *, sink: WebhookSink, app_secret: bytes, verify_token: bytes, max_body_bytes: int) -> None:
        self._sink = sink
        self._secret = app_secret
        self._verify_token = verify_token
        self._max_body = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        if method == "POST":
            await self._post(scope, receive, send)
        elif method in ("GET", "HEAD"):
            await self._handshake(scope, send)
        else:
            await _respond(send, 405, b"method not allowed", [*_TEXT, (b"allow", b"GET, POST")])

    async def _handshake(self, scope: Scope, send: Send) -> None:
        params = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        challenge = handshake_challenge(params, verify_token=self._verify_token)
        if challenge is None:
            metrics.HANDSHAKES.labels("refused").inc()
            log.warning("webhook verification refused")
            await _respond(send, 403, b"forbidden")
            return
        metrics.HANDSHAKES.labels("verified").inc()
        log.info("webhook verification answered")
        await _respond(send, 200, challenge.encode())

    async def _post(self, scope: Scope, receive: Receive, send: Send) -> None:
        signature: bytes | None = None
        declared: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"x-hub-signature-256":
                signature = value
            elif name == b"content-length":
                declared = value
        if declared is not None:
            if not declared.isdigit():
                metrics.BAD_REQUEST.inc()
                await _respond(send, 400, b"bad content-length")
                return
            if int(declared) > self._max_body:
                await self._too_large(send)
                return
        try:
            body = await self._read_body(receive)
        except _TooLarge:
            await self._too_large(send)
            return
        except _Disconnected:
            return
        problem = signature_problem(body, signature, secret=self._secret)
        if problem is not None:
            metrics.SIGNATURE_REJECTED.labels(problem.value).inc()
            metrics.UNAUTHORIZED.inc()
            log.warning("webhook signature rejected", extra={"reason": problem.value, "body.bytes": len(body)})
            await _respond(send, 401, b"invalid signature")
            return
        started = time.perf_counter()
        try:
            await self._sink.publish(body, phone_number_id=phone_number_id_hint(body))
        except PublishUnavailable as exc:
            metrics.UNAVAILABLE.inc()
            log.error("webhook not durable, answered 503", extra={"error.message": str(exc)})
            await _respond(send, 503, b"unavailable", [*_TEXT, (b"retry-after", b"5")])
            return
        metrics.PUBLISH_SECONDS.observe(time.perf_counter() - started)
        metrics.ACCEPTED.inc()
        await send(_ACCEPTED_START)
        await send(_EMPTY_BODY)

    async def _read_body(self, receive: Receive) -> bytes:
        """The whole body, refusing to buffer more than the cap whatever Content-Length said."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self._max_body:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    async def _too_large(self, send: Send) -> None:
        metrics.TOO_LARGE.inc()
        log.warning("webhook body over the limit refused", extra={"limit.bytes": self._max_body})
        # Close the connection: the rest of the body is never read.
        await _respond(send, 413, b"payload too large", [*_TEXT, (b"connection", b"close")])
