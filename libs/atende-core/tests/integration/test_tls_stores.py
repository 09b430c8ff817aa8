"""Redis over real TLS (rediss://): a redis-server with only a TLS port and client certificates
required, reached through the settings' REDIS_TLS_* files and `stores.redis_client`."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from atende_core.settings import ServiceSettings
from atende_core.stores import redis_client
from atende_testing import free_port, wait_until
from atende_testing.tls import TlsFiles, make_tls_files

pytestmark = pytest.mark.integration


@pytest.fixture
def tls_redis(tmp_path: Path) -> Iterator[tuple[int, TlsFiles]]:
    server = shutil.which("redis-server")
    assert server is not None, "redis-server is needed (Debian's is built with TLS)"
    tls = make_tls_files(tmp_path / "tls")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - the system's redis-server with fixed arguments
        [
            server,
            "--port",
            "0",
            "--tls-port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--tls-cert-file",
            str(tls.cert_file),
            "--tls-key-file",
            str(tls.key_file),
            "--tls-ca-cert-file",
            str(tls.ca_file),
            "--tls-auth-clients",
            "yes",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield port, tls
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_rediss_with_the_ca_and_a_client_certificate(tls_redis: tuple[int, TlsFiles]) -> None:
    port, tls = tls_redis
    settings = ServiceSettings(
        environment="test",
        redis_url=f"rediss://127.0.0.1:{port}/0",
        redis_tls_ca_file=tls.ca_file,
        redis_tls_cert_file=tls.cert_file,
        redis_tls_key_file=tls.key_file,
    )
    client = redis_client(settings.redis_url)
    try:

        async def answers() -> bool:
            try:
                return bool(await client.ping())
            except RedisConnectionError:
                return False

        await wait_until(answers, timeout=15, interval=0.1)
        await client.set("tls-check", "ok")
        assert await client.get("tls-check") == b"ok"
    finally:
        await client.aclose()

    # Without our CA the server's certificate is not trusted; without a client certificate the
    # server refuses us; plain redis:// on the TLS port never gets an answer.
    for url in (
        f"rediss://127.0.0.1:{port}/0",
        ServiceSettings(
            environment="test", redis_url=f"rediss://127.0.0.1:{port}/0", redis_tls_ca_file=tls.ca_file
        ).redis_url,
        f"redis://127.0.0.1:{port}/0",
    ):
        refused = redis_client(url)
        try:
            with pytest.raises(RedisConnectionError):
                await refused.ping()
        finally:
            await refused.aclose()


def test_tls_files_need_a_tls_url_and_reach_mongodb_uris_too(tmp_path: Path) -> None:
    from atende_core.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="rediss://"):
        ServiceSettings(environment="test", redis_tls_ca_file=tmp_path / "ca.pem")
    settings = ServiceSettings(
        environment="test",
        mongodb_uri="mongodb://db.internal:27017/?replicaSet=rs0",
        mongodb_tls_ca_file=tmp_path / "ca.pem",
    )
    assert settings.mongodb_uri == (
        f"mongodb://db.internal:27017/?replicaSet=rs0&tls=true&tlsCAFile={str(tmp_path / 'ca.pem').replace('/', '%2F')}"
    )
