"""Fixtures: the SGP simulator over a socket, the adapter configured against it, and Redis.

The shared Redis comes from ``atende_testing`` (``REDIS_URL``); tests that stop Redis start their own
``redis-server`` on a free port so they can kill it.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from atende_sgp_adapter.adapters.cache import CachedBillingSystem
from atende_sgp_adapter.adapters.sgp import SgpBillingSystem
from atende_sgp_adapter.settings import Settings
from atende_sim_sgp.server import running_simulator
from atende_sim_sgp.settings import SimSettings
from atende_testing import free_port, wait_until

TOKEN = "it-token"
APP = "Atende"


@dataclass
class Sim:
    """Admin handle on the running simulator."""

    url: str
    admin: httpx.Client

    def faults(self, **faults: Any) -> None:
        self.admin.post("/_sim/faults", json=faults).raise_for_status()

    def requests(self, path: str) -> list[dict[str, Any]]:
        return list(self.admin.get("/_sim/requests", params={"path": path}).json())

    def count(self, path: str) -> int:
        return len(self.requests(path))

    def contract(self, contract_id: int | str) -> dict[str, Any]:
        return dict(self.admin.get(f"/_sim/contracts/{contract_id}").json())


@pytest.fixture(scope="session")
def sim_url() -> Iterator[str]:
    with running_simulator(SimSettings(sgp_token=TOKEN, sgp_app=APP, sgp_sim_timeout_hold_s=3)) as url:
        yield url


@pytest.fixture
def sim(sim_url: str) -> Iterator[Sim]:
    with httpx.Client(base_url=sim_url, timeout=30) as admin:
        admin.post("/_sim/reset").raise_for_status()
        yield Sim(sim_url, admin)
        admin.post("/_sim/faults", json={"mode": "ok", "latency_ms": 0, "error_rate": 0})


@pytest.fixture
def make_settings(sim: Sim) -> Callable[..., Settings]:
    prefix = f"t{uuid.uuid4().hex[:10]}:"

    def build(**overrides: Any) -> Settings:
        options: dict[str, Any] = {
            "sgp_base_url": sim.url,
            "sgp_token": TOKEN,
            "sgp_app": APP,
            "sgp_read_timeout_s": 2.0,
            "sgp_read_retries": 1,
            "sgp_retry_max_wait_s": 0.05,
            "sgp_breaker_threshold": 3,
            "sgp_breaker_reset_s": 0.5,
            "cache_key_prefix": prefix,
            "cache_hash_key": "test-hash-key",
            "cache_redis_retry_after_s": 0.2,
        }
        options.update(overrides)
        return Settings(**options)

    return build


@pytest.fixture
async def make_sgp(make_settings: Callable[..., Settings]) -> AsyncIterator[Callable[..., SgpBillingSystem]]:
    built: list[SgpBillingSystem] = []

    def build(**overrides: Any) -> SgpBillingSystem:
        client = SgpBillingSystem.from_settings(make_settings(**overrides))
        built.append(client)
        return client

    yield build
    for client in built:
        await client.aclose()


@pytest.fixture
async def sgp(make_sgp: Callable[..., SgpBillingSystem]) -> SgpBillingSystem:
    return make_sgp()


@pytest.fixture
async def make_cached(
    make_sgp: Callable[..., SgpBillingSystem], make_settings: Callable[..., Settings]
) -> AsyncIterator[Callable[..., CachedBillingSystem]]:
    """A cache replica: its own SGP client in front of the given Redis client."""
    built: list[CachedBillingSystem] = []

    def build(redis: Redis | None, **overrides: Any) -> CachedBillingSystem:
        cache = CachedBillingSystem.from_settings(make_sgp(**overrides), redis, make_settings(**overrides))
        built.append(cache)
        return cache

    yield build
    for cache in built:
        await cache.aclose()


@dataclass
class RedisServer:
    """A private redis-server process this test may stop, pause and resume."""

    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)

    def pause(self) -> None:
        self.process.send_signal(19)  # SIGSTOP: Redis hangs, sockets time out

    def resume(self) -> None:
        self.process.send_signal(18)  # SIGCONT


def _start_redis(binary: str, port: int, directory: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - fixed binary and arguments
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture
async def private_redis(tmp_path: Any) -> AsyncIterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    server = RedisServer(port, _start_redis(binary, port, str(tmp_path)))
    probe = Redis.from_url(server.url)

    async def answers() -> bool:
        try:
            return bool(await probe.ping())
        except (RedisError, OSError):
            return False

    await wait_until(answers, timeout=10)
    await probe.aclose()
    yield server
    if server.process.poll() is None:
        server.resume()
        server.stop()
