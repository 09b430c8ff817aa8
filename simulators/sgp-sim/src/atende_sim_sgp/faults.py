"""Fault injection (latency, error rate, outage modes) and the request log, as an ASGI middleware."""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from typing import Any, Literal

from pydantic import BaseModel, Field
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

FaultMode = Literal["ok", "down", "timeout", "html"]
_FAULTED_PREFIXES = ("/api/", "/ws/", "/boleto/", "/public/")

NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
NGINX_504 = NGINX_502.replace("502 Bad Gateway", "504 Gateway Time-out")
DJANGO_500 = "<h1>Server Error (500)</h1>"
LOGIN_PAGE = (
    "<!DOCTYPE html><html><head><title>SGP - Login</title></head><body>"
    "<form method='post' action='/accounts/login/'><input name='username'>"
    "<input name='password' type='password'></form></body></html>"
)


class Faults(BaseModel):
    """Current fault configuration, set through ``POST /_sim/faults``."""

    latency_ms: int = Field(default=0, ge=0)
    error_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    mode: FaultMode = "ok"


class FaultsPatch(BaseModel):
    """Partial update of :class:`Faults` (omitted fields keep their value)."""

    latency_ms: int | None = Field(default=None, ge=0)
    error_rate: float | None = Field(default=None, ge=0.0, le=1.0)
    mode: FaultMode | None = None


class SimState:
    """Mutable simulator state shared by the middleware and the routes."""

    def __init__(self, *, seed: int, timeout_hold_s: float, max_records: int = 20_000):
        self.faults = Faults()
        self.timeout_hold_s = timeout_hold_s
        self.records: deque[dict[str, Any]] = deque(maxlen=max_records)
        self.rng = random.Random(seed)

    def record(self, **entry: Any) -> None:
        """Append one request to the log (credentials are never stored)."""
        entry.setdefault("ts", time.time())
        self.records.append(entry)


class FaultMiddleware:
    """Applies latency and failure modes to SGP routes (never to ``/_sim`` admin routes)."""

    def __init__(self, app: ASGIApp, state: SimState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope["path"]).startswith(_FAULTED_PREFIXES):
            await self.app(scope, receive, send)
            return
        faults = self.state.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        response: Response | None = None
        label: str = faults.mode
        if faults.mode == "down":
            response = HTMLResponse(NGINX_502, status_code=502)
        elif faults.mode == "timeout":
            response = HTMLResponse(NGINX_504, status_code=504)
        elif faults.mode == "html":
            response = HTMLResponse(LOGIN_PAGE, status_code=200)
        elif faults.error_rate and self.state.rng.random() < faults.error_rate:
            response, label = HTMLResponse(DJANGO_500, status_code=500), "error_rate"
        if response is None:
            await self.app(scope, receive, send)
            return
        self.state.record(method=scope["method"], path=scope["path"], status_code=response.status_code, fault=label)
        if faults.mode == "timeout":
            # Poll so that switching the mode back releases held requests promptly.
            deadline = time.monotonic() + self.state.timeout_hold_s
            while self.state.faults.mode == "timeout" and time.monotonic() < deadline:  # noqa: ASYNC110 - polls a mode another request flips
                await asyncio.sleep(0.05)
        await response(scope, receive, send)
