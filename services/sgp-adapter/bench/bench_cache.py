"""SGP cache benchmark: the standard mix over the simulator's synthetic base.

It starts the SGP simulator (``python -m atende_sim_sgp``) as a subprocess with a fixed SGP latency,
uses the Redis at ``REDIS_URL`` (or starts a private ``redis-server`` when it is unset), and plays a
peak window (two hours, compressed in time; cache TTLs are divided by the same factor, so expiry
happens as it would in real time). The cache starts empty; the first half of the window warms it
and is not measured. The compression is 30x: at 60x this one process (the cache and the SGP client
of a whole peak hour) ran out of CPU when the campaign's replies came in, and its queueing, not SGP,
set the latencies (uncached p50 4 s).

Standard mix: two kinds of traffic in the same peak window. Each conversation makes the SGP
requests the conversation service makes for its flow (services/conversation, domain/actions.py), in
that order, with 15-45 s (compressed) between the customer's turns.

(a) Organic conversations: Poisson arrivals at ``--rate-per-hour`` over the whole window, customers
    drawn with Zipf-like popularity. The conversation starts: the adapter warms the cache for the
    WhatsApp number the customer writes from (``--registered-phone-share`` of them, 80 %, an
    assumption, write from the number registered in SGP; the others cost one phone search that finds
    nobody). The customer names a topic, is asked for the CPF and types it a turn later
    (``lookup_customer``); several contracts add a turn to choose one. Topics: bill copy 55 %
    (``list_open_invoices``, the PIX when the list lacks it; 20 % ask for it again), no connection 25 %
    and slow connection 10 % (``check_connection``: the contract's owner, its status and the outages;
    two or three guided steps; half still need help and get a ticket, a write that invalidates the
    customer's keys), payment promise 10 % (a confirmation turn, then the promise, also a write).
    30 % then go back to the menu for a second topic; the conversation remembers the customer, so no
    second lookup.
(b) A billing-campaign wave at the start of the measured hour. The campaign-scheduler reads the
    audience "bills due in 3 days" through ``list_due_invoices`` (pages of 1000). Every SGP call of
    that read (titulos and clientes) counts as a load, i.e. a miss, in the figures. The read writes
    through each bill's PIX, and a contract's open invoices when the audience proved the list
    complete. Then ``--campaign-reply-share`` of the audience's contracts reply. Their delays after the
    send are exponential, mean ``--campaign-reply-mean-min``, cut at 60 min. Sends are taken as
    immediate: at 80 msg/s, ~2,000 templates go out in under a minute. The reply comes from the mobile
    the template went to, so the conversation's start warms the cache by that number. A reply is one of:
    the bill button 65 % (CPF, then the bill copy as above), "já paguei" 25 % (the bot explains
    clearing times: no SGP request), payment promise 10 % (CPF, confirmation, promise).

Assumptions (not measurements): 30 % of the audience replies, the middle of the 25-35 % the
product team expects; the mean reply delay is 15 min. The simulator bills on days 5/10/15/20/25, so
its "today" is pinned to the next day that has bills due 3 days later (about 1,850 bills).
The audience read runs with the simulator's added latency switched off. Its ~40 calls take ~4 s at
100 ms in real life, which is negligible against a 5-min TTL. The benchmark's 30x time compression
would stretch them to ~2 simulated minutes, most of the write-through's 5-min life.
Its calls are still counted.

Figures (stdout, one JSON line): ``sgp_cache_hit_rate`` is the standard mix, steady state: organic
and campaign lookups in the measured hour, plus the audience loads. ``sgp_cache_hit_rate_organic``
covers the organic conversations of the same hour only. It is comparable with the first version's
figure. ``sgp_cache_hit_rate_campaign`` covers the replies plus the audience loads.
``sgp_cached_p50/p99_ms`` and ``sgp_uncached_p50/p99_ms`` are the latencies of single lookups
(hits vs SGP loads). Read-aheads are the cache's own loads, not lookups: they are excluded from
the hit rates but included in ``sgp_bench_sgp_calls_per_conversation`` (every request the simulator
received, writes included). ``--mix organic`` plays (a) alone.
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
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import httpx
from redis.asyncio import Redis

from atende_sgp_adapter.adapters.cache import CachedBillingSystem
from atende_sgp_adapter.adapters.sgp import SgpBillingSystem
from atende_sgp_adapter.domain import DueInvoice, TicketRequest
from atende_sgp_adapter.domain.phones import pick_whatsapp_number
from atende_sgp_adapter.errors import BillingError
from atende_sgp_adapter.settings import Settings
from atende_sim_sgp.base import SgpBase

logger = logging.getLogger("bench_cache")
TOKEN = "bench-token"  # noqa: S105 - the simulator's credential for this run
APP = "AtendeBench"
SEED = 20_260_101
READ_FAMILIES = ("customer", "invoices", "pix", "connection", "outages")
BILLING_DAYS = (5, 10, 15, 20, 25)  # the simulator's due days
CAMPAIGN_DUE_IN_DAYS = 3
AUDIENCE_PAGE = 1000
# Conversations that start during the warm-up part of the window are played but not measured.
MEASURED: contextvars.ContextVar[bool] = contextvars.ContextVar("measured", default=False)
KIND: contextvars.ContextVar[str] = contextvars.ContextVar("kind", default="organic")
# Set by a campaign reply to learn whether its first invoice lookup needed SGP.
FIRST_INVOICES: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("first_invoices", default=None)


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
    """Per-lookup observations from the cache's observer hook, split by traffic kind."""

    results: dict[str, int] = field(default_factory=dict)
    cold_results: dict[str, int] = field(default_factory=dict)
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    by_family: dict[str, dict[str, int]] = field(default_factory=dict)
    cached_ms: list[float] = field(default_factory=list)
    uncached_ms: list[float] = field(default_factory=list)
    campaign_first: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    writes: int = 0

    def observe(self, family: str, result: str, seconds: float) -> None:
        # Read-aheads are the cache's own loads, not lookups a conversation made.
        if family not in READ_FAMILIES or result.startswith("prefetch_"):
            return
        first = FIRST_INVOICES.get()
        if family == "invoices" and first is not None and not first:
            first.append(result)
        self.cold_results[result] = self.cold_results.get(result, 0) + 1
        if not MEASURED.get():
            return
        self.count(KIND.get(), family, result)
        if result in ("hit", "negative_hit"):
            self.cached_ms.append(seconds * 1000)
        elif result in ("miss", "bypass"):
            self.uncached_ms.append(seconds * 1000)

    def count(self, kind: str, family: str, result: str, n: int = 1) -> None:
        """Add ``n`` measured lookups (the audience's SGP calls come in as misses this way)."""
        self.results[result] = self.results.get(result, 0) + n
        kind_results = self.by_kind.setdefault(kind, {})
        kind_results[result] = kind_results.get(result, 0) + n
        family_results = self.by_family.setdefault(family, {})
        family_results[result] = family_results.get(result, 0) + n


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile (1..99) of ``values``."""
    if len(values) < 2:
        return round(values[0], 3) if values else 0.0
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1], 3)


class Mix:
    """The standard conversation mix."""

    def __init__(
        self, cache: CachedBillingSystem, documents: dict[str, str | None], args: argparse.Namespace, *, seed: int
    ) -> None:
        self.cache = cache
        self.args = args
        self.rng = random.Random(seed)
        self.phones = documents
        ranked = list(documents)
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
        registered = self.phones[document]
        phone = registered if registered and rng.random() < self.args.registered_phone_share else None
        try:
            await self.cache.warm_for_phone(phone or f"55119{rng.randrange(10**8):08d}")
            contract = await self.identify(document)
            if contract is None:
                return
            intent = rng.random()
            if intent < 0.55:
                await self.bill_copy(contract)
            elif intent < 0.90:  # no connection 25 %, slow connection 10 %: the same requests
                await self.connection_help(contract)
            else:
                await self.promise(contract)
            if rng.random() < 0.3:  # back to the menu for another topic; the customer is remembered
                await self.gap()
                await rng.choice((self.bill_copy, self.connection_help, self.promise))(contract)
        except BillingError:
            self.stats.errors += 1

    async def identify(self, document: str) -> str | None:
        """The customer names a topic, is asked for the CPF and types it; picks a contract if several."""
        await self.gap()
        customer = await self.cache.find_customer(document)
        if customer is None:
            return None
        if len(customer.contracts) > 1:
            await self.gap()
        return self.rng.choice(customer.contracts).contract_id

    async def campaign_reply(self, reply: Reply, start_at: float, t0: float) -> None:
        """A customer answering the billing template about ``reply.contract_id``."""
        MEASURED.set(True)
        KIND.set("campaign")
        first: list[str] = []
        FIRST_INVOICES.set(first)
        await asyncio.sleep(max(0.0, t0 + start_at - time.monotonic()))
        rng = self.rng
        try:
            await self.cache.warm_for_phone(reply.phone)
            intent = rng.random()
            if intent < 0.65:
                if await self.identify(reply.document) is not None:
                    await self.bill_copy(reply.contract_id)
            elif intent >= 0.90 and await self.identify(reply.document) is not None:
                await self.promise(reply.contract_id)
            # else "já paguei": the bot explains clearing times without asking SGP
        except BillingError:
            self.stats.errors += 1
        if first:
            self.stats.campaign_first[first[0]] = self.stats.campaign_first.get(first[0], 0) + 1

    async def bill_copy(self, contract_id: str) -> None:
        invoices = await self.cache.list_open_invoices(contract_id)
        if invoices and invoices[0].pix_copy_paste is None:
            await self.cache.get_pix(contract_id, invoices[0].invoice_id)
        if self.rng.random() < 0.2:  # "manda de novo"
            await self.gap()
            await self.cache.list_open_invoices(contract_id)

    async def connection_help(self, contract_id: str) -> None:
        """``check_connection`` (owner, status, outages), guided steps, a ticket for half of them."""
        owner = await self.cache.find_customer_by_contract(contract_id)
        contract = owner.contract(contract_id) if owner else None
        await self.cache.connection_status(contract_id)
        await self.cache.active_outages(contract.pop_id if contract else None)
        for _ in range(self.rng.randint(2, 3)):
            await self.gap()
        if self.rng.random() < 0.5:
            await self.cache.open_ticket(contract_id, TicketRequest(text="Atendimento via benchmark"))
            self.stats.writes += 1

    async def promise(self, contract_id: str) -> None:
        await self.gap()  # "confirma o desbloqueio em confiança?"
        await self.cache.request_payment_promise(contract_id)
        self.stats.writes += 1


@dataclass(frozen=True)
class Reply:
    """Who answers a campaign: the contract the template was about, its owner and the mobile it went to."""

    contract_id: str
    document: str
    phone: str


def campaign_today(real_today: date) -> date:
    """The first day from ``real_today`` with bills due ``CAMPAIGN_DUE_IN_DAYS`` later in the simulator."""
    return next(
        day
        for day in (real_today + timedelta(days=n) for n in range(62))
        if (day + timedelta(days=CAMPAIGN_DUE_IN_DAYS)).day in BILLING_DAYS
    )


@asynccontextmanager
async def sim_latency(sim_url: str, latency_ms: int, *, restore_ms: int) -> AsyncIterator[None]:
    """Set the simulator's added latency for a block, then put ``restore_ms`` back."""
    async with httpx.AsyncClient(base_url=sim_url) as admin:
        (await admin.post("/_sim/faults", json={"latency_ms": latency_ms})).raise_for_status()
        try:
            yield
        finally:
            (await admin.post("/_sim/faults", json={"latency_ms": restore_ms})).raise_for_status()


@dataclass
class Campaign:
    """What the campaign wave did."""

    audience: list[DueInvoice] = field(default_factory=list)
    replies: int = 0
    read_s: float = 0.0


async def campaign_wave(
    mix: Mix,
    args: argparse.Namespace,
    sim_url: str,
    start_at: float,
    t0: float,
    campaign: Campaign,
    owners: dict[str, str],
) -> None:
    """Read the audience at ``start_at``, then play the replies over the following hour."""
    await asyncio.sleep(max(0.0, t0 + start_at - time.monotonic()))
    started = time.monotonic()
    offset, total = 0, 1
    # Off the simulator's latency: in real time the read is seconds against minutes of TTL (docstring).
    async with sim_latency(sim_url, 0, restore_ms=args.sgp_latency_ms):
        while offset < total:
            page = await mix.cache.list_due_invoices(CAMPAIGN_DUE_IN_DAYS, AUDIENCE_PAGE, offset)
            campaign.audience.extend(page.items)
            total, offset = page.total, offset + AUDIENCE_PAGE
    campaign.read_s = time.monotonic() - started
    sent_at = time.monotonic() - t0
    rng = random.Random(args.seed + 2)
    phones = {item.invoice.contract_id: item.phone for item in campaign.audience if item.phone}
    contracts = sorted(phones)
    repliers = [
        Reply(contract, owners[contract], phones[contract])
        for contract in rng.sample(contracts, round(len(contracts) * args.campaign_reply_share))
    ]
    campaign.replies = len(repliers)
    delays = []
    for _ in repliers:
        delay = rng.expovariate(1 / args.campaign_reply_mean_min)
        while delay > 60:  # "within the next hour"
            delay = rng.expovariate(1 / args.campaign_reply_mean_min)
        delays.append(delay * 60 / args.time_scale)
    await asyncio.gather(
        *(mix.campaign_reply(reply, sent_at + delay, t0) for reply, delay in zip(repliers, delays, strict=True))
    )


def audience_calls(records: list[dict[str, Any]]) -> int:
    """SGP calls of audience reads: windowed titulos and clientes (not the phone searches of warming)."""
    return sum(
        1
        for r in records
        if (str(r["path"]).startswith("/api/ura/clientes") and "telefone" not in r.get("params", {}))
        or (str(r["path"]).startswith("/api/ura/titulos") and "data_vencimento_inicio" in r.get("params", {}))
    )


async def run(
    args: argparse.Namespace,
    sim_url: str,
    redis_url: str,
    base: SgpBase,
    today: date,
) -> dict[str, Any]:
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
    shift = today - date.today()  # the simulator's pinned "today"
    sgp = SgpBillingSystem.from_settings(settings, clock=lambda: datetime.now() + shift)
    cache = CachedBillingSystem.from_settings(sgp, redis, settings)
    documents = {document: pick_whatsapp_number(c.phones) for document, c in base.by_document.items()}
    mix = Mix(cache, documents, args, seed=args.seed)
    # Replies draw from their own generator so the organic traffic is the same with or without them.
    replies = Mix(cache, documents, args, seed=args.seed + 3)
    replies.stats = mix.stats
    cache._observer = mix.stats.observe  # the hook the constructor also accepts
    window = args.window_s / scale
    warmup = window * args.warmup_fraction
    conversations = round(args.rate_per_hour * args.window_s / 3600)
    arrival_rng = random.Random(args.seed + 1)
    starts = sorted(arrival_rng.uniform(0, window) for _ in range(conversations))
    measured = sum(1 for s in starts if s >= warmup)
    campaign = Campaign()
    t0 = time.monotonic()
    try:
        traffic = [mix.conversation(s, t0, measured=s >= warmup) for s in starts]
        if args.mix == "standard":
            owners = {str(c.id): base.customers[c.customer_id].document for c in base.contracts.values()}
            traffic.append(campaign_wave(replies, args, sim_url, warmup, t0, campaign, owners))
        await asyncio.gather(*traffic)
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
    loads = audience_calls(records)
    stats = mix.stats
    # Honest accounting: each SGP call of the audience read is a load of the measured hour.
    if loads:
        stats.count("campaign", "audience", "miss", loads)
        stats.cold_results["miss"] = stats.cold_results.get("miss", 0) + loads

    def hit_rate(results: dict[str, int]) -> float:
        total = sum(results.values())
        misses = results.get("miss", 0) + results.get("bypass", 0)
        return round(1 - misses / total, 4) if total else 0.0

    lookups = sum(stats.cold_results.values())
    all_conversations = conversations + campaign.replies
    logger.info(
        "organic=%d campaign_audience=%d replies=%d audience_sgp_calls=%d lookups=%d sgp_calls=%d "
        "writes=%d errors=%d elapsed=%.1fs (simulated %.0f min)",
        conversations,
        len(campaign.audience),
        campaign.replies,
        loads,
        lookups,
        sgp_calls,
        stats.writes,
        stats.errors,
        elapsed,
        args.window_s / 60,
    )
    logger.info("measured by kind: %s", stats.by_kind)
    logger.info("measured by family: %s", stats.by_family)
    logger.info("campaign replies' first invoice lookup: %s", stats.campaign_first)
    figures: dict[str, Any] = {
        "sgp_cache_hit_rate": hit_rate(stats.results),
        "sgp_cache_hit_rate_organic": hit_rate(stats.by_kind.get("organic", {})),
        "sgp_cache_hit_rate_with_cold_start": hit_rate(stats.cold_results),
        "sgp_cached_p50_ms": percentile(stats.cached_ms, 50),
        "sgp_cached_p99_ms": percentile(stats.cached_ms, 99),
        "sgp_uncached_p50_ms": percentile(stats.uncached_ms, 50),
        "sgp_uncached_p99_ms": percentile(stats.uncached_ms, 99),
        "sgp_bench_conversations": conversations,
        "sgp_bench_measured_conversations": measured + campaign.replies,
        "sgp_bench_lookups_per_conversation": round(lookups / all_conversations, 2),
        "sgp_bench_sgp_calls_per_conversation": round(sgp_calls / all_conversations, 2),
        "sgp_bench_sgp_latency_ms": args.sgp_latency_ms,
        "sgp_bench_errors": stats.errors,
    }
    if args.mix == "standard":
        first_total = sum(stats.campaign_first.values())
        first_hits = first_total - stats.campaign_first.get("miss", 0) - stats.campaign_first.get("bypass", 0)
        figures.update(
            {
                "sgp_cache_hit_rate_campaign": hit_rate(stats.by_kind.get("campaign", {})),
                "sgp_bench_campaign_audience": len(campaign.audience),
                "sgp_bench_campaign_replies": campaign.replies,
                "sgp_bench_campaign_audience_sgp_calls": loads,
                "sgp_bench_campaign_written_through": sum(
                    1 for i in campaign.audience if i.contract_open_invoices is not None
                ),
                "sgp_bench_campaign_first_lookup_hit_rate": round(first_hits / first_total, 4) if first_total else 0.0,
            }
        )
    return figures


def main() -> int:
    """Start the simulator (and Redis if needed), run the mix, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate-per-hour", type=float, default=1000, help="conversations per simulated hour")
    parser.add_argument("--window-s", type=float, default=7200.0, help="simulated traffic window (real seconds)")
    parser.add_argument("--warmup-fraction", type=float, default=0.5, help="first part of the window not measured")
    parser.add_argument("--time-scale", type=float, default=30.0, help="real time / bench time (TTLs too)")
    parser.add_argument("--zipf-s", type=float, default=1.0, help="popularity skew of customers")
    parser.add_argument("--sgp-latency-ms", type=int, default=100, help="latency the simulator adds per call")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--mix", choices=("standard", "organic"), default="standard", help="traffic kinds to play")
    parser.add_argument(
        "--registered-phone-share",
        type=float,
        default=0.8,
        help="organic conversations written from the number registered in SGP (0: no warming by phone)",
    )
    parser.add_argument("--campaign-reply-share", type=float, default=0.30, help="audience contracts that reply")
    parser.add_argument("--campaign-reply-mean-min", type=float, default=15.0, help="mean reply delay (minutes)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s: %(message)s")
    logger.setLevel(logging.INFO)

    today = campaign_today(date.today())
    base = SgpBase(seed=SEED, customers=10_000, today=today)
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
        figures = asyncio.run(run(args, sim_url, redis_url, base, today))
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
