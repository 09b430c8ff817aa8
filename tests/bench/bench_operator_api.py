"""Operator API read path: the real gateway (`atende-gateway`, one uvicorn worker) and auth service as
processes, 10,000 conversations stored through the board's own event handlers (atende_gateway.console
.board: started, identified, customer and bot turns, NLU results, delivery ticks; a third handed over,
two thirds of those claimed by one of the agents, a third closed), 50 agents created and logged in
through the real auth service (their access tokens are the ones the gateway verifies).

Load: vegeta v12.13.0 (built once from its Go module into the tool cache, `scripts/infra.py go-tool
github.com/tsenart/vegeta/v12@v12.13.0`), open loop at a fixed rate (default 200 req/s for 30 s, after
a 5-s warm-up at 20 req/s and a closed-loop capacity run, then a wait until no backlog is left), the
agents' tokens in turn over a mix of the console's reads: 35 % the inbox (view=all), 15 % the queue (view=queued),
15 % the agent's own conversations (view=mine), 35 % one conversation's detail (a random one of the
10,000). Vegeta's latency clock starts when the request is due, queueing included. Baseline in the
same run: the same vegeta load on a bare FastAPI GET (services/gateway/bench/bare_app.py) under the
same uvicorn. The operator rate limits are raised for the run (200 req/s from one address); the
limiter itself still runs on every request. Passwords are hashed with a cheap argon2 (logins are not
measured).

Figures (stdout, one JSON line): operator_api_p95_ms, operator_api_rps (answered 2xx per second of
the measured window), operator_api_p50_ms, operator_api_p99_ms, operator_api_bare_p95_ms,
operator_api_bare_rps, operator_api_failed (not answered 2xx in that window, timeouts included: the
latencies count them), operator_api_capacity_rps (closed loop, 16 clients: capacity, not latency),
operator_api_p95_ms_at_<rate> for the steps below the target rate (`--also-rates`, 50 by default).
Target: p95 < 50 ms at 200 req/s. Needs KAFKA_BOOTSTRAP_SERVERS, REDIS_URL and
MONGODB_URI (`make bench` starts them).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pyotp
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from atende.conversation.v1 import conversation_pb2 as conv
from atende.nlu.v1 import nlu_pb2 as nlu
from atende.whatsapp.v1 import whatsapp_pb2 as wa
from atende_core.bus import Envelope
from atende_core.ids import conversation_id, conversation_id_key
from atende_core.pii import Keyring
from atende_core.stores import redis_client
from atende_gateway.console.board import Board
from atende_gateway.settings import GatewaySettings
from atende_testing import free_port
from atende_testing.platform import PROGRAMS, Platform

ROOT = Path(__file__).resolve().parents[2]
PNID = "106540352242922"
VEGETA = "github.com/tsenart/vegeta/v12@v12.13.0"
PASSWORD = "bench-operator-password-123"
CHEAP_ARGON2 = {"AUTH_ARGON2_TIME_COST": "1", "AUTH_ARGON2_MEMORY_KIB": "8192", "AUTH_ARGON2_PARALLELISM": "1"}
INTENTS = ("segunda_via", "sem_conexao", "promessa_pagamento", "falar_atendente", "lentidao", "saudacao")
TEXTS = ("quero a segunda via do boleto", "minha internet caiu", "posso pagar semana que vem?", "oi, bom dia")


def vegeta_path() -> str:
    """The load generator, built from its Go module into the tool cache on first use."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "infra.py"), "go-tool", VEGETA],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.strip().splitlines()[-1]


def _stamp(at: float) -> Timestamp:
    stamp = Timestamp()
    stamp.FromMicroseconds(int(at * 1e6))
    return stamp


def _envelope(at: float, source: str = "atende/conversation") -> Envelope:
    return Envelope(id=str(uuid.uuid4()), type="", source=source, time=datetime.fromtimestamp(at, UTC))


async def seed_conversation(board: Board, n: int, cid: str, at: float, agents: list[str]) -> str | None:
    """One conversation's events through the board's handlers; its agent if one claimed it."""
    wa_id = f"5511{n:09d}"
    rng = random.Random(n)
    events: list[tuple[Any, Message, Envelope]] = [
        (board.on_conversation_event, conv.ConversationStarted(conversation_id=cid, occurred_at=_stamp(at),
                                                               phone_number_id=PNID, wa_id=wa_id), _envelope(at)),
    ]  # fmt: skip
    if n % 2 == 0:
        identified = conv.CustomerIdentified(
            conversation_id=cid, occurred_at=_stamp(at + 20), customer_id=f"cust-{n}", contract_id=f"{n}",
            document_masked="***.982.247-**", customer_name=f"Cliente {n}",
            contracts=[conv.IdentifiedContract(contract_id=f"{n}", status="active", plan="Fibra 500")],
        )  # fmt: skip
        events.append((board.on_conversation_event, identified, _envelope(at + 20)))
    for turn in range(2):
        moment = at + 10 + turn * 30
        message_id = f"wamid.bench{n}.{turn}"
        text = conv.TextContent(body=rng.choice(TEXTS))
        inbound = conv.InboundMessage(conversation_id=cid, message_id=message_id, phone_number_id=PNID, wa_id=wa_id,
                                      sent_at=_stamp(moment), text=text)  # fmt: skip
        result = nlu.TextAnalyzed(conversation_id=cid, message_id=message_id, intent=rng.choice(INTENTS),
                                  confidence=0.9, sentiment=rng.choice(("negativo", "neutro", "positivo")))  # fmt: skip
        command_id = f"cmd-bench-{n}-{turn}"
        answer = wa.SendMessage(command_id=command_id, conversation_id=cid, phone_number_id=PNID, to=wa_id,
                                text=wa.Text(body="Aqui está o que encontrei para você."))  # fmt: skip
        tick = wa.MessageStatusChanged(conversation_id=cid, command_id=command_id, status=wa.DELIVERY_STATUS_READ)
        events += [
            (board.on_inbound, inbound, _envelope(moment)),
            (board.on_nlu, result, _envelope(moment + 1)),
            (board.on_outbound, answer, _envelope(moment + 2)),
            (board.on_status, tick, _envelope(moment + 3)),
        ]
    agent = None
    if n % 3 == 0:
        requested = conv.HandoffRequested(conversation_id=cid, occurred_at=_stamp(at + 80), reason="customer_asked",
                                          within_business_hours=n % 9 != 0, customer_name=f"Cliente {n}",
                                          phone_number_id=PNID, wa_id=wa_id)  # fmt: skip
        events.append((board.on_conversation_event, requested, _envelope(at + 80)))
        if n % 9 != 0:
            agent = agents[n % len(agents)]
            accepted = conv.HandoffAccepted(conversation_id=cid, occurred_at=_stamp(at + 90), agent_id=agent)
            replied = conv.AgentReplied(conversation_id=cid, occurred_at=_stamp(at + 95), agent_id=agent, text="Oi!")
            events += [
                (board.on_conversation_event, accepted, _envelope(at + 90)),
                (board.on_conversation_event, replied, _envelope(at + 95)),
            ]
    elif n % 3 == 1:
        closed = conv.ConversationClosed(conversation_id=cid, occurred_at=_stamp(at + 120), outcome="resolved")
        events.append((board.on_conversation_event, closed, _envelope(at + 120)))
    for handler, event, envelope in events:
        await handler(event, envelope)
    return agent


async def seed_board(settings: GatewaySettings, count: int, agents: list[str]) -> list[str]:
    """Store `count` conversations; their ids."""
    redis = redis_client(settings.redis_url)
    board = Board(redis, pii=Keyring.from_settings(settings), prefix=settings.kafka_topic_prefix)
    key = conversation_id_key(settings)
    cids = [conversation_id(phone_number_id=PNID, wa_id=f"5511{n:09d}", key=key) for n in range(count)]
    now = time.time()
    gate = asyncio.Semaphore(32)

    async def one(n: int) -> None:
        async with gate:
            await seed_conversation(board, n, cids[n], now - (count - n) * 30, agents)

    try:
        await asyncio.gather(*(one(n) for n in range(count)))
    finally:
        await redis.aclose()
    return cids


def create_admin(env: dict[str, str], work: Path) -> None:
    """The deployment's first admin, as an operator makes it (`atende auth create-admin`)."""
    password_file = work / "admin-password"
    password_file.write_text(PASSWORD)
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "atende"), "auth", "create-admin", "--username", "bench-admin",
         "--password-file", str(password_file)],
        env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip


async def operators(gateway: str, count: int) -> list[tuple[str, str]]:
    """(user id, access token) of `count` agents made by the admin through the real auth service."""
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        first = (await client.post("/auth/login", json={"username": "bench-admin", "password": PASSWORD})).json()
        enrolment = {"Authorization": f"Bearer {first['enrolment_token']}"}
        secret = (await client.post("/auth/2fa/enrol", headers=enrolment)).json()["secret"]
        confirmed = await client.post("/auth/2fa/confirm", headers=enrolment, json={"otp": pyotp.TOTP(secret).now()})
        admin = {"Authorization": f"Bearer {confirmed.json()['access_token']}"}
        tokens = []
        for n in range(count):
            username = f"agente{n:02d}"
            created = await client.post("/auth/users", headers=admin, json={
                "username": username, "name": f"Agente {n}", "role": "agent", "password": PASSWORD})  # fmt: skip
            created.raise_for_status()
            login = await client.post("/auth/login", json={"username": username, "password": PASSWORD})
            login.raise_for_status()
            body = login.json()
            tokens.append((str(body["user"]["id"]), str(body["access_token"])))
    return tokens


def write_targets(path: Path, base: str, tokens: list[tuple[str, str]], cids: list[str], count: int) -> None:
    """A shuffled mix of the console's reads, each with one agent's token (vegeta's JSON target format)."""
    rng = random.Random(11)
    with path.open("w") as out:
        for n in range(count):
            _, token = tokens[n % len(tokens)]
            pick = rng.random()
            if pick < 0.35:
                url = f"{base}/operator/conversations?view=all&limit=50"
            elif pick < 0.50:
                url = f"{base}/operator/conversations?view=queued&limit=50"
            elif pick < 0.65:
                url = f"{base}/operator/conversations?view=mine&limit=50"
            else:
                url = f"{base}/operator/conversations/{rng.choice(cids)}"
            target = {"method": "GET", "url": url, "header": {"Authorization": [f"Bearer {token}"]}}
            out.write(json.dumps(target) + "\n")


def attack(vegeta: str, targets: Path, *, rate: int, seconds: float, work: Path, workers: int = 0) -> dict[str, Any]:
    """One attack, open loop at `rate` (or closed loop with `workers` when `rate` is 0); vegeta's JSON report."""
    results = work / f"results-{uuid.uuid4().hex[:6]}.bin"
    pace = [f"-rate={rate}/1s"] if rate else ["-rate=0", f"-workers={workers}", f"-max-workers={workers}"]
    subprocess.run(
        [vegeta, "attack", "-format=json", f"-targets={targets}", *pace, f"-duration={seconds}s",
         "-timeout=10s", "-keepalive=true", f"-output={results}"],
        check=True, capture_output=True,
    )  # fmt: skip
    report = subprocess.run(
        [vegeta, "report", "-type=json", str(results)], check=True, capture_output=True, text=True
    ).stdout
    return dict(json.loads(report))


def figures(report: dict[str, Any]) -> dict[str, float]:
    """Milliseconds and rates of a report."""
    latencies = report["latencies"]
    ok = sum(n for code, n in report["status_codes"].items() if code.startswith("2"))
    return {
        "p50_ms": round(latencies["50th"] / 1e6, 2),
        "p95_ms": round(latencies["95th"] / 1e6, 2),
        "p99_ms": round(latencies["99th"] / 1e6, 2),
        "rps": round(ok / (report["duration"] / 1e9), 1),
        "requests": report["requests"],
        "ok": ok,
        "codes": report["status_codes"],
    }


def start_bare(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """The baseline server under the same uvicorn as the gateway."""
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "--app-dir", str(ROOT / "services" / "gateway" / "bench"),
         "bare_app:bare", "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--no-access-log",
         "--log-level", "warning"],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_answering(url: str, timeout: float = 60) -> None:
    """Poll until `url` answers at all."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"{url} does not answer")


def drained(gateway: str, token: str, timeout: float = 120) -> None:
    """Wait until the gateway answers a page within a second again (no backlog from the last attack)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            started = time.monotonic()
            answer = httpx.get(
                f"{gateway}/operator/conversations", headers={"Authorization": f"Bearer {token}"}, timeout=5
            )
            if answer.status_code == 200 and time.monotonic() - started < 1:
                return
        time.sleep(0.5)


def main() -> int:
    """Seed, log in, load both servers, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--also-rates", type=int, nargs="*", default=[50], help="open-loop steps below --rate")
    args = parser.parse_args()
    for name in ("KAFKA_BOOTSTRAP_SERVERS", "REDIS_URL", "MONGODB_URI"):
        if not os.environ.get(name):
            raise SystemExit(f"{name} is not set: run through `make bench`")
    vegeta = vegeta_path()
    work = Path(tempfile.mkdtemp(prefix="bench-operator-"))
    prefix = f"bench{uuid.uuid4().hex[:8]}."
    infra = {
        **{k: os.environ[k] for k in ("KAFKA_BOOTSTRAP_SERVERS", "REDIS_URL", "MONGODB_URI")},
        "KAFKA_TOPIC_PREFIX": prefix,
        "MONGODB_DATABASE": prefix.rstrip("."),
        "LOG_LEVEL": "WARNING",
        "OPERATOR_RATE_LIMIT_PER_IP": "1000000/minute",
        "OPERATOR_RATE_LIMIT_PER_USER": "1000000/minute",
        "AUTH_LOGIN_RATE_PER_IP": "1000/minute",
        "AUTH_ACCESS_TTL_S": "3600",
        **CHEAP_ARGON2,
    }
    platform = Platform(
        root=ROOT,
        log_dir=work / "logs",
        infra_env=infra,
        ports={name: free_port() for name in PROGRAMS},
        internal_ports={name: free_port() for name in PROGRAMS},
    )
    bare_port = free_port()
    bare = start_bare(bare_port, platform.env, work / "bare.log")
    platform.start(["auth", "gateway"])
    try:
        if pending := platform.wait_ready(["auth", "gateway"]):
            raise SystemExit(f"not ready: {pending} (logs in {work / 'logs'})")
        wait_answering(f"http://127.0.0.1:{bare_port}/operator/bare")
        started = time.monotonic()
        create_admin(platform.env, work)
        tokens = asyncio.run(operators(platform.url("gateway"), args.agents))
        logged_in_s = time.monotonic() - started
        settings = GatewaySettings(environment="development", kafka_topic_prefix=prefix,
                                   redis_url=os.environ["REDIS_URL"])  # fmt: skip
        cids = asyncio.run(seed_board(settings, args.conversations, [user for user, _ in tokens]))
        seeded_s = time.monotonic() - started - logged_in_s
        requests = int(args.rate * args.seconds) + 1
        operator_targets, bare_targets = work / "operator.jsonl", work / "bare.jsonl"
        write_targets(operator_targets, platform.url("gateway"), tokens, cids, requests)
        bare_target = {"method": "GET", "url": f"http://127.0.0.1:{bare_port}/operator/bare"}
        bare_targets.write_text(json.dumps(bare_target) + "\n")
        load = os.getloadavg()[0]
        for targets in (bare_targets, operator_targets):  # warm-up, below any capacity: no backlog left
            attack(vegeta, targets, rate=20, seconds=args.warmup, work=work)
        # Capacity apart from latency: closed loop, as many answers as 16 clients in a row get.
        capacity = figures(attack(vegeta, operator_targets, rate=0, workers=16, seconds=args.seconds / 2, work=work))
        drained(platform.url("gateway"), tokens[0][1])
        base = figures(attack(vegeta, bare_targets, rate=args.rate, seconds=args.seconds, work=work))
        lower: dict[int, dict[str, Any]] = {}
        for rate in args.also_rates:  # below the target rate first: an overload leaves a backlog behind
            lower[rate] = figures(attack(vegeta, operator_targets, rate=rate, seconds=args.seconds, work=work))
            drained(platform.url("gateway"), tokens[0][1])
        run = figures(attack(vegeta, operator_targets, rate=args.rate, seconds=args.seconds, work=work))
    except BaseException:
        sys.stderr.write(f"logs kept in {work / 'logs'}\n")
        raise
    else:
        shutil.rmtree(work, ignore_errors=True)
    finally:
        platform.stop()
        bare.terminate()
        bare.wait(15)
    sys.stderr.write(
        f"operator API: vegeta v12.13.0, open loop {args.rate} req/s for {args.seconds:g} s after a "
        f"{args.warmup:g}-s warm-up at 20 req/s, {len(tokens)} agent tokens, {len(cids)} conversations "
        f"(seeded in {seeded_s:.0f} s; agents created and logged in in {logged_in_s:.0f} s)\n"
        f"  gateway  p50 {run['p50_ms']} ms  p95 {run['p95_ms']} ms  p99 {run['p99_ms']} ms  "
        f"{run['rps']} ok/s  codes {run['codes']}\n"
        f"  bare     p50 {base['p50_ms']} ms  p95 {base['p95_ms']} ms  p99 {base['p99_ms']} ms  {base['rps']} ok/s\n"
        f"  capacity (closed loop, 16 clients, {args.seconds / 2:g} s): {capacity['rps']} ok/s, "
        f"p50 {capacity['p50_ms']} ms  codes {capacity['codes']}\n"
        f"  host load average before the attacks: {load:.1f} on {os.cpu_count()} CPUs\n"
    )
    for rate, step in lower.items():
        sys.stderr.write(f"  gateway at {rate} req/s: p50 {step['p50_ms']} ms  p95 {step['p95_ms']} ms  "
                         f"p99 {step['p99_ms']} ms  {step['rps']} ok/s  codes {step['codes']}\n")  # fmt: skip
    steps = {f"operator_api_p95_ms_at_{rate}": step["p95_ms"] for rate, step in lower.items()}
    print(
        json.dumps(
            steps
            | {
                "operator_api_p95_ms": run["p95_ms"],
                "operator_api_rps": run["rps"],
                "operator_api_p50_ms": run["p50_ms"],
                "operator_api_p99_ms": run["p99_ms"],
                "operator_api_bare_p95_ms": base["p95_ms"],
                "operator_api_bare_rps": base["rps"],
                # Requests not answered 2xx in the open-loop window (10-s timeouts and refusals count).
                "operator_api_failed": run["requests"] - run["ok"],
                "operator_api_capacity_rps": capacity["rps"],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
