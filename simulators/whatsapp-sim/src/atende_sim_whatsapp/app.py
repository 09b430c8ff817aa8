"""Composition root: ``create_app`` wires settings, the simulator and the routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from .api import chat, control, graph
from .settings import SimSettings
from .simulator import Simulator

logger = logging.getLogger(__name__)


def create_app(settings: SimSettings | None = None, *, http_client: httpx.AsyncClient | None = None) -> FastAPI:
    """Build the simulator app; ``http_client`` is used for webhooks and media links (tests may pass one)."""
    settings = settings or SimSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = http_client or httpx.AsyncClient()
        app.state.sim = Simulator(settings, http_client=client)
        logger.info(
            "whatsapp simulator ready",
            extra={"webhook_url": settings.whatsapp_sim_webhook_url, "port": settings.whatsapp_sim_port},
        )
        try:
            yield
        finally:
            await app.state.sim.aclose()
            if http_client is None:
                await client.aclose()

    app = FastAPI(title="Atende WhatsApp Cloud API simulator", version="0.1.0", lifespan=lifespan)
    # Order matters: /_sim and the page first, so the Graph catch-all /{version}/{id} never shadows them.
    app.include_router(control.router)
    app.include_router(chat.router)
    app.include_router(graph.router)
    return app
