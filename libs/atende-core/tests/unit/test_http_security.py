"""The security-headers and CORS middleware, and the real-client address behind trusted proxies."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from atende_core.http_security import HTML_CSP, JSON_CSP, SecurityHeaders, client_address

pytestmark = pytest.mark.unit

ORIGIN = "https://painel.example.com.br"


async def _json(_: Request) -> Response:
    return JSONResponse({"ok": True})


async def _html(_: Request) -> Response:
    return HTMLResponse("<p>oi</p>")


async def _cached(_: Request) -> Response:
    return PlainTextResponse("x", headers={"Cache-Control": "max-age=60"})


async def _whoami(request: Request) -> Response:
    return JSONResponse({"ip": client_address(request.scope, ["10.0.0.1"])})


APP = Starlette(
    routes=[Route("/json", _json, methods=["GET", "POST"]), Route("/html", _html), Route("/cached", _cached)]
)


def client(app: object, **options: object) -> httpx.AsyncClient:
    wrapped = SecurityHeaders(app, **options)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=wrapped), base_url="http://svc")


async def test_json_and_html_answers_carry_the_security_headers() -> None:
    async with client(APP) as http:
        as_json = await http.get("/json")
        assert as_json.headers["content-security-policy"] == JSON_CSP
        assert "frame-ancestors 'none'" in JSON_CSP
        as_html = await http.get("/html")
        assert as_html.headers["content-security-policy"] == HTML_CSP
        assert "script-src 'self'" in HTML_CSP
        assert "'unsafe-inline'" not in HTML_CSP
        missing = await http.get("/nowhere")
        for answer in (as_json, as_html, missing):
            assert answer.headers["x-content-type-options"] == "nosniff"
            assert answer.headers["x-frame-options"] == "DENY"
            assert answer.headers["referrer-policy"] == "no-referrer"
            assert answer.headers["cache-control"] == "no-store"
            assert "strict-transport-security" not in answer.headers
        assert (await http.get("/cached")).headers["cache-control"] == "max-age=60"


async def test_hsts_only_behind_https() -> None:
    async with client(APP, hsts=True) as http:
        assert (await http.get("/json")).headers["strict-transport-security"].startswith("max-age=")
    async with client(APP, trusted_proxies=["127.0.0.1"]) as http:
        # ASGITransport's client address is 127.0.0.1: a trusted proxy saying https gets HSTS.
        forwarded = await http.get("/json", headers={"X-Forwarded-Proto": "https"})
        assert "strict-transport-security" in forwarded.headers
    async with client(APP) as http:
        spoofed = await http.get("/json", headers={"X-Forwarded-Proto": "https"})
        assert "strict-transport-security" not in spoofed.headers


async def test_cors_only_for_configured_origins() -> None:
    preflight = {
        "Origin": ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
    }
    async with client(APP, cors_origins=[ORIGIN]) as http:
        granted = await http.options("/json", headers=preflight)
        assert granted.status_code == 204
        assert granted.headers["access-control-allow-origin"] == ORIGIN
        assert "authorization" in granted.headers["access-control-allow-headers"]
        refused = await http.options("/json", headers={**preflight, "Origin": "https://evil.example"})
        assert refused.status_code == 403
        assert not any(h.startswith("access-control-") for h in refused.headers)
        simple = await http.get("/json", headers={"Origin": ORIGIN})
        assert simple.headers["access-control-allow-origin"] == ORIGIN
        assert "Origin" in simple.headers["vary"]
        foreign = await http.get("/json", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in foreign.headers
    async with client(APP) as http:  # no origin configured: nobody gets a grant
        assert (await http.options("/json", headers=preflight)).status_code == 403


async def test_the_real_client_address_only_trusts_configured_proxies() -> None:
    app = Starlette(routes=[Route("/who", _whoami)])
    transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as via_proxy:
        hops = {"X-Forwarded-For": "6.6.6.6, 200.1.2.3"}
        assert (await via_proxy.get("/who", headers=hops)).json() == {"ip": "200.1.2.3"}
        assert (await via_proxy.get("/who")).json() == {"ip": "10.0.0.1"}
    direct = httpx.ASGITransport(app=app, client=("200.9.9.9", 5000))
    async with httpx.AsyncClient(transport=direct, base_url="http://svc") as http:
        assert (await http.get("/who", headers={"X-Forwarded-For": "1.1.1.1"})).json() == {"ip": "200.9.9.9"}
