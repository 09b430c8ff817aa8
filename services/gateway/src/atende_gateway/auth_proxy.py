"""`/auth/*` on the public port, proxied to the auth service (which stays on the internal network).

- Methods GET, POST, PATCH, DELETE; `/auth/jwks.json` is not proxied (services read it internally).
- Request bodies are read up to `AUTH_PROXY_MAX_BODY_BYTES` (413 above, from Content-Length before
  reading and while streaming); answers are read up to four times that (502 above).
- Hop-by-hop headers (and those named in `Connection`) are dropped both ways; `X-Forwarded-For`
  is replaced by the real client address (atende_core.http_security.client_address), so auth's
  lockout, allowlist and anomaly checks see the customer-facing address, never a spoofed one.
- Auth unreachable → 502, no answer within `AUTH_PROXY_TIMEOUT_S` → 504, both as JSON `detail`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from atende_core.http_security import client_address, forwarded_proto
from atende_core.identity import JWKS_PATH
from atende_gateway import metrics
from atende_gateway.settings import GatewaySettings

log = logging.getLogger(__name__)

METHODS = ["GET", "POST", "PATCH", "DELETE"]
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
# Never forwarded upstream: recomputed (host, length) or replaced (forwarding headers).
_REQUEST_DROP = frozenset(
    {"host", "content-length", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-real-ip", "forwarded"}
)
_RESPONSE_DROP = frozenset({"content-length", "content-encoding", "server", "date"})


class _TooLarge(Exception):
    pass


def _filtered(items: list[tuple[str, str]], extra_drop: frozenset[str]) -> list[tuple[str, str]]:
    """`items` without hop-by-hop headers, those the Connection header names, and `extra_drop`."""
    named = {t.strip().lower() for k, v in items if k.lower() == "connection" for t in v.split(",")}
    drop = HOP_BY_HOP | extra_drop | named
    return [(k, v) for k, v in items if k.lower() not in drop]


def _problem(status: int, detail: str, outcome: str) -> JSONResponse:
    metrics.AUTH_PROXY_REQUESTS.labels(outcome).inc()
    return JSONResponse({"detail": detail}, status_code=status)


async def _bounded_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _safe_path(path: str) -> bool:
    segments = path.split("/")
    return not any(s in {".", ".."} for s in segments) and "\\" not in path and f"/auth/{path}" != JWKS_PATH


def create_router(settings: GatewaySettings, *, client: httpx.AsyncClient | None = None) -> APIRouter:
    """The proxy router; it owns its HTTP client (started and closed in its lifespan) unless given one."""
    upstream = settings.auth_url.rstrip("/")
    max_body = settings.auth_proxy_max_body_bytes
    max_answer = 4 * max_body
    trusted = settings.trusted_proxies
    state: dict[str, httpx.AsyncClient] = {}
    if client is not None:
        state["client"] = client

    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        owned = None
        if "client" not in state:
            owned = state["client"] = httpx.AsyncClient(
                timeout=httpx.Timeout(settings.auth_proxy_timeout_s), follow_redirects=False, trust_env=False
            )
        try:
            yield
        finally:
            if owned is not None:
                await owned.aclose()
                state.pop("client", None)

    router = APIRouter(lifespan=lifespan)

    @router.api_route("/auth/{path:path}", methods=METHODS, include_in_schema=False)
    async def proxy(path: str, request: Request) -> Response:
        if not _safe_path(path):
            return _problem(404, "Not Found", "refused")
        try:
            body = await _bounded_body(request, max_body)
        except _TooLarge:
            return _problem(413, "request body too large", "too_large")
        headers = _filtered(request.headers.items(), _REQUEST_DROP)
        headers.append(("x-forwarded-for", client_address(request.scope, trusted)))
        headers.append(("x-forwarded-proto", forwarded_proto(request.scope, trusted)))
        url = httpx.URL(f"{upstream}/auth/{path}", query=request.url.query.encode())
        the_client = state.get("client")
        if the_client is None:
            return _problem(502, "auth service unavailable", "unavailable")
        try:
            upstream_request = the_client.build_request(request.method, url, headers=headers, content=body)
            answer = await the_client.send(upstream_request, stream=True)
            try:
                content = bytearray()
                async for chunk in answer.aiter_bytes():
                    content.extend(chunk)
                    if len(content) > max_answer:
                        return _problem(502, "auth service answer too large", "unavailable")
            finally:
                await answer.aclose()
        except httpx.TimeoutException:
            log.warning("auth service timed out", extra={"event.action": "auth-proxy-timeout"})
            return _problem(504, "auth service did not answer in time", "timeout")
        except httpx.HTTPError as exc:
            log.warning(
                "auth service unreachable",
                extra={"event.action": "auth-proxy-failed", "error.type": type(exc).__name__},
            )
            return _problem(502, "auth service unavailable", "unavailable")
        metrics.AUTH_PROXY_REQUESTS.labels("answered").inc()
        out_headers = _filtered(answer.headers.multi_items(), _RESPONSE_DROP)
        response = Response(content=bytes(content), status_code=answer.status_code)
        for name, value in out_headers:
            response.headers.append(name, value)
        return response

    return router
