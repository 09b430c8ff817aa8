"""`make dev`: start local infrastructure, the three simulators and all eight services; print where
everything runs; on Ctrl-C (or SIGTERM) stop every process it started, infrastructure included."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from atende_testing.platform import PROGRAMS, Platform

ROOT = Path(__file__).resolve().parent.parent
RUN_DIR = ROOT / ".run" / "dev"


def infra(action: str) -> None:
    """Run scripts/infra.py (it starts nothing that KAFKA_BOOTSTRAP_SERVERS & co. already give)."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "infra.py"), action, "--dir", str(RUN_DIR)], check=True)


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
    platform: Platform | None = None
    try:
        infra("up")
        platform = Platform(root=ROOT, log_dir=RUN_DIR / "logs", infra_env=infra_env())
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
        infra("down")


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
        f"  Operator login:      POST {platform.url('gateway')}/auth/login (users: `atende auth create-admin`)",
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
