"""`/auth/*` proxied to a stand-in of the auth service running as a real HTTP server: what reaches it,
what comes back, and clean 4xx/5xx answers when the body is too large or auth is away or slow."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from atende_gateway.app import create_app
from atende_gateway.settings import GatewaySettings
from atende_testing import free_port, running_server
from atende_testing.tokens import TokenIssuer

from .conftest import GatewayFactory

pytestmark = pytest.mark.integration


class AuthStandIn:
    """Echoes what it received; `/auth/slow` answers late; `/auth/jwks.json` is its internal JWKS."""

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    async def echo(self, request: Request) -> Response:
        body = await request.body()
        self.seen.append({"method": request.method, "path": request.url.path, "headers": dict(request.headers)})
        if request.url.path == "/auth/slow":
            await asyncio.sleep(3)
        if request.url.path == "/auth/logout":
            return Response(status_code=204)
        return JSONResponse(
            {"method": request.method, "path": request.url.path, "query": request.url.query, "body": body.decode()},
            status_code=401 if request.url.path == "/auth/login" and b"wrong" in body else 200,
            headers={
                "Connection": "close, x-secret-hop",
                "X-Secret-Hop": "1",
                "Keep-Alive": "timeout=5",
                "X-Auth": "y",
            },
        )

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self.echo, methods=["GET", "POST", "PATCH", "DELETE"])])


def settings(auth_url: str, **overrides: Any) -> GatewaySettings:
    return GatewaySettings(**{"auth_url": auth_url, "operator_api_enabled": False, **overrides})


async def test_auth_routes_are_proxied_with_clean_headers(topic_prefix: str) -> None:
    stand_in = AuthStandIn()
    async with running_server(stand_in.app()) as auth_url:
        app = create_app(settings(auth_url, auth_proxy_max_body_bytes=1024, kafka_topic_prefix=topic_prefix))
        async with running_server(app) as url, httpx.AsyncClient(base_url=url) as client:
            login = await client.post(
                "/auth/login?next=%2Finbox",
                json={"username": "ana", "password": "certa"},
                headers={
                    "X-Forwarded-For": "6.6.6.6",
                    "Connection": "keep-alive, x-drop-me",
                    "X-Drop-Me": "1",
                    "Proxy-Authorization": "Basic eA==",
                    "Authorization": "Bearer passes-through",
                },
            )
            assert login.status_code == 200
            assert login.json() == {
                "method": "POST",
                "path": "/auth/login",
                "query": "next=%2Finbox",
                "body": '{"username":"ana","password":"certa"}',
            }
            received = stand_in.seen[-1]["headers"]
            # The real client address, never what the client claimed; hop-by-hop headers stay behind.
            assert received["x-forwarded-for"] == "127.0.0.1"
            assert "x-drop-me" not in received
            assert "proxy-authorization" not in received
            assert received["authorization"] == "Bearer passes-through"
            assert "x-secret-hop" not in login.headers
            assert "keep-alive" not in login.headers
            assert login.headers["x-auth"] == "y"
            assert login.headers["x-content-type-options"] == "nosniff"

            refused = await client.post("/auth/login", json={"username": "ana", "password": "wrong"})
            assert refused.status_code == 401  # auth's own answer, passed through
            assert (await client.post("/auth/logout")).status_code == 204
            for method in ("GET", "PATCH", "DELETE"):
                answer = await client.request(method, "/auth/users/u-1")
                assert answer.json()["method"] == method
            # The key set is internal: not proxied. Neither is a way out of /auth.
            count = len(stand_in.seen)
            assert (await client.get("/auth/jwks.json")).status_code == 404
            assert (await client.get("/auth/x/../../metrics")).status_code == 404
            assert (await client.put("/auth/login")).status_code == 405
            too_big = await client.post(
                "/auth/login", content=b"x" * 2048, headers={"Content-Type": "application/json"}
            )
            assert too_big.status_code == 413

            async def chunks() -> Any:
                for _ in range(4):
                    yield b"x" * 512

            assert (await client.post("/auth/login", content=chunks())).status_code == 413
            assert len(stand_in.seen) == count


async def test_auth_down_is_502_and_auth_slow_is_504(topic_prefix: str) -> None:
    down = create_app(settings(f"http://127.0.0.1:{free_port()}", kafka_topic_prefix=topic_prefix))
    async with running_server(down) as url, httpx.AsyncClient(base_url=url) as client:
        answer = await client.post("/auth/login", json={"username": "ana", "password": "x"})
        assert answer.status_code == 502
        assert answer.json() == {"detail": "auth service unavailable"}
    stand_in = AuthStandIn()
    async with running_server(stand_in.app()) as auth_url:
        slow = create_app(settings(auth_url, auth_proxy_timeout_s=0.3, kafka_topic_prefix=topic_prefix))
        async with running_server(slow) as url, httpx.AsyncClient(base_url=url) as client:
            answer = await client.get("/auth/slow")
            assert answer.status_code == 504
            assert answer.headers["content-security-policy"].startswith("default-src 'none'")


async def test_the_openapi_document_is_for_logged_in_operators(
    gateway: GatewayFactory, token_issuer: TokenIssuer
) -> None:
    async with gateway() as client:
        assert (await client.get("/openapi.json")).status_code == 401
        assert (await client.get("/docs")).status_code == 404
        token = token_issuer.mint("vic", "viewer")
        document = (await client.get("/openapi.json", headers={"Authorization": f"Bearer {token}"})).json()
        paths = document["paths"]
        assert {"/webhooks/whatsapp", "/operator/handoffs", "/operator/handoffs/{conversation_id}/reassign"} <= set(
            paths
        )
        assert not any(p.startswith("/auth") for p in paths)
        claim = paths["/operator/handoffs/{conversation_id}/claim"]["post"]
        assert claim["security"] == [{"bearer": []}]
        assert {"401", "403", "404", "409", "429"} <= set(claim["responses"])
        assert document["components"]["schemas"]["Reply"]["examples"]


async def test_cors_from_an_unknown_origin_gets_no_grant(gateway: GatewayFactory) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    async with gateway(gateway_cors_origins="https://painel.provedor.com.br") as client:
        evil = await client.options("/operator/handoffs", headers={**preflight, "Origin": "https://evil.example"})
        assert evil.status_code == 403
        assert "access-control-allow-origin" not in evil.headers
        ours = await client.options("/auth/login", headers={**preflight, "Origin": "https://painel.provedor.com.br"})
        assert ours.headers["access-control-allow-origin"] == "https://painel.provedor.com.br"
        answer = await client.get("/operator/handoffs", headers={"Origin": "https://evil.example"})
        assert answer.status_code == 401
        assert "access-control-allow-origin" not in answer.headers
        for name in ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"):
            assert name in answer.headers
