"""`make dev` (scripts/dev.py) as a person runs it: their own settings win over the development
defaults, Ctrl-C stops everything, and starting it again at once on the same ports works.

The shared infrastructure comes through KAFKA_BOOTSTRAP_SERVERS/REDIS_URL/MONGODB_URI, so the
launcher starts no infrastructure of its own; every simulator and service is a real process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from atende_core.stores import mongo_client
from atende_testing import free_port, wait_until
from atende_testing.platform import DEV_SECRETS, PROGRAMS

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
CUSTOM_VERIFY_TOKEN = "my-own-meta-test-app-verify-token"


@pytest.fixture
async def mongodb_database(mongodb_uri: str) -> AsyncIterator[str]:
    name = f"test_{uuid.uuid4().hex[:12]}"
    yield name
    client = mongo_client(mongodb_uri)
    await client.drop_database(name)
    await client.close()


class Launcher:
    """One `python scripts/dev.py` process, its output in a file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self._log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own launcher script
                [sys.executable, str(ROOT / "scripts" / "dev.py")],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )

    def output(self) -> str:
        return self._log.read_text(errors="replace")

    async def wait_running(self) -> None:
        def started() -> bool:
            assert self.process.poll() is None, "dev.py exited:\n" + self.output()[-3000:]
            return "Ctrl-C stops everything." in self.output()

        await wait_until(started, timeout=300, interval=0.5)
        assert "NOT READY" not in self.output(), self.output()[-3000:]

    def interrupt(self) -> int:
        """Ctrl-C, as the terminal sends it; the exit code."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=120)


async def handshake(gateway: str, token: str) -> httpx.Response:
    params = {"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "4242"}
    async with httpx.AsyncClient(base_url=gateway, timeout=10) as client:
        return await client.get("/webhooks/whatsapp", params=params)


async def test_make_dev_honours_overrides_and_restarts_at_once_after_ctrl_c(
    tmp_path: Path,
    kafka_bootstrap_servers: str,
    redis_url: str,
    mongodb_uri: str,
    topic_prefix: str,
    mongodb_database: str,
) -> None:
    ports = {name: free_port() for name in PROGRAMS}
    env = {k: v for k, v in os.environ.items() if k != "ENVIRONMENT"}  # make dev sets it itself
    env.update({PROGRAMS[name].port_variable: str(port) for name, port in ports.items()})
    env.update(
        KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap_servers,
        REDIS_URL=redis_url,
        MONGODB_URI=mongodb_uri,
        KAFKA_TOPIC_PREFIX=topic_prefix,
        MONGODB_DATABASE=mongodb_database,
        WHATSAPP_VERIFY_TOKEN=CUSTOM_VERIFY_TOKEN,
        ATENDE_DEV_RUN_DIR=str(tmp_path / "run"),
        LOG_LEVEL="WARNING",
    )
    gateway = f"http://127.0.0.1:{ports['gateway']}"
    timings: dict[str, float] = {}

    for run in ("first", "restart"):
        started = time.monotonic()
        launcher = Launcher(env, tmp_path / f"dev-{run}.log")
        try:
            await launcher.wait_running()
            timings[run] = time.monotonic() - started
            assert f"gateway              {gateway}" in launcher.output()
            # The person's verify token is the gateway's; the development default no longer is.
            accepted = await handshake(gateway, CUSTOM_VERIFY_TOKEN)
            assert (accepted.status_code, accepted.text) == (200, "4242")
            refused = await handshake(gateway, DEV_SECRETS["WHATSAPP_VERIFY_TOKEN"])
            assert refused.status_code == 403
        finally:
            if launcher.process.poll() is None:
                assert launcher.interrupt() == 0, launcher.output()[-3000:]
        assert "stopping..." in launcher.output()
        # Every program it started has stopped: nothing answers on their ports any more.
        async with httpx.AsyncClient(timeout=2) as client:
            for port in ports.values():
                with pytest.raises(httpx.ConnectError):
                    await client.get(f"http://127.0.0.1:{port}/")
    # Reported by `pytest --durations`; printed here for the log of a failing run.
    sys.stderr.write(f"make dev ready after {timings['first']:.1f} s, again after {timings['restart']:.1f} s\n")
