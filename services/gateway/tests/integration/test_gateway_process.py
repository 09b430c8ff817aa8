"""The `atende-gateway` process: one process, two listeners (public and internal), stopped by SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import httpx
import pytest

from atende_testing import free_port, wait_until

pytestmark = pytest.mark.integration


async def test_public_port_has_no_health_routes_and_the_internal_port_has_them(
    kafka_bootstrap_servers: str, redis_url: str, topic_prefix: str
) -> None:
    public_port, internal_port = free_port(), free_port()
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap_servers,
        "REDIS_URL": redis_url,
        "KAFKA_TOPIC_PREFIX": topic_prefix,
        "GATEWAY_PORT": str(public_port),
        "GATEWAY_INTERNAL_PORT": str(internal_port),
        "INTERNAL_API_TOKEN": "process-test-token",
        "AUTH_URL": f"http://127.0.0.1:{free_port()}",  # nobody there: every token is refused
        "LOG_LEVEL": "WARNING",
    }
    executable = Path(sys.executable).with_name("atende-gateway")
    process = await asyncio.create_subprocess_exec(str(executable), env=env)
    try:
        async with httpx.AsyncClient(timeout=5) as client:

            async def ready() -> bool:
                assert process.returncode is None, "the gateway exited"
                try:
                    return (await client.get(f"http://127.0.0.1:{internal_port}/readyz")).status_code == 200
                except httpx.HTTPError:
                    return False

            await wait_until(ready, timeout=60, interval=0.2)
            public = f"http://127.0.0.1:{public_port}"
            for path in ("/healthz", "/readyz", "/metrics"):
                assert (await client.get(public + path)).status_code == 404
            assert (await client.get(f"{public}/operator/handoffs")).status_code == 401
            internal = f"http://127.0.0.1:{internal_port}"
            assert (await client.get(f"{internal}/metrics")).status_code == 401
            metrics = await client.get(f"{internal}/metrics", headers={"Authorization": "Bearer process-test-token"})
            assert "atende_gateway_webhook_requests_total" in metrics.text
            # The internal listener serves nothing public.
            assert (await client.get(f"{internal}/operator/handoffs")).status_code == 404
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), timeout=30)
    assert code in (0, -signal.SIGTERM)
