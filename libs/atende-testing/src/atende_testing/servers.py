"""Run ASGI apps (services, simulators) on free loopback ports inside the test's event loop."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
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
