"""`make dev`'s own checks: a port whose last connections sit in TIME_WAIT is free (a restart right
after Ctrl-C works), a port someone listens on is not; the person's `.env` and environment win."""

from __future__ import annotations

import importlib.util
import socket
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def load(script: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"atende_script_{script}", ROOT / "scripts" / f"{script}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def port_in_time_wait() -> int:
    """A port with no listener whose server side closed a connection first (so it sits in TIME_WAIT).

    The listener sets SO_REUSEADDR as Kafka (the JVM's default), Redis and uvicorn do: Linux lets a new
    bind ignore a TIME_WAIT socket only when both carry the option."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = int(listener.getsockname()[1])
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = listener.accept()
        accepted.close()  # the server closes first: TIME_WAIT is on the server's port
        client.recv(1)
        client.close()
    return port


def test_a_port_in_time_wait_is_free_for_infra_and_dev() -> None:
    infra = load("infra")
    dev = load("dev")
    port = port_in_time_wait()
    with socket.socket() as plain, pytest.raises(OSError, match="in use"):
        plain.bind(("127.0.0.1", port))  # what the old check did: "in use" for about a minute
    assert infra.port_is_free(port)
    assert dev.busy_ports({"gateway": port}) == []


def test_a_port_with_a_listener_is_busy() -> None:
    infra = load("infra")
    dev = load("dev")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = int(listener.getsockname()[1])
        assert not infra.port_is_free(port)
        assert dev.busy_ports({"gateway": port}) == [f"gateway (port {port}; set GATEWAY_PORT to use another)"]


def test_the_environment_beats_the_dotenv_file_which_beats_the_defaults(tmp_path: Path) -> None:
    dev = load("dev")
    (tmp_path / ".env").write_text(
        "WHATSAPP_VERIFY_TOKEN=from-dotenv\nGATEWAY_PORT=18080\nSGP_BASE_URL=https://sgp.isp\n"
    )
    values = dev.person_settings(tmp_path, {"GATEWAY_PORT": "28080"})
    assert values["WHATSAPP_VERIFY_TOKEN"] == "from-dotenv"
    assert values["SGP_BASE_URL"] == "https://sgp.isp"
    ports = dev.chosen_ports(values)
    assert ports["gateway"] == 28080
    assert ports["sgp-sim"] == 9002
    with pytest.raises(SystemExit, match="GATEWAY_PORT='80a' is not a port number"):
        dev.chosen_ports({"GATEWAY_PORT": "80a"})
    assert dev.person_settings(tmp_path / "nothing-here", {}) == {}
