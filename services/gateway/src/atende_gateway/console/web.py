"""The web console for agents: static files (ES modules and CSS, no build step) served at /console/.

The app talks to the operator API and the `/auth/*` proxy on the same origin, so the HTML CSP of
atende_core.http_security (scripts, styles and connections from 'self' only) is all it needs.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).with_name("static")
PATH = "/console"


def mount(api: FastAPI) -> None:
    """Serve the console at `/console/` (and send `/console` there)."""

    @api.get(PATH, include_in_schema=False)
    async def console_root() -> RedirectResponse:
        return RedirectResponse(f"{PATH}/", status_code=308)

    api.mount(f"{PATH}/", StaticFiles(directory=STATIC, html=True), name="console")
