"""`make dev`: start local infrastructure, the three simulators and all eight services; print where
everything runs; on Ctrl-C (or SIGTERM) stop every process it started, infrastructure included.

What the person sets wins over the development defaults: variables in the environment, then a `.env`
file at the repository root (e.g. WHATSAPP_* for their own Meta test number, SGP_* for their own SGP,
GATEWAY_PORT and the other port variables).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from dotenv import dotenv_values

from atende_testing.platform import PROGRAMS, Platform

ROOT = Path(__file__).resolve().parent.parent
# Data, logs and pids of this run (tests that run the launcher give it a directory of their own).
RUN_DIR = Path(os.environ.get("ATENDE_DEV_RUN_DIR") or ROOT / ".run" / "dev")


def infra(action: str, env: Mapping[str, str]) -> None:
    """Run scripts/infra.py (it starts nothing that KAFKA_BOOTSTRAP_SERVERS & co. already give)."""
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "infra.py"), action, "--dir", str(RUN_DIR)], check=True, env=dict(env)
    )


def person_settings(root: Path = ROOT, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """What the person set: the repository's `.env` file, and above it the environment."""
    dotenv = root / ".env"
    values = {k: v for k, v in dotenv_values(dotenv).items() if v is not None} if dotenv.is_file() else {}
    values.update(environ)
    return values


def chosen_ports(values: Mapping[str, str]) -> dict[str, int]:
    """Each program's port: its variable (GATEWAY_PORT, ...) when set, else the default."""
    ports: dict[str, int] = {}
    for name, program in PROGRAMS.items():
        raw = values.get(program.port_variable, "").strip()
        if not raw:
            ports[name] = program.default_port
        elif raw.isdigit() and 0 < int(raw) < 65536:
            ports[name] = int(raw)
        else:
            raise SystemExit(f"dev: {program.port_variable}={raw!r} is not a port number")
    return ports


def busy_ports(ports: Mapping[str, int]) -> list[str]:
    """Programs whose port something else listens on. SO_REUSEADDR, as uvicorn binds: connections of a
    `make dev` stopped a moment ago, still in TIME_WAIT, do not make a port busy."""
    busy = []
    for name, port in ports.items():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                busy.append(f"{name} (port {port}; set {PROGRAMS[name].port_variable} to use another)")
    return busy


def infra_env() -> dict[str, str]:
    """The addresses infra.py wrote for the infrastructure it started."""
    env: dict[str, str] = {}
    for line in (RUN_DIR / "env").read_text().splitlines():
        if line.startswith("export "):
            key, _, value = line.removeprefix("export ").partition("=")
            env[key] = value.strip("'\"")
    return env


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    """Start everything, print the table, and wait for Ctrl-C."""
    signal.signal(signal.SIGTERM, _interrupt)
    person = person_settings()
    ports = chosen_ports(person)
    busy = busy_ports(ports)
    if busy:
        sys.stderr.write("dev: these ports are in use (another `make dev`?):\n  " + "\n  ".join(busy) + "\n")
        return 1
    platform: Platform | None = None
    try:
        infra("up", person)
        platform = Platform(root=ROOT, log_dir=RUN_DIR / "logs", infra_env=infra_env(), ports=ports)
        # The person's values win over the development defaults the launcher fills in.
        platform.env.update({"ENVIRONMENT": "development", **person})
        platform.start()
        failed = platform.wait_ready()
        print_table(platform, failed)
        if failed:
            return 1
        while not platform.exited():
            time.sleep(1)
        sys.stderr.write(f"stopped because these exited: {', '.join(platform.exited())} (see {RUN_DIR / 'logs'})\n")
        return 1
    except KeyboardInterrupt:
        sys.stdout.write("\nstopping...\n")
        return 0
    finally:
        if platform is not None:
            platform.stop()
        infra("down", person)


def print_table(platform: Platform, failed: list[str]) -> None:
    """Tell the person what runs where."""
    env = platform.env
    lines = ["", "Atende is running:", ""]
    for name in PROGRAMS:
        lines.append(f"  {name:<20} {platform.url(name):<24} {'NOT READY' if name in failed else 'ready'}")
    lines += [
        "",
        f"  kafka {env.get('KAFKA_BOOTSTRAP_SERVERS')}   redis {env.get('REDIS_URL')}   "
        f"mongodb {env.get('MONGODB_URI')}",
        "",
        f"  Chat as a customer:  {platform.url('whatsapp-sim')}/   (README lists CPFs to try)",
        f"  Agents' console:     {platform.url('gateway')}/console/   (first user: `atende auth create-admin`)",
        f"  Operator API docs:   {platform.url('gateway')}/console/api-docs   (after logging in to the console)",
        f"  Gateway health:      {platform.internal_url('gateway')}/readyz   (metrics: Bearer $INTERNAL_API_TOKEN)",
        f"  Logs:                {RUN_DIR / 'logs'}",
        "  Ctrl-C stops everything.",
        "",
    ]
    if failed:
        lines.append(f"  Not ready: {', '.join(failed)}; see their logs.")
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
