"""Swagger UI at /console/api-docs: served from the gateway itself (no CDN), under the HTML CSP (no
inline script or style), over the OpenAPI document that only a logged-in operator gets."""

from __future__ import annotations

import re
from typing import Any

import pytest

from atende_core.identity import Role
from atende_testing.tokens import TokenIssuer

pytestmark = pytest.mark.integration


async def test_swagger_ui_is_local_csp_clean_and_the_document_needs_a_token(
    gateway: Any, token_issuer: TokenIssuer
) -> None:
    async with gateway() as client:
        page = await client.get("/console/api-docs")
        assets = {src: await client.get(src) for src in re.findall(r'(?:src|href)="(/[^"]+)"', page.text)}
        anonymous = await client.get("/openapi.json")
        viewer = {"Authorization": f"Bearer {token_issuer.mint('vera', Role.VIEWER)}"}
        document = await client.get("/openapi.json", headers=viewer)

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    # Every script and stylesheet is a file of this origin: nothing inline, nothing from elsewhere.
    assert "http://" not in page.text
    assert "https://" not in page.text
    assert "//cdn" not in page.text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text)
    assert "<style" not in page.text
    assert "style=" not in page.text
    assert set(assets) == {
        "/console/api-docs/vendor/swagger-ui.css",
        "/console/api-docs/static/api-docs.css",
        "/console/",
        "/console/api-docs/vendor/swagger-ui-bundle.js",
        "/console/api-docs/static/api-docs.js",
    }
    for src, answer in assets.items():
        if src != "/console/":  # the console itself (another module) is only linked to
            assert answer.status_code == 200, src
    assert "SwaggerUIBundle" in assets["/console/api-docs/vendor/swagger-ui-bundle.js"].text
    assert assets["/console/api-docs/vendor/swagger-ui.css"].headers["content-type"].startswith("text/css")
    init = assets["/console/api-docs/static/api-docs.js"].text
    assert 'url: "/openapi.json"' in init
    assert "Authorization" in init
    assert anonymous.status_code == 401
    assert document.status_code == 200
    paths = document.json()["paths"]
    assert {"/operator/templates", "/operator/canned-answers", "/operator/conversations/{conversation_id}/template",
            "/operator/conversations/{conversation_id}/attachments"} <= set(paths)  # fmt: skip
    assert "multipart/form-data" in paths["/operator/conversations/{conversation_id}/attachments"]["post"][
        "requestBody"]["content"]  # fmt: skip
