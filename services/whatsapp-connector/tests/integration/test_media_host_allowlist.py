"""The WhatsApp token never reaches a host off the media allowlist (real HTTP servers on local ports).

A fake Graph API (allowed origin) hands out media URLs; a second server on another port plays the
attacker's host and records every request it receives.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import SecretStr

from atende_testing import running_server
from atende_whatsapp_connector.adapters.graph import GraphClient, MediaHostRefused
from atende_whatsapp_connector.adapters.media import MediaClient
from atende_whatsapp_connector.api import media_router
from atende_whatsapp_connector.domain.media_hosts import META_MEDIA_HOSTS, MediaHostAllowlist

pytestmark = pytest.mark.integration

TOKEN = "EAAG-media-test-token"


@dataclass
class Servers:
    graph: str
    rogue: str
    rogue_requests: list[dict[str, Any]] = field(default_factory=list)
    graph_requests: list[dict[str, Any]] = field(default_factory=list)
    media_url: dict[str, str] = field(default_factory=dict)

    def client(self) -> GraphClient:
        allowlist = MediaHostAllowlist.parse([*META_MEDIA_HOSTS, self.graph])  # the dev/test way: the setting
        return GraphClient(base_url=f"{self.graph}/v25.0", access_token=SecretStr(TOKEN), media_hosts=allowlist)


def _graph_app(servers: Servers) -> FastAPI:
    app = FastAPI()

    @app.get("/v25.0/{media_id}")
    async def media_info(media_id: str, request: Request) -> JSONResponse:
        servers.graph_requests.append({"path": request.url.path, "authorization": request.headers.get("authorization")})
        info = {"id": media_id, "url": servers.media_url[media_id], "mime_type": "image/png", "sha256": ""}
        return JSONResponse(info)

    @app.get("/files/ok")
    async def ok_file(request: Request) -> Response:
        servers.graph_requests.append({"path": request.url.path, "authorization": request.headers.get("authorization")})
        return Response(b"\x89PNG-ok", media_type="image/png")

    @app.get("/files/redirect-away")
    async def away(request: Request) -> RedirectResponse:
        servers.graph_requests.append({"path": request.url.path, "authorization": request.headers.get("authorization")})
        return RedirectResponse(f"{servers.rogue}/steal", status_code=302)

    @app.get("/files/redirect-home")
    async def home(request: Request) -> RedirectResponse:
        servers.graph_requests.append({"path": request.url.path, "authorization": request.headers.get("authorization")})
        return RedirectResponse("/files/ok", status_code=307)

    return app


def _rogue_app(servers: Servers) -> FastAPI:
    app = FastAPI()

    @app.get("/{path:path}")
    async def anything(path: str, request: Request) -> Response:
        servers.rogue_requests.append({"path": path, "authorization": request.headers.get("authorization")})
        return Response(b"\x89PNG-rogue", media_type="image/png")

    return app


@pytest.fixture
async def servers() -> AsyncIterator[Servers]:
    async with AsyncExitStack() as stack:
        holder = Servers(graph="", rogue="")
        holder.rogue = await stack.enter_async_context(running_server(_rogue_app(holder)))
        holder.graph = await stack.enter_async_context(running_server(_graph_app(holder)))
        yield holder


async def test_a_media_url_on_a_host_off_the_allowlist_receives_nothing(servers: Servers) -> None:
    servers.media_url["m1"] = f"{servers.rogue}/whatsapp_business/attachments/?mid=m1"
    graph = servers.client()
    try:
        with pytest.raises(MediaHostRefused):
            await MediaClient(graph).fetch("m1")
        # The rogue server is reachable (the same client, with the token stripped, gets an answer)...
        async with httpx.AsyncClient() as plain:
            assert (await plain.get(servers.media_url["m1"])).status_code == 200
    finally:
        await graph.aclose()
    # ... but the only request it ever saw is that token-less probe.
    assert servers.rogue_requests == [{"path": "whatsapp_business/attachments/", "authorization": None}]


async def test_a_redirect_from_an_allowed_host_to_another_host_does_not_carry_the_token(servers: Servers) -> None:
    graph = servers.client()
    try:
        with pytest.raises(MediaHostRefused, match="redirect"):
            await graph.download(f"{servers.graph}/files/redirect-away")
    finally:
        await graph.aclose()
    assert servers.graph_requests == [{"path": "/files/redirect-away", "authorization": f"Bearer {TOKEN}"}]
    assert servers.rogue_requests == []


async def test_a_redirect_within_the_allowlist_is_followed(servers: Servers) -> None:
    graph = servers.client()
    try:
        data, content_type = await graph.download(f"{servers.graph}/files/redirect-home")
    finally:
        await graph.aclose()
    assert (data, content_type) == (b"\x89PNG-ok", "image/png")
    assert [r["path"] for r in servers.graph_requests] == ["/files/redirect-home", "/files/ok"]


async def test_the_media_route_answers_502_and_the_rogue_host_sees_nothing(servers: Servers) -> None:
    servers.media_url["m2"] = f"{servers.rogue}/steal?mid=m2"
    graph = servers.client()
    app = FastAPI()
    app.include_router(media_router(MediaClient(graph), default_phone_number_id="106540352242922"))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://connector") as api:
            response = await api.get("/media/m2")
    finally:
        await graph.aclose()
    assert response.status_code == 502
    assert "media host not allowed" in response.json()["detail"]
    assert servers.rogue_requests == []
