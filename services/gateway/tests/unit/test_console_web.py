"""The web console's static files: served at /console/ under the HTML CSP (scripts, styles and
connections from 'self' only), and written so that policy holds (no inline script or style, no HTML
built from strings)."""

import re

import httpx
import pytest
from fastapi import FastAPI

from atende_core.http_security import HTML_CSP, SecurityHeaders
from atende_gateway.console import web

pytestmark = pytest.mark.unit


def _client() -> httpx.AsyncClient:
    api = FastAPI()
    web.mount(api)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=SecurityHeaders(api)), base_url="http://gateway")


async def test_the_console_is_served_under_the_html_policy() -> None:
    async with _client() as client:
        moved = await client.get("/console")
        assert (moved.status_code, moved.headers["location"]) == (308, "/console/")
        page = await client.get("/console/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["content-security-policy"] == HTML_CSP
        assert page.headers["x-frame-options"] == "DENY"
        assert '<script type="module" src="js/app.js">' in page.text
        script = await client.get("/console/js/app.js")
        assert script.status_code == 200
        assert "javascript" in script.headers["content-type"]
        assert (await client.get("/console/app.css")).headers["content-type"].startswith("text/css")
        assert (await client.get("/console/../app.py")).status_code == 404
        assert (await client.get("/console/%2e%2e/web.py")).status_code == 404


def test_no_inline_script_or_style_and_no_html_from_strings() -> None:
    html = list(web.STATIC.rglob("*.html"))
    scripts = list(web.STATIC.rglob("*.js"))
    assert html
    assert scripts
    for page in html:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), page
        assert "<style" not in text, page
        assert " style=" not in text, page
        assert re.search(r"\son[a-z]+=", text) is None, page
    for script in scripts:
        text = script.read_text(encoding="utf-8")
        for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert forbidden not in text, (script, forbidden)
        assert 'setAttribute("style"' not in text, script
        # Same origin only: nothing loaded from elsewhere (the SVG namespace is a name, not an address).
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg\b)", text), script
