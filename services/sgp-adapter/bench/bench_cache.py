"""SGP cache benchmark: a standard conversation mix over the simulator's synthetic base.

It starts the SGP simulator (``python -m atende_sim_sgp``) as a subprocess with a fixed SGP latency,
uses the Redis at ``REDIS_URL`` (or starts a private ``redis-server`` when it is unset), and plays a
peak hour of conversations compressed in time: arrivals are Poisson, customers are drawn with
Zipf-like popularity, every conversation identifies the customer by CPF and then reads invoices,
PIX, connection status and outages several times; a few register a payment promise or open a ticket
(writes that invalidate the customer's keys). Cache TTLs are divided by the same time-compression
factor, so expiry happens as it would in real time. The cache starts empty; conversations that
start in the first half of the window warm it up and are not measured (``sgp_cache_hit_rate`` is
the steady state; ``sgp_cache_hit_rate_with_cold_start`` counts every lookup). Read-aheads are the
cache's own loads, not lookups: they are excluded from the hit rate but included in
``sgp_bench_sgp_calls_per_conversation`` (every request the simulator received, writes included).

Prints a summary on stderr and one JSON line on stdout: sgp_cache_hit_rate, sgp_cached_p50_ms,
sgp_cached_p99_ms, sgp_uncached_p50_ms, sgp_uncached_p99_ms (plus counts).
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import itertools
import json
import logging
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from redis.asyncio import Redis

from atende_sgp_adapter.adapters.cache import CachedBillingSystem
from atende_sgp_adapter.adapters.sgp import SgpBillingSystem
from atende_sgp_adapter.domain import Customer, TicketRequest
from atende_sgp_adapter.errors import BillingError
from atende_sgp_adapter.settings import Settings
from atende_sim_sgp.base import SgpBase

logger = logging.getLogger("bench_cache")
TOKEN = "bench-token"  # noqa: S105 - the simulator's credential for this run
APP = "AtendeBench"
SEED = 20_260_101
READ_FAMILIES = ("customer", "invoices", "pix", "connection", "outages")
# Conversations that start during the warm-up part of the window are played but not measured.
MEASURED: contextvars.ContextVar[bool] = contextvars.ContextVar("measured", default=False)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float) -> None:
    """Poll ``url`` until it answers 200 (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


@dataclass
class Stats:
    """Per-lookup observations from the cache's observer hook."""

    results: dict[str, int] = field(default_factory=dict)
    cold_results: dict[str, int] = field(default_factory=dict)
    by_family: dict[str, dict[str, int]] = field(default_factory=dict)
    cached_ms: list[float] = field(default_factory=list)
    uncached_ms: list[float] = field(default_factory=list)
    errors: int = 0
    writes: int = 0

    def observe(self, family: str, result: str, seconds: float) -> None:
        # Read-aheads are the cache's own loads, not lookups a conversation made.
        if family not in READ_FAMILIES or result.startswith("prefetch_"):
            return
        self.cold_results[result] = self.cold_results.get(result, 0) + 1
        if not MEASURED.get():
            return
        self.results[result] = self.results.get(result, 0) + 1
        family_results = self.by_family.setdefault(family, {})
        family_results[result] = family_results.get(result, 0) + 1
        if result in ("hit", "negative_hit"):
            self.cached_ms.append(seconds * 1000)
        elif result in ("miss", "bypass"):
            self.uncached_ms.append(seconds * 1000)


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile (1..99) of ``values``."""
    if len(values) < 2:
        return round(values[0], 3) if values else 0.0
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1], 3)


class Mix:
    """The standard conversation mix."""

    def __init__(self, cache: CachedBillingSystem, documents: list[str], args: argparse.Namespace) -> None:
        self.cache = cache
        self.args = args
        self.rng = random.Random(args.seed)
        ranked = documents[:]
        self.rng.shuffle(ranked)
        weights = [1 / (rank**args.zipf_s) for rank in range(1, len(ranked) + 1)]
        self.documents = ranked
        self.cum_weights = list(itertools.accumulate(weights))
        self.stats = Stats()
        self.request_ids = itertools.count()

    async def gap(self) -> None:
        # 15-45 s between customer turns in real time, compressed like the TTLs.
        await asyncio.sleep(self.rng.uniform(15, 45) / self.args.time_scale)

    async def conversation(self, start_at: float, t0: float, *, measured: bool) -> None:
        MEASURED.set(measured)
        await asyncio.sleep(max(0.0, t0 + start_at - time.monotonic()))
        rng = self.rng
        document = rng.choices(self.documents, cum_weights=self.cum_weights)[0]
        try:
            customer = await self.cache.find_customer(document)
            if customer is None:
                return
            contract = rng.choice(customer.contracts)
            await self.gap()
            intent = rng.random()
            if intent < 0.55:
                await self.bill_copy(contract.contract_id)
            elif intent < 0.80:
                await self.no_connection(contract.contract_id, contract.pop_id)
            elif intent < 0.90:
                await self.promise(customer, contract.contract_id, document)
            else:
                await self.ticket(contract.contract_id)
            if rng.random() < 0.3:  # the customer comes back to the menu: identified again
                await self.gap()
                await self.cache.find_customer(document)
        except BillingError:
            self.stats.errors += 1

    async def bill_copy(self, contract_id: str) -> None:
        invoices = await self.cache.list_open_invoices(contract_id)
        if invoices and invoices[0].pix_copy_paste is None:
            await self.cache.get_pix(contract_id, invoices[0].invoice_id)
        for _ in range(self.rng.randint(1, 2)):  # "qual o valor?", "manda de novo"
            await self.gap()
            await self.cache.list_open_invoices(contract_id)

    async def no_connection(self, contract_id: str, pop_id: str | None) -> None:
        for _ in range(self.rng.randint(2, 3)):  # check, guided steps, check again
            await self.cache.connection_status(contract_id)
            await self.cache.active_outages(pop_id)
            await self.gap()

    async def promise(self, customer: Customer, contract_id: str, document: str) -> None:
        await self.cache.list_open_invoices(contract_id)
        await self.gap()
        await self.cache.request_payment_promise(contract_id)
        self.stats.writes += 1
        await self.gap()
        await self.cache.find_customer(document)

    async def ticket(self, contract_id: str) -> None:
        await self.cache.connection_status(contract_id)
        await self.gap()
        await self.cache.open_ticket(contract_id, TicketRequest(text="Atendimento via benchmark"))
        self.stats.writes += 1


async def run(args: argparse.Namespace, sim_url: str, redis_url: str, documents: list[str]) -> dict[str, Any]:
    scale = args.time_scale
    settings = Settings(
        sgp_base_url=sim_url,
        sgp_token=TOKEN,
        sgp_app=APP,
        sgp_max_connections=32,
        cache_key_prefix=f"bench{uuid.uuid4().hex[:8]}:",
        cache_hash_key="bench-hash-key",
    )
    settings = settings.model_copy(
        update={
            name: getattr(settings, name) / scale
            for name in (
                "cache_ttl_customer_s",
                "cache_ttl_not_found_s",
                "cache_ttl_invoices_s",
                "cache_ttl_pix_s",
                "cache_ttl_connection_s",
                "cache_ttl_outages_s",
            )
        }
    )
    redis = Redis.from_url(redis_url, socket_timeout=settings.redis_socket_timeout_s * 4)
    sgp = SgpBillingSystem.from_settings(settings)
    cache = CachedBillingSystem.from_settings(sgp, redis, settings)
    mix = Mix(cache, documents, args)
    cache._observer = mix.stats.observe  # the hook the constructor also accepts
    window = args.window_s / scale
    warmup = window * args.warmup_fraction
    conversations = round(args.rate_per_hour * args.window_s / 3600)
    arrival_rng = random.Random(args.seed + 1)
    starts = sorted(arrival_rng.uniform(0, window) for _ in range(conversations))
    measured = sum(1 for s in starts if s >= warmup)
    t0 = time.monotonic()
    try:
        await asyncio.gather(*(mix.conversation(s, t0, measured=s >= warmup) for s in starts))
        elapsed = time.monotonic() - t0
    finally:
        await cache.aclose()
        async for key in redis.scan_iter(f"{settings.cache_key_prefix}*", count=1000):
            await redis.delete(key)
        await redis.aclose()
        await sgp.aclose()
    async with httpx.AsyncClient(base_url=sim_url) as admin:
        records = (await admin.get("/_sim/requests", params={"limit": 1_000_000})).json()
    sgp_calls = sum(1 for r in records if str(r["path"]).startswith("/api/"))
    stats = mix.stats

    def hit_rate(results: dict[str, int]) -> float:
        total = sum(results.values())
        loads = results.get("miss", 0) + results.get("bypass", 0)
        return round(1 - loads / total, 4) if total else 0.0

    lookups = sum(stats.cold_results.values())
    logger.info(
        "conversations=%d lookups=%d sgp_calls=%d measured=%s writes=%d errors=%d elapsed=%.1fs (simulated %.0f min)",
        conversations,
        lookups,
        sgp_calls,
        stats.results,
        stats.writes,
        stats.errors,
        elapsed,
        args.window_s / 60,
    )
    logger.info("by family: %s", stats.by_family)
    return {
        "sgp_cache_hit_rate": hit_rate(stats.results),
        "sgp_cache_hit_rate_with_cold_start": hit_rate(stats.cold_results),
        "sgp_cached_p50_ms": percentile(stats.cached_ms, 50),
        "sgp_cached_p99_ms": percentile(stats.cached_ms, 99),
        "sgp_uncached_p50_ms": percentile(stats.uncached_ms, 50),
        "sgp_uncached_p99_ms": percentile(stats.uncached_ms, 99),
        "sgp_bench_conversations": conversations,
        "sgp_bench_measured_conversations": measured,
        "sgp_bench_lookups_per_conversation": round(lookups / conversations, 2),
        "sgp_bench_sgp_calls_per_conversation": round(sgp_calls / conversations, 2),
        "sgp_bench_sgp_latency_ms": args.sgp_latency_ms,
        "sgp_bench_errors": stats.errors,
    }


def main() -> int:
    """Start the simulator (and Redis if needed), run the mix, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate-per-hour", type=float, default=1000, help="conversations per simulated hour")
    parser.add_argument("--window-s", type=float, default=7200.0, help="simulated traffic window (real seconds)")
    parser.add_argument("--warmup-fraction", type=float, default=0.5, help="first part of the window not measured")
    parser.add_argument("--time-scale", type=float, default=60.0, help="real time / bench time (TTLs too)")
    parser.add_argument("--zipf-s", type=float, default=1.0, help="popularity skew of customers")
    parser.add_argument("--sgp-latency-ms", type=int, default=100, help="latency the simulator adds per call")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s: %(message)s")
    logger.setLevel(logging.INFO)

    today = date.today()
    documents = list(SgpBase(seed=SEED, customers=10_000, today=today).by_document)
    port = free_port()
    env = {
        **os.environ,
        "SGP_SIM_PORT": str(port),
        "SGP_TOKEN": TOKEN,
        "SGP_APP": APP,
        "SGP_SIM_SEED": str(SEED),
        "SGP_SIM_TODAY": today.isoformat(),
    }
    processes: list[subprocess.Popen[bytes]] = []
    tmp = tempfile.mkdtemp(prefix="bench-redis-")
    try:
        sim = subprocess.Popen(
            [sys.executable, "-m", "atende_sim_sgp"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        processes.append(sim)
        redis_url = os.environ.get("REDIS_URL", "")
        if not redis_url:
            redis_port = free_port()
            binary = shutil.which("redis-server") or "redis-server"
            processes.append(
                subprocess.Popen(
                    [binary, "--port", str(redis_port), "--save", "", "--appendonly", "no", "--dir", tmp],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            redis_url = f"redis://127.0.0.1:{redis_port}/0"
            logger.info("REDIS_URL unset: started a private redis-server on port %d", redis_port)
        sim_url = f"http://127.0.0.1:{port}"
        wait_http(f"{sim_url}/_sim/healthz", timeout=60)
        httpx.post(f"{sim_url}/_sim/faults", json={"latency_ms": args.sgp_latency_ms}).raise_for_status()
        figures = asyncio.run(run(args, sim_url, redis_url, documents))
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    logger.info("%s", json.dumps(figures))
    sys.stdout.write(json.dumps(figures) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
