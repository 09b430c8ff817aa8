"""A backup, an erasure, the loss of every store, a restore: the erased person does not come back.

The whole platform runs as processes (atende_testing.platform) on real Kafka, Redis and the MongoDB-wire
server. Two customers identify by CPF; `atende backup create` takes a backup while the platform runs;
one of them is erased (journalled by the privacy client); then Redis is killed and started empty, the
database dropped and the deployment's Kafka topics deleted. `atende backup restore` brings both
customers back (the backup holds them) and re-publishes the journalled erasure; when the services
start again every one of them confirms it, and only the other customer is left.
"""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from pymongo.asynchronous.database import AsyncDatabase
from redis.asyncio import Redis

from atende_core.backup import run
from atende_core.backup.settings import BackupSettings
from atende_core.crypto import blind_index
from atende_core.privacy_cli import PrivacyClient, PrivacyCliSettings
from atende_testing import free_port, wait_until
from atende_testing.platform import PROGRAMS, Platform

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "redis-server"
PII_HASH_KEY = "backup-restore-test-hash-key-0123456789"
MARIA = ("5511987650101", "Maria Souza", "123.456.789-09")  # erased
PAULO = ("5511987650102", "Paulo Rocha", "333.444.555-08")  # kept


class PrivateRedis:
    """A redis-server of this test's own, which the test can destroy (kill, wipe) and start empty."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(  # noqa: S603 - a fixed command line
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def destroy(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
        for leftover in self.directory.glob("*"):
            leftover.unlink()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    redis = PrivateRedis(tmp_path / "redis")
    redis.start()
    yield redis
    redis.destroy()


def _platform(infra: dict[str, str], log_dir: Path) -> Platform:
    ports = {name: free_port() for name in PROGRAMS}
    internal = {p.name: free_port() for p in PROGRAMS.values() if p.internal_port_variable}
    return Platform(root=ROOT, log_dir=log_dir, infra_env=infra, ports=ports, internal_ports=internal)


async def _start(infra: dict[str, str], log_dir: Path) -> Platform:
    """The platform, ready. A second attempt on other ports when one was taken meanwhile (a free port
    can be handed to another process's outgoing connection between the choice and the bind)."""
    for attempt in (1, 2):
        platform = _platform(infra, log_dir / f"attempt-{attempt}")
        platform.start()
        not_ready = await asyncio.to_thread(platform.wait_ready, timeout=240)
        if not not_ready:
            return platform
        platform.stop()
        logs = {n: (log_dir / f"attempt-{attempt}" / f"{n}.log").read_text(errors="replace") for n in not_ready}
        if attempt == 2 or not any("address already in use" in text for text in logs.values()):
            raise AssertionError({n: text[-1500:] for n, text in logs.items()})
    raise AssertionError("unreachable")


async def _identify(http: httpx.AsyncClient, sim: str, customer: tuple[str, str, str]) -> None:
    """The customer asks for a bill copy and types the CPF, until the bot offers more help."""
    phone, name, cpf = customer

    async def says(**spec: Any) -> None:
        answer = await http.post(f"{sim}/_sim/inbound", json={"from": phone, "name": name, **spec})
        assert answer.json()["gateway_status"] == 200, answer.text

    async def reads(text: str, after: int) -> int:
        async def probe() -> int | None:
            calls = (await http.get(f"{sim}/_sim/requests", params={"phone": phone})).json()["requests"]
            bodies = [c["body"] or {} for c in calls if c["path"].endswith("/messages")]
            seen = [str(b) for b in bodies[after:]]
            return len(bodies) if any(text in s for s in seen) else None

        return await wait_until(probe, timeout=90, interval=0.2)

    await says(interactive={"type": "list_reply", "id": "menu:bill", "title": "2ª via da fatura"})
    seen = await reads("CPF", 0)
    await says(text=cpf)
    await reads("Posso ajudar em mais alguma coisa?", seen)


async def _links(db: AsyncDatabase[dict[str, Any]], cpf: str) -> list[dict[str, Any]]:
    index = blind_index(cpf, PII_HASH_KEY.encode())
    return await db["privacy_subject_links"].find({"document_index": index}).to_list()


async def _turn_keys(db: AsyncDatabase[dict[str, Any]]) -> set[str]:
    # (FerretDB's distinct refuses the client's maxTimeMS: a projection instead.)
    turns = await db["conversation_turns"].find({}, {"conversation_key": 1}).to_list()
    return {t["conversation_key"] for t in turns if t.get("conversation_key")}


async def _redis_keys_naming(redis_url: str, needle: str) -> list[bytes]:
    redis = Redis.from_url(redis_url)
    try:
        return [k async for k in redis.scan_iter(count=1000) if needle.encode() in k]
    finally:
        await redis.aclose()


async def _destroy_topics(bootstrap: str, prefix: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        mine = [t for t in await admin.list_topics() if t.startswith(prefix)]
        await admin.delete_topics(mine)

        async def gone() -> bool:
            return not any(t.startswith(prefix) for t in await admin.list_topics())

        await wait_until(gone, timeout=60, interval=0.5)
    finally:
        await admin.close()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10) as client:
        yield client


async def test_a_restore_brings_the_data_back_but_never_an_erased_person(
    private_redis: PrivateRedis,
    mongo_db: AsyncDatabase[dict[str, Any]],
    topic_prefix: str,
    kafka_bootstrap_servers: str,
    mongodb_uri: str,
    http: httpx.AsyncClient,
    tmp_path: Path,
) -> None:
    infra = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": topic_prefix,
        "REDIS_URL": private_redis.url,
        "MONGODB_URI": mongodb_uri,
        "MONGODB_DATABASE": mongo_db.name,
        "PII_HASH_KEY": PII_HASH_KEY,
        "CACHE_HASH_KEY": PII_HASH_KEY,  # one key per deployment: erasure finds the SGP cache by document
        "LOG_LEVEL": "WARNING",
        "NLU_MODEL_PATH": str(tmp_path / "nlu" / "nlu-model.joblib"),
        "NLU_FEEDBACK_PATH": str(tmp_path / "nlu" / "feedback.jsonl"),
    }
    stores = {
        "environment": "test",
        "kafka_bootstrap_servers": kafka_bootstrap_servers,
        "kafka_topic_prefix": topic_prefix,
        "redis_url": private_redis.url,
        "mongodb_uri": mongodb_uri,
        "mongodb_database": mongo_db.name,
        "privacy_erasure_journal": tmp_path / "journal" / "erasures.jsonl",  # beside the backups
        "privacy_timeout_s": 120,
    }
    backups = BackupSettings(
        **stores, backup_dir=tmp_path / "backups", backup_key=base64.b64encode(os.urandom(32)).decode()
    )

    # --- two customers, one backup, one erasure ------------------------------------------------------
    first = await _start(infra, tmp_path / "logs-1")
    try:
        await asyncio.gather(*(_identify(http, first.url("whatsapp-sim"), c) for c in (MARIA, PAULO)))
        maria_links = await wait_until(lambda: _links(mongo_db, MARIA[2]), timeout=30)
        await wait_until(lambda: _links(mongo_db, PAULO[2]), timeout=30)
        maria_conversation = maria_links[0]["conversation_id"]
        assert await _redis_keys_naming(private_redis.url, maria_conversation)
        both = await _turn_keys(mongo_db)
        assert len(both) == 2

        created = await run.create(backups)
        assert created["manifest"]["mongo"]["collections"]["privacy_subject_links"] == 2
        assert created["manifest"]["kafka"]["groups"] > 0

        async with PrivacyClient(PrivacyCliSettings(**stores, pii_hash_key=PII_HASH_KEY)) as privacy:
            erased = await privacy.erase(MARIA[2], requested_by="dpo")
        assert erased.missing == [], erased.missing
        assert await _links(mongo_db, MARIA[2]) == []
        (paulo_key,) = await _turn_keys(mongo_db)
    finally:
        first.stop()

    # --- every store lost ----------------------------------------------------------------------------
    private_redis.destroy()
    private_redis.start()
    await mongo_db.client.drop_database(mongo_db.name)
    await _destroy_topics(kafka_bootstrap_servers, topic_prefix)

    # --- restore: both come back from the backup, the erasure is re-published -------------------------
    restored = await run.restore(backups, Path(created["archive"]))
    assert restored["erasures_replayed"] == [erased.request_id]
    assert restored["kafka"]["topics"]["created"]
    assert await _links(mongo_db, MARIA[2])  # the backup held her: only the replay can remove her
    assert await _links(mongo_db, PAULO[2])
    assert await _turn_keys(mongo_db) == both
    assert await _redis_keys_naming(private_redis.url, maria_conversation)

    # --- the services start on the restored stores and apply the erasure again -----------------------
    second = await _start(infra, tmp_path / "logs-2")
    try:

        async def confirmed_by_all() -> bool:
            async with PrivacyClient(PrivacyCliSettings(**stores, pii_hash_key=PII_HASH_KEY)) as privacy:
                status = await privacy.status(erased.request_id, timeout_s=5)
            # Confirmations of the first erasure were on the deleted topics: these are the replay's.
            return status.missing == []

        await wait_until(confirmed_by_all, timeout=180, interval=2)
        assert await _links(mongo_db, MARIA[2]) == []
        assert await _turn_keys(mongo_db) == {paulo_key}
        assert await _redis_keys_naming(private_redis.url, maria_conversation) == []
        assert len(await _links(mongo_db, PAULO[2])) == 1
    finally:
        second.stop()
