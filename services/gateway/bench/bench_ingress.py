"""Webhook ingress throughput: the real gateway (`atende-gateway`, one uvicorn worker, signature check +
durable acks=all publish to the real Kafka) next to a bare FastAPI endpoint, both loaded by wrk with
the same signed body, threads, connections and duration in the same run.

Needs KAFKA_BOOTSTRAP_SERVERS (make bench starts Kafka). Prints a summary on stderr and the figures as
one JSON line on stdout: ingress_rps, ingress_p50_ms, ingress_p99_ms, bare_rps, bare_p99_ms, ingress_ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from atende_gateway.domain.webhook import sign

HERE = Path(__file__).resolve().parent
SECRET = "bench-app-secret-0123456789"  # noqa: S105 - the benchmark signs with its own secret
# Reference §7.1 with Portuguese text, escaped the way Meta serialises non-ASCII.
BODY = (
    b'{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":'
    b'{"messaging_product":"whatsapp","metadata":{"display_phone_number":"551140041234",'
    b'"phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Jo\\u00e3o Pereira"},'
    b'"wa_id":"5521998765432"}],"messages":[{"from":"5521998765432","id":'
    b'"wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=","timestamp":"1749416383",'
    b'"type":"text","text":{"body":"Ol\\u00e1, preciso da segunda via do boleto de mar\\u00e7o, '
    b'por favor. A conex\\u00e3o tamb\\u00e9m est\\u00e1 lenta."}}]},"field":"messages"}]}]}'
)

WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = [==[%(body)s]==]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Hub-Signature-256"] = "%(signature)s"

done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format(
    "WRKJSON {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"p50_us\\": %%d, \\"p99_us\\": %%d, "
    .. "\\"non2xx\\": %%d, \\"socket_errors\\": %%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), non2xx,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def free_port() -> int:
    """A loopback port nobody listens on."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, timeout: float = 120.0) -> None:
    """Poll `url` until it answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} not ready within {timeout} s")


def wrk(url: str, script: Path, *, threads: int, connections: int, seconds: int) -> dict[str, float]:
    """Run wrk once and return its figures."""
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("WRKJSON "))
    figures = json.loads(line.removeprefix("WRKJSON "))
    seconds_run = figures["duration_us"] / 1e6
    return {
        "requests": figures["requests"],
        "seconds": seconds_run,
        "rps": figures["requests"] / seconds_run,
        "p50_ms": figures["p50_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "non2xx": figures["non2xx"],
        "socket_errors": figures["socket_errors"],
    }


def combine(runs: list[dict[str, float]]) -> dict[str, float]:
    """Figures of several rounds: total throughput, mean median latency, worst p99."""
    seconds = sum(r["seconds"] for r in runs)
    return {
        "rps": sum(r["requests"] for r in runs) / seconds,
        "p50_ms": sum(r["p50_ms"] for r in runs) / len(runs),
        "p99_ms": max(r["p99_ms"] for r in runs),
        "non2xx": sum(r["non2xx"] for r in runs),
        "socket_errors": sum(r["socket_errors"] for r in runs),
    }


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start a server process with its output in `log`."""
    handle = log.open("wb")
    return subprocess.Popen(cmd, env=env, stdout=handle, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 15 s."""
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> int:
    """Measure both servers and print the JSON figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    if not os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        raise SystemExit("KAFKA_BOOTSTRAP_SERVERS is not set: run through `make bench`")
    bin_dir = Path(sys.executable).parent
    work = Path(tempfile.mkdtemp(prefix="bench-ingress-"))
    script = work / "post.lua"
    script.write_text(WRK_SCRIPT % {"body": BODY.decode(), "signature": sign(BODY, secret=SECRET.encode())})
    gateway_port, internal_port, bare_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "GATEWAY_PORT": str(gateway_port),
        "GATEWAY_INTERNAL_PORT": str(internal_port),
        "WHATSAPP_APP_SECRET": SECRET,
        "KAFKA_TOPIC_PREFIX": f"bench{uuid.uuid4().hex[:8]}.",
        "LOG_LEVEL": "WARNING",
    }
    uvicorn_flags = ["--host", "127.0.0.1", "--workers", "1", "--no-access-log", "--log-level", "warning"]
    servers = {
        "ingress": [str(bin_dir / "atende-gateway")],
        "bare": [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "--app-dir",
            str(HERE),
            "bare_app:bare",
            "--port",
            str(bare_port),
            *uvicorn_flags,
        ],
    }
    urls = {"ingress": f"http://127.0.0.1:{gateway_port}", "bare": f"http://127.0.0.1:{bare_port}"}
    processes = {name: start(cmd, env, work / f"{name}.log") for name, cmd in servers.items()}
    runs: dict[str, list[dict[str, float]]] = {"ingress": [], "bare": []}
    try:
        wait_ready(f"http://127.0.0.1:{internal_port}/readyz")
        wait_bare(urls["bare"])
        load = {"threads": args.threads, "connections": args.connections}
        for name in runs:
            wrk(urls[name] + "/webhooks/whatsapp", script, seconds=args.warmup, **load)
        # Alternate short rounds so that a noisy neighbour weighs on both sides alike.
        for _ in range(args.rounds):
            for name in ("bare", "ingress"):
                runs[name].append(
                    wrk(urls[name] + "/webhooks/whatsapp", script, seconds=max(1, args.seconds // args.rounds), **load)
                )
    finally:
        for process in processes.values():
            stop(process)
        shutil.rmtree(work, ignore_errors=True)
    results = {name: combine(figures) for name, figures in runs.items()}
    for name, figures in results.items():
        if figures["non2xx"] or figures["socket_errors"]:
            raise SystemExit(f"{name}: {figures['non2xx']} non-2xx answers, {figures['socket_errors']} socket errors")
    ingress, bare = results["ingress"], results["bare"]
    summary = {
        "ingress_rps": round(ingress["rps"], 1),
        "ingress_p50_ms": round(ingress["p50_ms"], 2),
        "ingress_p99_ms": round(ingress["p99_ms"], 2),
        "bare_rps": round(bare["rps"], 1),
        "bare_p99_ms": round(bare["p99_ms"], 2),
        "ingress_ratio": round(ingress["rps"] / bare["rps"], 3),
    }
    sys.stderr.write(
        f"webhook ingress: {summary['ingress_rps']} req/s (p50 {summary['ingress_p50_ms']} ms, "
        f"p99 {summary['ingress_p99_ms']} ms); bare FastAPI: {summary['bare_rps']} req/s; "
        f"ratio {summary['ingress_ratio']}\n"
    )
    sys.stdout.write(json.dumps(summary) + "\n")
    return 0


def wait_bare(base: str, timeout: float = 120.0) -> None:
    """Poll the bare app with a POST until it answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.post(base + "/webhooks/whatsapp", content=b"{}", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{base} not ready within {timeout} s")


if __name__ == "__main__":
    sys.exit(main())
