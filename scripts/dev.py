"""`make dev`: start local infrastructure, the three simulators and all eight services; print where
everything runs; on Ctrl-C (or SIGTERM) stop every process it started, infrastructure included."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = ROOT / ".run" / "dev"
BIN = ROOT / ".venv" / "bin"

# Development-only values: the simulators accept them; production refuses placeholders.
DEV_ENV = {
    "ENVIRONMENT": "development",
    "WHATSAPP_API_BASE_URL": "http://127.0.0.1:9001",
    "WHATSAPP_ACCESS_TOKEN": "dev-whatsapp-token",
    "WHATSAPP_APP_SECRET": "dev-app-secret",
    "WHATSAPP_VERIFY_TOKEN": "dev-verify-token",
    "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
    "WHATSAPP_BUSINESS_ACCOUNT_ID": "102290129340398",
    "WHATSAPP_SIM_WEBHOOK_URL": "http://127.0.0.1:8080/webhooks/whatsapp",
    "SGP_BASE_URL": "http://127.0.0.1:9002",
    "SGP_TOKEN": "dev-sgp-token",
    "SGP_APP": "atende",
    "GEMINI_BASE_URL": "http://127.0.0.1:9003",
    "GEMINI_API_KEY": "dev-gemini-key",
    "OPERATOR_API_TOKEN": "dev-operator-token",
    "ISP_NAME": "NetExemplo",
}


@dataclass(frozen=True)
class Program:
    """One process `make dev` runs, and where it answers."""

    name: str
    command: str
    port: int
    ready_path: str


SIMULATORS = [
    Program("whatsapp-sim", "atende-whatsapp-sim", 9001, "/healthz"),
    Program("sgp-sim", "atende-sgp-sim", 9002, "/healthz"),
    Program("gemini-sim", "atende-gemini-sim", 9003, "/healthz"),
]
SERVICES = [
    Program("gateway", "atende-gateway", 8080, "/readyz"),
    Program("auth", "atende-auth", 8081, "/readyz"),
    Program("whatsapp-connector", "atende-whatsapp-connector", 8082, "/readyz"),
    Program("conversation", "atende-conversation", 8083, "/readyz"),
    Program("nlu-gemini", "atende-nlu-gemini", 8084, "/readyz"),
    Program("sgp-adapter", "atende-sgp-adapter", 8085, "/readyz"),
    Program("campaign-scheduler", "atende-campaign-scheduler", 8086, "/readyz"),
    Program("notifier", "atende-notifier", 8087, "/readyz"),
]


def infra(action: str) -> None:
    """Run scripts/infra.py (it starts nothing that is given by KAFKA_BOOTSTRAP_SERVERS & co.)."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "infra.py"), action, "--dir", str(RUN_DIR)], check=True)


def infra_env() -> dict[str, str]:
    """The addresses infra.py wrote for the started infrastructure."""
    env: dict[str, str] = {}
    for line in (RUN_DIR / "env").read_text().splitlines():
        if line.startswith("export "):
            key, _, value = line.removeprefix("export ").partition("=")
            env[key] = value.strip("'\"")
    return env


def wait_ready(program: Program, process: subprocess.Popen[bytes], timeout: float = 90.0) -> bool:
    """Poll the program's readiness URL until 200, its exit, or the timeout."""
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{program.port}{program.ready_path}"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def stop(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    """SIGTERM every process group, then SIGKILL what is left after a grace period."""
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes.values():
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    """Start everything, print the table, and wait for Ctrl-C."""
    signal.signal(signal.SIGTERM, _interrupt)
    logs = RUN_DIR / "logs"
    infra("up")
    logs.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **DEV_ENV, **infra_env()}
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for program in [*SIMULATORS, *SERVICES]:
            with (logs / f"{program.name}.log").open("ab") as log_file:
                processes[program.name] = subprocess.Popen(
                    [str(BIN / program.command)],
                    env=env,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    cwd=ROOT,
                )
        failed = [p.name for p in [*SIMULATORS, *SERVICES] if not wait_ready(p, processes[p.name])]
        print_table(failed, logs)
        if failed:
            return 1
        while all(p.poll() is None for p in processes.values()):
            time.sleep(1)
        dead = [name for name, p in processes.items() if p.poll() is not None]
        sys.stderr.write(f"stopped because these exited: {', '.join(dead)} (see {logs})\n")
        return 1
    except KeyboardInterrupt:
        sys.stdout.write("\nstopping...\n")
        return 0
    finally:
        stop(processes)
        infra("down")


def print_table(failed: list[str], logs: Path) -> None:
    """Tell the person what runs where."""
    env = infra_env()
    lines = ["", "Atende is running:", ""]
    for program in [*SIMULATORS, *SERVICES]:
        state = "FAILED" if program.name in failed else "ready"
        lines.append(f"  {program.name:<20} http://127.0.0.1:{program.port:<6} {state}")
    lines += [
        "",
        f"  kafka  {env.get('KAFKA_BOOTSTRAP_SERVERS', '?')}   redis  {env.get('REDIS_URL', '?')}   "
        f"mongodb  {env.get('MONGODB_URI', '?')}",
        "",
        "  Chat as a customer:  http://127.0.0.1:9001/   (README lists CPFs to try)",
        f"  Logs:                {logs}",
        "  Ctrl-C stops everything.",
        "",
    ]
    if failed:
        lines.append(f"  Not ready: {', '.join(failed)} — see their logs above.")
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
