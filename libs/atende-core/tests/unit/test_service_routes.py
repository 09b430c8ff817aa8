"""Health routes stay open to probes; /metrics and internal routers need the internal token."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter
from pydantic import SecretStr

from atende_core.service import Runtime, create_internal_app, create_service_app

pytestmark = pytest.mark.unit


def _router() -> APIRouter:
    router = APIRouter()

    @router.get("/media/{media_id}")
    async def media(media_id: str) -> dict[str, str]:
        return {"id": media_id}

    return router


async def _statuses(app: object, headers: dict[str, str]) -> dict[str, int]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://svc", headers=headers) as client:
        return {path: (await client.get(path)).status_code for path in ("/healthz", "/readyz", "/metrics", "/media/1")}


async def test_internal_routes_need_the_token_and_probes_do_not() -> None:
    app = create_service_app(
        name="x", runtime=Runtime(), internal_routers=[_router()], internal_token=SecretStr("s3cret-token")
    )
    assert await _statuses(app, {}) == {"/healthz": 200, "/readyz": 200, "/metrics": 401, "/media/1": 401}
    assert await _statuses(app, {"Authorization": "Bearer wrong"}) == {
        "/healthz": 200,
        "/readyz": 200,
        "/metrics": 401,
        "/media/1": 401,
    }
    assert (await _statuses(app, {"Authorization": "Bearer s3cret-token"}))["/media/1"] == 200


async def test_no_token_configured_refuses_everyone() -> None:
    for token in (None, SecretStr("")):
        app = create_internal_app(name="x", runtime=Runtime(), routers=[_router()], internal_token=token)
        for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer x"}):
            statuses = await _statuses(app, headers)
            assert statuses["/metrics"] == 401
            assert statuses["/media/1"] == 401
            assert statuses["/healthz"] == 200


async def test_a_service_app_without_health_leaves_it_to_the_internal_app() -> None:
    app = create_service_app(name="x", runtime=Runtime(), health=False)
    assert (await _statuses(app, {}))["/healthz"] == 404
