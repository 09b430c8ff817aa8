"""Run the real Gemini simulator with uvicorn on a free 127.0.0.1 port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import uvicorn

from atende_sim_gemini.app import create_app
from atende_sim_gemini.settings import SimSettings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def gemini_sim_url() -> Iterator[str]:
    """Base URL of a simulator running in a background thread for the whole session."""
    port = _free_port()
    config = uvicorn.Config(
        create_app(SimSettings(port=port, delay_s=2.0)),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            msg = "gemini simulator did not start"
            raise RuntimeError(msg)
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
async def sim(gemini_sim_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """Admin client for the simulator, reset to normal mode with no recorded requests."""
    async with httpx.AsyncClient(base_url=gemini_sim_url, timeout=5) as client:
        (await client.post("/_sim/mode", json={"mode": "normal", "delay_s": 2.0})).raise_for_status()
        (await client.delete("/_sim/requests")).raise_for_status()
        yield client
        (await client.post("/_sim/mode", json={"mode": "normal"})).raise_for_status()
