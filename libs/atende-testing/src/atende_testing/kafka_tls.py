"""A second, throwaway single-node KRaft broker with an SSL and a SASL_SSL (SCRAM-SHA-512) listener.

It runs from the same jars as the default broker (`scripts/infra.py`'s `kafka_libs()`, relative to
the repository these tests run in), on free loopback ports, with PEM key, certificate and CA signed
by a test CA (`atende_testing.tls`). Start it once per module: a cold JVM needs several seconds.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_fixed

from atende_testing.repo import infra_script
from atende_testing.tls import TlsFiles, make_tls_files

HOST = "127.0.0.1"
SCRAM_USER = "atende"
START_TIMEOUT_S = 90.0


class _NotListening(Exception):
    pass


@dataclass(frozen=True)
class TlsBroker:
    """Where the broker listens and what a client needs to trust and authenticate."""

    ssl_bootstrap: str
    sasl_ssl_bootstrap: str
    tls: TlsFiles
    username: str
    password: str
    start_s: float


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind((HOST, 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _inline(pem: Path) -> str:
    """A PEM file as one Java-properties value (`\\n` escapes)."""
    return pem.read_text().strip().replace("\n", "\\n")


def _server_properties(home: Path, tls: TlsFiles, ports: list[int], *, single_node: str) -> str:
    ssl_port, sasl_port, internal_port, controller_port = ports
    return f"""\
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@{HOST}:{controller_port}
listeners=SSL://{HOST}:{ssl_port},SASL_SSL://{HOST}:{sasl_port},INTERNAL://{HOST}:{internal_port},CONTROLLER://{HOST}:{controller_port}
advertised.listeners=SSL://{HOST}:{ssl_port},SASL_SSL://{HOST}:{sasl_port},INTERNAL://{HOST}:{internal_port}
listener.security.protocol.map=SSL:SSL,SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=INTERNAL
ssl.keystore.type=PEM
ssl.keystore.certificate.chain={_inline(tls.cert_file)}
ssl.keystore.key={_inline(tls.key_file)}
ssl.truststore.type=PEM
ssl.truststore.certificates={_inline(tls.ca_file)}
ssl.client.auth=none
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
log.dirs={home / "data"}
{single_node}\
num.network.threads=2
num.io.threads=2
background.threads=2
"""


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
        return True
    return False


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else "(no log)"


@contextlib.contextmanager
def tls_kafka_broker(home: Path, *, password: str, timeout_s: float = START_TIMEOUT_S) -> Iterator[TlsBroker]:
    """Format and start the broker under `home`; yield once both TLS listeners accept; always stop it."""
    infra = infra_script()
    libs: Path = infra.kafka_libs()
    if not libs.is_dir():
        raise RuntimeError(f"Kafka jars not found at {libs}: run `scripts/infra.py up` once (it fetches them)")
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("java not found: a Java 17+ runtime runs the test broker")
    tls = make_tls_files(home / "tls")
    ports = _free_ports(4)
    server = home / "server.properties"
    server.write_text(_server_properties(home, tls, ports, single_node=infra.SINGLE_NODE_BROKER))
    log4j = home / "log4j2.properties"
    log4j.write_text(
        "status = warn\nappender.out.type = Console\nappender.out.name = out\n"
        "appender.out.layout.type = PatternLayout\nappender.out.layout.pattern = %d %p %c - %m%n\n"
        "rootLogger.level = INFO\nrootLogger.appenderRef.out.ref = out\n"
    )
    common = [f"-Dlog4j2.configurationFile={log4j}", "-cp", f"{libs}/*"]
    started = time.monotonic()
    formatted = subprocess.run(  # noqa: S603 - our own java and arguments
        [
            java,
            *infra.FORMAT_JVM_OPTS,
            *common,
            "kafka.tools.StorageTool",
            "format",
            "-t",
            infra.kafka_cluster_id(),
            "-c",
            str(server),
            "--add-scram",
            f"SCRAM-SHA-512=[name={SCRAM_USER},password={password}]",
        ],
        check=False,
        capture_output=True,
        timeout=timeout_s,
    )
    if formatted.returncode != 0:
        output = (formatted.stdout + formatted.stderr).decode(errors="replace").replace(password, "***")
        raise RuntimeError(
            f"formatting the TLS test broker's storage failed ({formatted.returncode}):\n{output[-3000:]}"
        )
    log = home / "kafka.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own java and arguments
            [java, *infra.KAFKA_JVM_OPTS, *common, "kafka.Kafka", str(server)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        try:
            for attempt in Retrying(
                stop=stop_after_delay(timeout_s),
                wait=wait_fixed(0.2),
                reraise=True,
                retry=retry_if_exception_type(_NotListening),
            ):
                with attempt:
                    if proc.poll() is not None:
                        raise RuntimeError(f"the TLS test broker exited with {proc.returncode}:\n{_tail(log)}")
                    if not (_listening(ports[0]) and _listening(ports[1])):
                        raise _NotListening
        except _NotListening:
            raise RuntimeError(f"the TLS test broker did not listen within {timeout_s:.0f}s:\n{_tail(log)}") from None
        yield TlsBroker(
            ssl_bootstrap=f"{HOST}:{ports[0]}",
            sasl_ssl_bootstrap=f"{HOST}:{ports[1]}",
            tls=tls,
            username=SCRAM_USER,
            password=password,
            start_s=time.monotonic() - started,
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
