"""Browser-facing protection every HTTP service shares: security headers on every response and CORS
for configured origins only, as one small ASGI middleware (no framework needed):

    app = SecurityHeaders(app, cors_origins=("https://painel.example",), hsts=settings.behind_https)

- `Content-Security-Policy`: `default-src 'none'; frame-ancestors 'none'` for JSON and everything
  that is not HTML; a strict same-origin policy for HTML (no inline script, no plugins, no framing).
- `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`,
  `Cross-Origin-Opener-Policy: same-origin`, `Cache-Control: no-store` unless the app set one.
- `Strict-Transport-Security` only behind https: always when `hsts=True`, or when the request came
  through a trusted proxy (`trusted_proxies`, exact client addresses) saying `X-Forwarded-Proto: https`.
- CORS: an `Origin` in `cors_origins` gets `Access-Control-Allow-Origin` (that origin, with
  `Vary: Origin`); a preflight from it is answered 204 with the allowed methods and headers. A
  preflight from any other origin is answered 403 without a CORS grant, and a simple request from
  one is served without `Access-Control-Allow-*` (the browser withholds the answer from the page).
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

JSON_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HTML_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'"
)
HSTS = "max-age=63072000; includeSubDomains"
ALLOWED_METHODS = "GET, POST, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = "authorization, content-type, idempotency-key"
PREFLIGHT_MAX_AGE_S = 600

_JSON_CSP_RAW = JSON_CSP.encode()
_HSTS_RAW = HSTS.encode()
_COMMON = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


class SecurityHeaders:
    """ASGI middleware adding security headers to every HTTP response and CORS for known origins."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        cors_origins: Iterable[str] = (),
        hsts: bool = False,
        trusted_proxies: Iterable[str] = (),
        html_csp: str = HTML_CSP,
    ) -> None:
        self.app = app
        self._origins = frozenset(o.rstrip("/") for o in cors_origins if o)
        self._hsts = hsts
        self._trusted = frozenset(trusted_proxies)
        self._html_csp_raw = html_csp.encode()

    def __getattr__(self, name: str) -> object:
        # Expose the wrapped app's attributes (e.g. `internal_app`) to whoever serves it.
        if name == "app":
            raise AttributeError(name)
        return getattr(self.app, name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin: str | None = None
        preflight = False
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value.decode("latin-1")
            elif name == b"access-control-request-method":
                preflight = True
        granted = origin is not None and origin.rstrip("/") in self._origins
        if preflight and origin is not None and scope["method"] == "OPTIONS":
            await self._preflight(scope, send, origin if granted else None)
            return
        https = self._https(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                self._secure_raw(raw, https=https)
                if granted and origin is not None:
                    raw += [
                        (b"access-control-allow-origin", origin.encode("latin-1")),
                        (b"access-control-expose-headers", b"retry-after"),
                        (b"vary", b"Origin"),
                    ]
                message = {**message, "headers": raw}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _https(self, scope: Scope) -> bool:
        return self._hsts or forwarded_proto(scope, self._trusted) == "https"

    def _secure_raw(self, raw: list[tuple[bytes, bytes]], *, https: bool) -> None:
        """Add the security headers to raw response headers (a header the app set itself is kept)."""
        present = {name.lower() for name, _ in raw}
        html = any(name.lower() == b"content-type" and value.startswith(b"text/html") for name, value in raw)
        wanted = [(b"content-security-policy", self._html_csp_raw if html else _JSON_CSP_RAW), *_COMMON]
        if https:
            wanted.append((b"strict-transport-security", _HSTS_RAW))
        if b"cache-control" not in present:
            wanted.append((b"cache-control", b"no-store"))
        raw += [(name, value) for name, value in wanted if name not in present]

    def _secure(self, headers: MutableHeaders, *, https: bool) -> None:
        raw = list(headers.raw)
        self._secure_raw(raw, https=https)
        headers.raw[:] = raw

    async def _preflight(self, scope: Scope, send: Send, origin: str | None) -> None:
        headers = MutableHeaders()
        self._secure(headers, https=self._https(scope))
        headers["content-length"] = "0"
        headers["vary"] = "Origin"
        if origin is None:
            await send({"type": "http.response.start", "status": 403, "headers": headers.raw})
            await send({"type": "http.response.body", "body": b""})
            return
        headers["access-control-allow-origin"] = origin
        headers["access-control-allow-methods"] = ALLOWED_METHODS
        headers["access-control-allow-headers"] = ALLOWED_HEADERS
        headers["access-control-max-age"] = str(PREFLIGHT_MAX_AGE_S)
        await send({"type": "http.response.start", "status": 204, "headers": headers.raw})
        await send({"type": "http.response.body", "body": b""})


def forwarded_proto(scope: Scope, trusted_proxies: Iterable[str] = ()) -> str:
    """The scheme the client used: `X-Forwarded-Proto` from a trusted proxy, else the connection's."""
    client = scope.get("client")
    if client is not None and client[0] in frozenset(trusted_proxies):
        proto = Headers(scope=scope).get("x-forwarded-proto", "").strip().lower()
        if proto in {"http", "https"}:
            return proto
    return str(scope.get("scheme", "http"))


def client_address(scope: Scope, trusted_proxies: Iterable[str] = ()) -> str:
    """The address of the real client: the peer, or, when the peer is a trusted proxy, the rightmost
    X-Forwarded-For hop that is not itself a trusted proxy (the leftmost hops are client-supplied)."""
    client = scope.get("client")
    peer = str(client[0]) if client else ""
    trusted = frozenset(trusted_proxies)
    if peer not in trusted:
        return peer
    forwarded = Headers(scope=scope).get("x-forwarded-for", "")
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        if hop not in trusted:
            return hop
    return peer
