"""End-to-end benchmark: simulated customers chat with the whole platform (real processes) at several
inbound rates; latency is measured from "webhook accepted" (the gateway's 200 to the simulator, which
sends each customer message as a signed webhook like Meta) to the Graph API call
that answers it, as recorded by the WhatsApp simulator. Then up to 10,000 conversations are opened in a
time budget and the memory of every service process (and Redis) is read, scaled to 10,000 when fewer
were opened (`e2e_conversations_opened` says how many).

Needs KAFKA_BOOTSTRAP_SERVERS, REDIS_URL, MONGODB_URI (scripts/bench.sh starts them). Prints a summary on
stderr and one JSON line on stdout: e2e_p95_ms_at_300, e2e_max_rate_p95_under_100ms,
rss_mib_10k_conversations, plus e2e_{p50,p95,p99}_ms_at_<rate> and e2e_throughput_at_<rate>.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import httpx
from redis.asyncio import Redis

from atende_sim_sgp.base import SgpBase
from atende_testing import free_port
from atende_testing.platform import PROGRAMS, Platform

ROOT = Path(__file__).resolve().parents[2]
REPLY_WAIT_SECONDS = 20
# The standard flow mix: each script is what one customer types, waiting for an answer each time.
SCRIPTS = (
    (0.60, ("oi", "quero a segunda via do boleto", "{cpf}")),
    (0.25, ("boa tarde", "estou sem internet", "{cpf}")),
    (0.15, ("ola", "quero falar com um atendente")),
)


async def say(sim: httpx.AsyncClient, phone: str, text: str) -> bool:
    """A customer message through the WhatsApp simulator, which signs it and posts it to the gateway as
    Meta would (so the wamid is one the Graph API knows); True when the gateway answered 200."""
    try:
        response = await sim.post("/_sim/inbound", json={"from": phone, "name": "Cliente Bench", "text": text})
    except httpx.HTTPError:
        return False  # an overloaded platform: counted as lost, like a webhook Meta could not deliver
    return response.status_code == 200 and response.json().get("gateway_status") == 200


@dataclass
class Replies:
    """Graph API calls recorded by the simulator, dispatched to the customers waiting for them."""

    sim: httpx.AsyncClient
    waiting: dict[str, asyncio.Future[float]] = field(default_factory=dict)
    since: int = 0

    async def poll(self) -> None:
        """Fetch new recorded calls forever (cancelled by the caller)."""
        while True:
            response = await self.sim.get("/_sim/requests", params={"since_seq": self.since, "limit": 20000})
            for record in response.json()["requests"]:
                self.since = max(self.since, record["seq"])
                if record.get("kind") in {"read", "media_upload", "media_get", "media_download"}:
                    continue
                future = self.waiting.pop(record.get("phone") or "", None)
                if future is not None and not future.done():
                    future.set_result(datetime.fromisoformat(record["at"]).timestamp())
            await asyncio.sleep(0.05)


@dataclass
class Run:
    """Latencies and counts of one rate step."""

    latencies_ms: list[float] = field(default_factory=list)
    sent: int = 0
    lost: int = 0
    cpu_ms_per_message: float = 0.0
    lost_lines: list[str] = field(default_factory=list)


async def customer(
    sim: httpx.AsyncClient, replies: Replies, phone: str, script: tuple[str, ...], cpf: str, run: Run
) -> None:
    """Type each line of the script, waiting for the bot's answer before the next one."""
    for line in script:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        replies.waiting[phone] = future
        delivered = await say(sim, phone, line.format(cpf=cpf))
        accepted = time.time()
        run.sent += 1
        if not delivered:
            run.lost += 1
            run.latencies_ms.append(REPLY_WAIT_SECONDS * 1000)
            return
        try:
            answered = await asyncio.wait_for(future, timeout=REPLY_WAIT_SECONDS)
        except TimeoutError:
            # Not answered in time: counted at the cap, so an overloaded rate shows as such.
            run.lost += 1
            run.lost_lines.append(f"{phone[-4:]}: {line[:20]}")
            run.latencies_ms.append(REPLY_WAIT_SECONDS * 1000)
            return
        run.latencies_ms.append(max(answered - accepted, 0) * 1000)
        # Replies come in bursts (document + PIX): let the rest of this answer arrive first.
        await asyncio.sleep(0.3)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def step(
    customers: httpx.AsyncClient,
    replies: Replies,
    platform: Platform,
    *,
    rate: float,
    seconds: float,
    documents: list[str],
    rng: random.Random,
) -> Run:
    """Open-loop arrivals of customers so that inbound messages average `rate` per second."""
    run = Run()
    cpu_before = cpu_snapshot(platform)
    mean_lines = sum(weight * len(script) for weight, script in SCRIPTS)
    arrivals = rate / mean_lines
    tasks: list[asyncio.Task[None]] = []
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        script = rng.choices([s for _, s in SCRIPTS], weights=[w for w, _ in SCRIPTS])[0]
        phone = f"55119{rng.randrange(10**8):08d}"
        tasks.append(asyncio.create_task(customer(customers, replies, phone, script, rng.choice(documents), run)))
        await asyncio.sleep(rng.expovariate(arrivals))
    await asyncio.gather(*tasks)
    run_seconds = time.monotonic() - started
    cpu_after = cpu_snapshot(platform)
    used = {name: cpu_after[name] - cpu_before.get(name, 0.0) for name in cpu_after}
    run.cpu_ms_per_message = sum(used.values()) * 1000 / max(run.sent, 1)
    sys.stderr.write(
        f"rate {rate:>5.0f}/s: sent {run.sent} in {run_seconds:.0f} s, answered {len(run.latencies_ms)}, "
        f"lost {run.lost}, p50 {percentile(run.latencies_ms, 50):.1f} ms, "
        f"p95 {percentile(run.latencies_ms, 95):.1f} ms, p99 {percentile(run.latencies_ms, 99):.1f} ms\n"
        f"  CPU ms per inbound message {run.cpu_ms_per_message:.1f}: "
        + ", ".join(f"{n} {v * 1000 / max(run.sent, 1):.1f}" for n, v in sorted(used.items(), key=lambda i: -i[1]))
        + f" (machine busy {sum(used.values()) / run_seconds / (os.cpu_count() or 1):.0%})\n"
    )
    if run.lost_lines:
        sys.stderr.write(f"  unanswered (phone: line): {', '.join(run.lost_lines[:10])}\n")
    return run


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children so far, in seconds."""
    total = 0.0
    for candidate in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{candidate}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def infra_pids() -> dict[str, int]:
    """Kafka, Redis and the Mongo-wire server started by scripts/infra.py (ATENDE_INFRA_DIR), if known."""
    pids_file = Path(os.environ.get("ATENDE_INFRA_DIR", "/nonexistent")) / "pids"
    if not pids_file.is_file():
        return {}
    return {name: int(pid) for name, pid, *_ in (line.split() for line in pids_file.read_text().splitlines())}


def cpu_snapshot(platform: Platform) -> dict[str, float]:
    """CPU seconds used so far by every platform process, simulator and infrastructure server."""
    return {name: cpu_seconds(pid) for name, pid in {**platform.pids(), **infra_pids()}.items()}


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children, in MiB."""
    total = 0.0
    for candidate in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{candidate}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return total


def _children(pid: int) -> list[int]:
    try:
        direct = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return direct + [grandchild for child in direct for grandchild in _children(child)]


async def open_conversations(sim: httpx.AsyncClient, count: int, rate: float, budget_s: float) -> None:
    """Up to `count` customers each send a first message (their conversation stays open), for at most
    `budget_s` seconds: a platform slower than `rate` gets fewer, and the figures are scaled (main_async)."""
    semaphore = asyncio.Semaphore(200)

    async def one(n: int) -> None:
        async with semaphore:
            await say(sim, f"55219{n:08d}", "oi")

    tasks = []
    started = time.monotonic()
    for n in range(count):
        if time.monotonic() - started > budget_s:
            break
        tasks.append(asyncio.create_task(one(n)))
        await asyncio.sleep(1 / rate)
    await asyncio.gather(*tasks)


async def handled_inbound(conversation: httpx.AsyncClient) -> int:
    """Inbound messages the conversation service has handled so far (its bus metric)."""
    text = (await conversation.get("/metrics")).text
    return int(
        sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("atende_bus_messages_handled_total") and 'topic="conversation.inbound"' in line
        )
    )


async def main_async(args: argparse.Namespace, platform: Platform) -> dict[str, float]:
    base = SgpBase(seed=args.sgp_seed, customers=10_000, today=date.today())
    documents = [c.document for c in base.customers.values() if len(c.contract_ids) == 1 and not c.masked_only]
    rng = random.Random(7)
    results: dict[str, float] = {}
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    async with (
        httpx.AsyncClient(base_url=platform.url("whatsapp-sim"), limits=limits, timeout=30) as customers,
        httpx.AsyncClient(base_url=platform.url("whatsapp-sim"), timeout=30) as sim,
    ):
        # Every simulated customer writes first, and no Meta-side limit should shape our own latency.
        await sim.patch("/_sim/config", json={"window_mode": "off", "throughput_mps": 100000, "pair_burst": 100000})
        replies = Replies(sim)
        poller = asyncio.create_task(replies.poll())
        try:
            await step(customers, replies, platform, rate=5, seconds=5, documents=documents, rng=rng)  # warm-up
            best = 0.0
            for rate in args.rates:
                run = await step(
                    customers, replies, platform, rate=rate, seconds=args.seconds, documents=documents, rng=rng
                )
                p95 = percentile(run.latencies_ms, 95)
                results[f"e2e_p50_ms_at_{rate:g}"] = round(percentile(run.latencies_ms, 50), 1)
                results[f"e2e_p95_ms_at_{rate:g}"] = round(p95, 1)
                results[f"e2e_p99_ms_at_{rate:g}"] = round(percentile(run.latencies_ms, 99), 1)
                results[f"e2e_throughput_at_{rate:g}"] = round(run.sent / args.seconds, 1)
                results[f"e2e_lost_at_{rate:g}"] = run.lost
                results[f"e2e_cpu_ms_per_message_at_{rate:g}"] = round(run.cpu_ms_per_message, 2)
                if p95 < 100 and run.lost == 0:
                    best = max(best, rate)
            results["e2e_max_rate_p95_under_100ms"] = best
        finally:
            poller.cancel()
        services = [name for name in PROGRAMS if name in platform.pids() and not name.endswith("-sim")]
        redis = Redis.from_url(os.environ["REDIS_URL"])
        before = sum(rss_mib(platform.pids()[name]) for name in services)
        redis_before = (await redis.info("memory"))["used_memory"] / 2**20
        async with httpx.AsyncClient(
            base_url=platform.internal_url("conversation"), headers=platform.internal_headers
        ) as conversation:
            handled_before = await handled_inbound(conversation)
            await open_conversations(customers, args.conversations, rate=args.open_rate, budget_s=args.open_seconds)
            # Measure once the conversation service has handled (and stored) every first message.
            deadline = time.monotonic() + args.drain_seconds
            while await handled_inbound(conversation) - handled_before < args.conversations:
                if time.monotonic() > deadline:
                    break
                await asyncio.sleep(1)
            opened = await handled_inbound(conversation) - handled_before
        after = {name: rss_mib(platform.pids()[name]) for name in services}
        redis_after = (await redis.info("memory"))["used_memory"] / 2**20
        await redis.aclose()
        redis_delta = redis_after - redis_before
        results["e2e_conversations_opened"] = opened
        # Extrapolated to 10,000 when fewer were opened in the time allowed: the state Redis holds
        # grows linearly; the processes' RSS hardly moves and may even shrink (a GC or an allocator
        # returning pages), so only its growth is scaled, never a shrink.
        total_after = sum(after.values())
        per_conversation = (max(total_after - before, 0.0) + redis_delta) / max(opened, 1)
        results["rss_mib_10k_conversations"] = round(
            total_after + redis_delta + per_conversation * max(10_000 - opened, 0), 1
        )
        results["rss_mib_services_before_10k"] = round(before, 1)
        results["redis_mib_for_opened_conversations"] = round(redis_delta, 1)
        results["rss_kib_per_conversation"] = round(per_conversation * 1024, 2)
        sys.stderr.write(
            "RSS after opening conversations (MiB): " + ", ".join(f"{n} {v:.0f}" for n, v in after.items()) + "\n"
        )
    return results


def main() -> int:
    """Start the platform on free ports, run the steps, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rates", type=float, nargs="+", default=[10, 20, 50, 300])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--open-rate", type=float, default=100)
    parser.add_argument("--open-seconds", type=float, default=150, help="time allowed for opening conversations")
    parser.add_argument("--drain-seconds", type=float, default=90, help="wait for the conversations to be handled")
    parser.add_argument("--sgp-seed", type=int, default=20_260_101, help="the SGP simulator's default seed")
    args = parser.parse_args()
    infra = {k: os.environ[k] for k in ("KAFKA_BOOTSTRAP_SERVERS", "REDIS_URL", "MONGODB_URI")}
    infra["KAFKA_TOPIC_PREFIX"] = os.environ.get("BENCH_TOPIC_PREFIX") or f"bench{uuid.uuid4().hex[:6]}."
    infra["LOG_LEVEL"] = "WARNING"
    run_dir = ROOT / ".run" / f"bench-e2e-{os.getpid()}"
    platform = Platform(
        root=ROOT,
        log_dir=run_dir / "logs",
        infra_env=infra,
        ports={name: free_port() for name in PROGRAMS},
        internal_ports={name: free_port() for name in PROGRAMS},
    )
    platform.start()
    try:
        not_ready = platform.wait_ready()
        if not_ready:
            sys.stderr.write(f"not ready: {not_ready}; logs in {run_dir / 'logs'}\n")
            return 1
        results = asyncio.run(main_async(args, platform))
    finally:
        platform.stop()
    for key, value in results.items():
        sys.stderr.write(f"{key} = {value}\n")
    sys.stdout.write(json.dumps(results) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
