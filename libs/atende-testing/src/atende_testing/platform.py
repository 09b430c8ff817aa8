"""The whole platform as real processes (three simulators, eight services) on chosen ports: used by
`make dev`, the end-to-end benchmark and tests that kill and restart a service."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Program:
    """One process of the platform: its console script, the variable that sets its port, its readiness
    path, and (for a public-facing service) the internal port that serves health and metrics."""

    name: str
    command: str
    port_variable: str
    default_port: int
    ready_path: str
    internal_port_variable: str = ""
    default_internal_port: int = 0


SIMULATORS = (
    Program("whatsapp-sim", "atende-whatsapp-sim", "WHATSAPP_SIM_PORT", 9001, "/_sim/health"),
    Program("sgp-sim", "atende-sgp-sim", "SGP_SIM_PORT", 9002, "/_sim/healthz"),
    Program("gemini-sim", "atende-gemini-sim", "GEMINI_SIM_PORT", 9003, "/healthz"),
)
SERVICES = (
    Program("gateway", "atende-gateway", "GATEWAY_PORT", 8080, "/readyz", "GATEWAY_INTERNAL_PORT", 8090),
    Program("auth", "atende-auth", "AUTH_PORT", 8081, "/readyz"),
    Program("whatsapp-connector", "atende-whatsapp-connector", "WHATSAPP_CONNECTOR_PORT", 8082, "/readyz"),
    Program("conversation", "atende-conversation", "CONVERSATION_PORT", 8083, "/readyz"),
    Program("nlu-gemini", "atende-nlu-gemini", "NLU_PORT", 8084, "/readyz"),
    Program("sgp-adapter", "atende-sgp-adapter", "SGP_ADAPTER_PORT", 8085, "/readyz"),
    Program("campaign-scheduler", "atende-campaign-scheduler", "CAMPAIGN_SCHEDULER_PORT", 8086, "/readyz"),
    Program("notifier", "atende-notifier", "NOTIFIER_PORT", 8087, "/readyz"),
)
PROGRAMS = {p.name: p for p in (*SIMULATORS, *SERVICES)}

# Development-only values the simulators accept; production settings refuse such placeholders.
DEV_SECRETS = {
    "ENVIRONMENT": "development",
    "WHATSAPP_ACCESS_TOKEN": "dev-whatsapp-token",
    "WHATSAPP_APP_SECRET": "dev-app-secret",
    "WHATSAPP_VERIFY_TOKEN": "dev-verify-token",
    "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
    "WHATSAPP_BUSINESS_ACCOUNT_ID": "102290129340398",
    "SGP_TOKEN": "dev-sgp-token",
    "SGP_APP": "atende",
    "GEMINI_API_KEY": "dev-gemini-key",
    # /metrics and internal routes (e.g. the connector's /media, the conversation's transcripts).
    "INTERNAL_API_TOKEN": "dev-internal-token",
    "ISP_NAME": "NetExemplo",
}


class Platform:
    """Starts, watches, restarts and stops the platform's processes (each in its own process group)."""

    def __init__(
        self,
        *,
        root: Path,
        log_dir: Path,
        infra_env: Mapping[str, str],
        ports: Mapping[str, int] | None = None,
        internal_ports: Mapping[str, int] | None = None,
        bins: Mapping[str, Path] | None = None,
    ) -> None:
        self._root = root
        # Where each program's console script is: the development venv, unless given (e.g. an image's).
        self._bins = {name: (bins or {}).get(name, root / ".venv" / "bin") for name in PROGRAMS}
        self._logs = log_dir
        self.ports = {name: (ports or {}).get(name, p.default_port) for name, p in PROGRAMS.items()}
        self.internal_ports = {
            name: (internal_ports or {}).get(name, p.default_internal_port)
            for name, p in PROGRAMS.items()
            if p.internal_port_variable
        }
        self.env = {**os.environ, **DEV_SECRETS, **infra_env, **self._wiring()}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def _wiring(self) -> dict[str, str]:
        """Every port variable, and the URLs by which programs find each other."""
        env = {PROGRAMS[name].port_variable: str(port) for name, port in self.ports.items()}
        env.update({PROGRAMS[name].internal_port_variable: str(port) for name, port in self.internal_ports.items()})
        env.update(
            AUTH_URL=self.url("auth"),
            WHATSAPP_API_BASE_URL=self.url("whatsapp-sim"),
            # The simulator serves media downloads on its own origin, allowed through the setting (the
            # connector's default list of Meta hosts, plus that origin).
            WHATSAPP_MEDIA_DOWNLOAD_HOSTS="lookaside.fbsbx.com,*.fbsbx.com,*.fbcdn.net,*.whatsapp.net,"
            + self.url("whatsapp-sim"),
            WHATSAPP_SIM_WEBHOOK_URL=self.url("gateway") + "/webhooks/whatsapp",
            # Templates an agent can send from the console (approved, pending and rejected samples).
            WHATSAPP_SIM_SAMPLE_TEMPLATES="true",
            # The gateway reaches the connector's internal API (templates, uploads) here.
            WHATSAPP_CONNECTOR_URL=self.url("whatsapp-connector"),
            SGP_BASE_URL=self.url("sgp-sim"),
            GEMINI_BASE_URL=self.url("gemini-sim"),
        )
        return env

    def url(self, name: str) -> str:
        """Base URL of one program."""
        return f"http://127.0.0.1:{self.ports[name]}"

    def internal_url(self, name: str) -> str:
        """Base URL of a program's health, readiness and metrics (its internal port when it has one)."""
        port = self.internal_ports.get(name)
        return f"http://127.0.0.1:{port}" if port else self.url(name)

    @property
    def internal_headers(self) -> dict[str, str]:
        """Headers that open /metrics and internal routes."""
        return {"Authorization": f"Bearer {self.env['INTERNAL_API_TOKEN']}"}

    def start(self, names: Iterable[str] | None = None) -> None:
        """Start programs (all by default, simulators first)."""
        self._logs.mkdir(parents=True, exist_ok=True)
        for name in names or PROGRAMS:
            with (self._logs / f"{name}.log").open("ab") as log_file:
                self.processes[name] = subprocess.Popen(  # noqa: S603 - our own console scripts
                    [str(self._bins[name] / PROGRAMS[name].command)],
                    env=self.env,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    cwd=self._root,
                )

    def wait_ready(self, names: Iterable[str] | None = None, *, timeout: float = 120.0) -> list[str]:
        """Poll readiness until every program answers 200; the names that did not."""
        deadline = time.monotonic() + timeout
        pending = list(names or self.processes)
        while pending and time.monotonic() < deadline:
            for name in list(pending):
                if self.processes[name].poll() is not None:
                    return pending
                if _answers(self.internal_url(name) + PROGRAMS[name].ready_path):
                    pending.remove(name)
            if pending:
                time.sleep(0.25)
        return pending

    def stop(self, names: Iterable[str] | None = None, *, kill: bool = False) -> None:
        """SIGTERM (or SIGKILL) programs' process groups and wait for them."""
        chosen = [self.processes[n] for n in (names or list(self.processes)) if n in self.processes]
        for process in chosen:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in chosen:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def exited(self) -> list[str]:
        """Programs whose process has ended."""
        return [name for name, process in self.processes.items() if process.poll() is not None]

    def pids(self) -> dict[str, int]:
        """Process id of each running program."""
        return {name: p.pid for name, p in self.processes.items() if p.poll() is None}


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
            return bool(response.status == 200)
    except OSError:
        return False
