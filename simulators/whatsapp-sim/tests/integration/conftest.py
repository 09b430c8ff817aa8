"""Real servers on free 127.0.0.1 ports: the simulator, and a webhook receiver standing in for the gateway."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from atende_sim_whatsapp.app import create_app
from atende_sim_whatsapp.settings import SimSettings

TOKEN = "test-token-123456"
APP_SECRET = "test-app-secret"
PNID = "106540352242922"
WABA = "102290129340398"
VERSION = "v25.0"
# Building an SSL context costs ~0.2 s; every client here talks plain HTTP, so build it once.
SSL_CONTEXT = ssl.create_default_context()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerThread:
    """Run an ASGI app with uvicorn in a background thread (its own event loop)."""

    def __init__(self, app: Any, port: int) -> None:
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class Received:
    """One POST the receiver got: headers and the exact raw bytes."""

    path: str
    headers: dict[str, str]
    raw: bytes


@dataclass
class Receiver:
    """Records webhook POSTs; answers with queued status codes (then 200)."""

    url: str = ""
    items: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> Starlette:
        async def hook(request: Request) -> PlainTextResponse:
            raw = await request.body()
            with self.lock:
                self.items.append(Received(request.url.path, dict(request.headers), raw))
                status = self.statuses.pop(0) if self.statuses else 200
            return PlainTextResponse("ok" if status == 200 else "nope", status_code=status)

        return Starlette(routes=[Route("/hook", hook, methods=["POST"]), Route("/other", hook, methods=["POST"])])

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.statuses.clear()

    def snapshot(self) -> list[Received]:
        with self.lock:
            return list(self.items)


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    port = _free_port()
    rec.url = f"http://127.0.0.1:{port}/hook"
    with ServerThread(rec.app(), port):
        yield rec


@pytest.fixture(scope="session")
def sim_url(receiver: Receiver) -> Iterator[str]:
    port = _free_port()
    settings = SimSettings(
        whatsapp_access_token=TOKEN,
        whatsapp_app_secret=APP_SECRET,
        whatsapp_phone_number_id=PNID,
        whatsapp_business_account_id=WABA,
        whatsapp_sim_port=port,
        whatsapp_sim_webhook_url=receiver.url,
        whatsapp_sim_status_sent_delay_s=0.05,
        whatsapp_sim_status_delivered_delay_s=0.1,
        whatsapp_sim_status_read_delay_s=0.15,
        whatsapp_sim_webhook_backoff_s=0.05,
        whatsapp_sim_webhook_max_attempts=4,
        whatsapp_sim_template_approval_delay_s=0.2,
    )
    with ServerThread(create_app(settings), port):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(autouse=True)
def _reset(request: pytest.FixtureRequest) -> None:
    """Start every integration test from a clean simulator and receiver."""
    if "sim_url" not in request.fixturenames:
        return
    sim_url = request.getfixturevalue("sim_url")
    # Reset first (it waits for the simulator's background deliveries to stop), then clear the receiver.
    httpx.post(f"{sim_url}/_sim/reset", verify=SSL_CONTEXT).raise_for_status()
    request.getfixturevalue("receiver").clear()


@pytest.fixture
async def graph(sim_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client for the Graph API, authenticated like the connector."""
    async with httpx.AsyncClient(
        base_url=f"{sim_url}/{VERSION}",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
        verify=SSL_CONTEXT,
    ) as client:
        yield client


@pytest.fixture
async def control(sim_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client for the simulator's own endpoints."""
    async with httpx.AsyncClient(base_url=sim_url, timeout=10, verify=SSL_CONTEXT) as client:
        yield client


Waiter = Callable[[Callable[[], Any], float], Awaitable[Any]]


@pytest.fixture
def wait_until() -> Waiter:
    """Bounded polling: wait until ``probe()`` returns something truthy (sync or async probe)."""

    async def wait(probe: Callable[[], Any], limit_s: float = 5.0) -> Any:
        deadline = time.monotonic() + limit_s
        while True:
            value = probe()
            if asyncio.iscoroutine(value):
                value = await value
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            await asyncio.sleep(0.02)

    return wait


@pytest.fixture
def open_window(control: httpx.AsyncClient) -> Callable[[str], Awaitable[None]]:
    """Open a customer's 24-hour window without sending a webhook."""

    async def _open(phone: str) -> None:
        (await control.post("/_sim/window", json={"phone": phone, "open": True})).raise_for_status()

    return _open
