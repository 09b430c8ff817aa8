"""Run ASGI apps (services, simulators) on free loopback ports inside the test's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import uvicorn

if TYPE_CHECKING:
    from atende_testing.tls import TlsFiles

log = logging.getLogger(__name__)
# Uvicorn's graceful shutdown (10 s) plus the app's own shutdown hooks (a bus stops within 20 s).
STOP_TIMEOUT_S = 45.0


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def running_server(app: Any, *, port: int | None = None, tls: TlsFiles | None = None) -> AsyncIterator[str]:
    """Serve `app` with uvicorn (lifespan on) and yield its base URL (https with `tls`); stop it on exit."""
    port = port or free_port()
    # Bounded shutdown: a request still open when the test ends must not hold the whole run.
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=10,
        proxy_headers=False,  # as in production (atende_core.service): the app decides whom to trust
        ssl_certfile=str(tls.cert_file) if tls else None,
        ssl_keyfile=str(tls.key_file) if tls else None,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("server stopped during start-up")
            await asyncio.sleep(0.01)
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        done, _ = await asyncio.wait({task}, timeout=STOP_TIMEOUT_S)
        if done:
            task.result()
        else:
            # A shutdown hook that never returns must not hold the whole test run: abandon it, loudly.
            server.force_exit = True
            task.cancel()
            log.error("server on port %d did not stop within %.0f s; abandoned", port, STOP_TIMEOUT_S)


# The INTERNAL_API_TOKEN tests give services, and the header that presents it (/metrics, internal routes).
INTERNAL_TOKEN = "test-internal-token"  # noqa: S105 - a test value, never deployed
INTERNAL_HEADERS = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}


@asynccontextmanager
async def running_internal(app: Any) -> AsyncIterator[str]:
    """Serve a service's internal app (`app.internal_app`: health, readiness, metrics) and yield its URL;
    it runs next to the public server, which owns the lifespan."""
    internal = getattr(app, "internal_app", None)
    if internal is None:
        raise TypeError("this app has no internal_app")
    async with running_server(internal) as url:
        yield url


@contextlib.contextmanager
def serving_in_thread(*apps: Any) -> Iterator[list[str]]:
    """Serve ASGI apps (lifespan on) from one background thread with its own event loop, for
    synchronous callers (e.g. schemathesis' generated cases); yields their base URLs."""
    loop = asyncio.new_event_loop()
    stack = contextlib.AsyncExitStack()
    ready = threading.Event()
    urls: list[str] = []

    async def start() -> None:
        for app in apps:
            urls.append(await stack.enter_async_context(running_server(app)))

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        ready.set()
        loop.run_forever()
        loop.run_until_complete(stack.aclose())
        loop.close()

    thread = threading.Thread(target=serve, name="test-servers", daemon=True)
    thread.start()
    if not ready.wait(timeout=STOP_TIMEOUT_S):
        raise RuntimeError("servers did not start")
    try:
        yield urls
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=STOP_TIMEOUT_S)
