"""`make dr-drill`: the disaster-recovery drill (docs/deployment/DISASTER_RECOVERY.md).

On infrastructure of its own (Kafka and FerretDB from scripts/infra.py, a Redis with AOF everysec as
production runs it), the whole platform runs with traffic from simulated WhatsApp customers. The
scheduled backup (`atende backup create`, every 6 h in production) runs once: the drill lasts minutes,
so that one archive is the last backup before the disaster, as it would be. Traffic goes on; then every
store is destroyed at once (SIGKILL of the Kafka broker, Redis and FerretDB; FerretDB's files deleted:
no MongoDB data survives) and the services are stopped. Recovery: Kafka restarts from its log (in
production the replicas in the other zones), Redis from its AOF, MongoDB from the archive, whose
privacy-link consumer groups are rewound to rebuild what came after; the erasures journalled since
are re-published; the services start; a new customer writes.

Measured:
    dr_rpo_s   the longest window of data lost over the three stores: the disaster's time minus the
               newest record that survived of a heartbeat written every 100 ms into each store (a Redis
               key, a Kafka topic with acks=all, a MongoDB collection backed up with the others);
               dr_rpo_kafka_s, dr_rpo_redis_s, dr_rpo_mongo_s each, and dr_rpo_transcripts_s for the
               customers' transcript lines (MongoDB) written before the disaster and missing after it
    dr_rto_s   from the disaster until a new customer's first message is answered again
    dr_sends_replayed  messages the recovered platform sent to the earlier customers before they wrote
               again (answers in flight at the disaster, or answers sent a second time)
    dr_duplicate_sends  messages to the earlier customers (both simulators) minus the distinct send
               commands to them on whatsapp.outbound, once the backlog went out: 0 means each once
Written into .bench/results.json (merged with the keys already there); the summary goes to stdout.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from pymongo import AsyncMongoClient
from redis.asyncio import Redis

from atende.whatsapp.v1.whatsapp_pb2 import SendMessage
from atende_core.backup import run as backup
from atende_core.backup.settings import BackupSettings
from atende_core.bus import DecodeError, decode
from atende_testing import free_port
from atende_testing.platform import PROGRAMS, Platform

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / ".bench" / "results.json"
CUSTOMERS = int(os.environ.get("DR_DRILL_CUSTOMERS", "6"))
WARMUP_S = float(os.environ.get("DR_DRILL_WARMUP_S", "30"))
# Traffic between the scheduled backup and the disaster.
AFTER_BACKUP_S = float(os.environ.get("DR_DRILL_AFTER_BACKUP_S", "120"))
PRODUCTION_BACKUP_INTERVAL_S = 6 * 3600
# No message to the earlier customers for this long: the backlog after the recovery has gone out.
QUIET_S = float(os.environ.get("DR_DRILL_QUIET_S", "60"))
HEARTBEAT_S = 0.1
CPFS = ("123.456.789-09", "333.444.555-08", "111.444.777-35", "987.654.321-00", "555.666.777-20")
REWIND = ("conversation-privacy-links", "conversation-privacy-found")
MESSAGES = ("oi", "quero a segunda via da fatura", "{cpf}", "obrigado", "minha internet está lenta", "tchau")


def say(message: str) -> None:
    """Progress on stderr (stdout's last line is the figures, for scripts/bench.py)."""
    sys.stderr.write(f"dr-drill {datetime.now(UTC):%H:%M:%S} {message}\n")
    sys.stderr.flush()


@dataclass
class Infra:
    """Kafka and FerretDB under scripts/infra.py, and Redis with AOF (the production setting)."""

    run_dir: Path
    redis_port: int = field(default_factory=free_port)
    redis: subprocess.Popen[bytes] | None = None
    env: dict[str, str] = field(default_factory=dict)

    def up(self, *, fresh: bool) -> None:
        """Start the stores; again on other ports when a port chosen free was taken meanwhile (another
        process's outgoing connection can get it between the choice and the bind)."""
        self._start_redis()
        for attempt in (1, 2, 3):
            try:
                self._up(fresh=fresh)
                return
            except RuntimeError as exc:
                if attempt == 3 or "Address already in use" not in (self.run_dir / "logs" / "kafka.log").read_text(
                    errors="replace"
                ):
                    raise
                say(f"a port was taken meanwhile, starting again ({exc.__class__.__name__})")
                self.down(keep_redis=True)

    def _up(self, *, fresh: bool) -> None:
        # REDIS_URL set: infra.py starts Kafka and FerretDB only (Redis is ours, with AOF).
        redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        command = [sys.executable, "scripts/infra.py", "up", "--dir", str(self.run_dir), "--free-ports"]
        done = subprocess.run(
            [*command, *(["--fresh"] if fresh else [])],
            cwd=ROOT,
            env={**os.environ, "REDIS_URL": redis_url},
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"infra.py up failed:\n{done.stdout}\n{done.stderr}")
        self.env = {}
        for line in (self.run_dir / "env").read_text().splitlines():
            name, _, value = line.removeprefix("export ").partition("=")
            self.env[name] = value.strip("'\"")
        self.env["REDIS_URL"] = redis_url

    def _start_redis(self) -> None:
        data = self.run_dir / "redis-aof"
        data.mkdir(parents=True, exist_ok=True)
        server = shutil.which("redis-server") or "redis-server"
        self.redis = subprocess.Popen(
            [
                server,
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(data),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def destroy(self) -> None:
        """SIGKILL every store at once; FerretDB's files go too (MongoDB lost for good)."""
        if self.redis is not None:
            self.redis.kill()
            self.redis.wait()
        for line in (self.run_dir / "pids").read_text().splitlines():
            name, pid, _ = line.split()
            if name in ("kafka", "ferretdb"):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(int(pid), signal.SIGKILL)
        (self.run_dir / "pids").unlink()
        shutil.rmtree(self.run_dir / "ferretdb", ignore_errors=True)

    def down(self, *, keep_redis: bool = False) -> None:
        subprocess.run(
            [sys.executable, "scripts/infra.py", "down", "--dir", str(self.run_dir)], cwd=ROOT, capture_output=True
        )
        if not keep_redis and self.redis is not None and self.redis.poll() is None:
            self.redis.kill()
            self.redis.wait()


def platform_env(infra: Infra, work: Path) -> dict[str, str]:
    return {
        **infra.env,
        "MONGODB_DATABASE": "atende",
        "LOG_LEVEL": "WARNING",
        "NLU_MODEL_PATH": str(work / "nlu" / "nlu-model.joblib"),
        "NLU_FEEDBACK_PATH": str(work / "nlu" / "feedback.jsonl"),
    }


async def start_platform(env: dict[str, str], logs: Path) -> Platform:
    """The platform, ready; again on other ports when one chosen free was taken meanwhile."""
    for attempt in (1, 2):
        ports = {name: free_port() for name in PROGRAMS}
        internal = {p.name: free_port() for p in PROGRAMS.values() if p.internal_port_variable}
        log_dir = logs / f"attempt-{attempt}"
        platform = Platform(root=ROOT, log_dir=log_dir, infra_env=env, ports=ports, internal_ports=internal)
        platform.start()
        not_ready = await asyncio.to_thread(platform.wait_ready, timeout=300)
        if not not_ready:
            return platform
        platform.stop()
        texts = [(log_dir / f"{name}.log").read_text(errors="replace") for name in not_ready]
        if attempt == 2 or not any("address already in use" in text for text in texts):
            raise RuntimeError(f"not ready: {not_ready} (logs in {log_dir})")
        say(f"{not_ready}: a port was taken meanwhile, starting again")
    raise AssertionError("unreachable")


async def customer(http: httpx.AsyncClient, sim: str, phone: str, cpf: str, sent: list[float]) -> None:
    """One customer writing every ~2 s, round the flows (a CPF now and then)."""
    index = 0
    while True:
        text = MESSAGES[index % len(MESSAGES)].format(cpf=cpf)
        with contextlib.suppress(httpx.HTTPError):
            answer = await http.post(f"{sim}/_sim/inbound", json={"from": phone, "name": "Cliente Teste", "text": text})
            if answer.json().get("gateway_status") == 200:
                sent.append(time.time())
        index += 1
        await asyncio.sleep(2.0)


def _is_message(call: dict[str, Any]) -> bool:
    """A Graph API call that sends the customer a message (not a read mark)."""
    return bool(call["path"].endswith("/messages") and (call["body"] or {}).get("type") not in (None, "read"))


async def answered(http: httpx.AsyncClient, sim: str, phone: str, after: int) -> bool:
    calls = (await http.get(f"{sim}/_sim/requests", params={"phone": phone})).json()["requests"]
    return sum(1 for c in calls if _is_message(c)) > after


async def eventually(probe: Any, *, timeout_s: float) -> None:
    """Poll `probe` (an async callable) every 200 ms until it is true; RuntimeError after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not await probe():
        if time.monotonic() > deadline:
            raise RuntimeError(f"not within {timeout_s:.0f} s")
        await asyncio.sleep(0.2)


async def heartbeat(env: dict[str, str], topic: str) -> None:
    """A timestamp every 100 ms into each store, each write acknowledged before the next."""
    redis = Redis.from_url(env["REDIS_URL"])
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(env["MONGODB_URI"])
    admin = AIOKafkaAdminClient(bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"])
    await admin.start()
    try:
        if topic not in await admin.list_topics():
            await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"], acks="all")
    await producer.start()
    beats = mongo[env["MONGODB_DATABASE"]]["dr_heartbeat"]
    try:
        while True:
            now = time.time()
            with contextlib.suppress(Exception):
                await redis.set("dr:heartbeat", repr(now))
            with contextlib.suppress(Exception):
                await beats.insert_one({"at": now})
            with contextlib.suppress(Exception):
                await producer.send_and_wait(topic, repr(now).encode(), partition=0)
            await asyncio.sleep(HEARTBEAT_S)
    finally:
        with contextlib.suppress(Exception):
            await producer.stop()
        await redis.aclose()
        await mongo.close()


async def newest_heartbeats(env: dict[str, str], topic: str) -> dict[str, float | None]:
    """The newest heartbeat each store still holds."""
    redis = Redis.from_url(env["REDIS_URL"])
    try:
        value = await redis.get("dr:heartbeat")
        from_redis = float(value) if value else None
    finally:
        await redis.aclose()
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(env["MONGODB_URI"])
    try:
        newest = await mongo[env["MONGODB_DATABASE"]]["dr_heartbeat"].find_one(sort=[("at", -1)])
        from_mongo = float(newest["at"]) if newest else None
    finally:
        await mongo.close()
    consumer = AIOKafkaConsumer(bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"], enable_auto_commit=False)
    await consumer.start()
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        end = (await consumer.end_offsets([partition]))[partition]
        from_kafka = None
        if end:
            consumer.seek(partition, end - 1)
            records = await consumer.getmany(partition, timeout_ms=10_000)
            from_kafka = float(records[partition][-1].value) if records.get(partition) else None
    finally:
        await consumer.stop()
    return {"redis": from_redis, "mongo": from_mongo, "kafka": from_kafka}


async def sends_to(http: httpx.AsyncClient, sim: str, phones: list[str]) -> int:
    """Messages (not read marks) the simulator received for these customers."""
    total = 0
    for phone in phones:
        calls = (await http.get(f"{sim}/_sim/requests", params={"phone": phone})).json()["requests"]
        total += sum(1 for c in calls if _is_message(c))
    return total


async def send_commands_to(env: dict[str, str], phones: list[str], topic: str = "whatsapp.outbound") -> int:
    """Distinct send commands (not read marks) for these customers on whatsapp.outbound."""
    consumer = AIOKafkaConsumer(bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"], enable_auto_commit=False)
    await consumer.start()
    commands: set[str] = set()
    try:
        admin = AIOKafkaAdminClient(bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"])
        await admin.start()
        try:
            (described,) = await admin.describe_topics([topic])
        finally:
            await admin.close()
        partitions = [TopicPartition(topic, p["partition"]) for p in described["partitions"]]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        while any([await consumer.position(tp) < ends[tp] for tp in partitions]):
            for records in (await consumer.getmany(timeout_ms=2000)).values():
                for record in records:
                    headers = {k: v.decode(errors="replace") for k, v in (record.headers or ())}
                    try:
                        event, _ = decode(record.value, headers)
                    except DecodeError:
                        continue
                    to_them = isinstance(event, SendMessage) and event.to.lstrip("+") in phones
                    if to_them and event.WhichOneof("content") != "mark_read":
                        commands.add(event.command_id)
    finally:
        await consumer.stop()
    return len(commands)


async def until_quiet(http: httpx.AsyncClient, sim: str, phones: list[str], *, quiet_s: float = QUIET_S) -> bool:
    """Wait until no new message reaches these customers for `quiet_s` (the backlog is sent); False when
    it was still going after 10 minutes."""
    last, since = -1, time.monotonic()
    deadline = time.monotonic() + 600
    while time.monotonic() - since < quiet_s:
        if time.monotonic() > deadline:
            return False
        count = await sends_to(http, sim, phones)
        if count != last:
            last, since = count, time.monotonic()
        await asyncio.sleep(1.0)
    return True


async def transcript_lines(env: dict[str, str]) -> dict[Any, float]:
    """Every transcript line (its id → when it was written)."""
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(env["MONGODB_URI"], tz_aware=True)
    try:
        turns = await mongo[env["MONGODB_DATABASE"]]["conversation_turns"].find({}, {"at": 1}).to_list()
    finally:
        await mongo.close()
    return {t["_id"]: t["at"].timestamp() for t in turns if isinstance(t.get("at"), datetime)}


async def drill(work: Path) -> dict[str, float]:
    infra = Infra(ROOT / ".run" / f"dr-drill-{os.getpid()}")
    heartbeat_topic = "dr.heartbeat"
    say(f"infrastructure in {infra.run_dir} (Kafka, FerretDB; Redis with appendfsync everysec)")
    infra.up(fresh=True)
    env = platform_env(infra, work)
    settings = BackupSettings(
        environment="test",
        kafka_bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"],
        redis_url=env["REDIS_URL"],
        mongodb_uri=env["MONGODB_URI"],
        mongodb_database=env["MONGODB_DATABASE"],
        backup_dir=work / "backups",
        backup_key=base64.b64encode(os.urandom(32)).decode(),
        privacy_erasure_journal=work / "erasures.jsonl",
    )
    platform: Platform | None = None
    tasks: list[asyncio.Task[None]] = []
    try:
        platform = await start_platform(env, work / "logs-before")
        sim = platform.url("whatsapp-sim")
        sent: list[float] = []
        async with httpx.AsyncClient(timeout=10) as http:
            tasks.append(asyncio.create_task(heartbeat(env, heartbeat_topic)))
            for i in range(CUSTOMERS):
                phone = f"55119876{i:05d}"
                tasks.append(asyncio.create_task(customer(http, sim, phone, CPFS[i % len(CPFS)], sent)))
            say(f"traffic: {CUSTOMERS} customers, a message every 2 s each; warm-up {WARMUP_S:.0f} s")
            await asyncio.sleep(WARMUP_S)
            say("the scheduled backup (every 6 h in production): atende backup create")
            created = await backup.create(settings)
            say(
                f"archive {Path(created['archive']).name}, {created['bytes']} bytes; traffic for {AFTER_BACKUP_S:.0f} s"
            )
            await asyncio.sleep(AFTER_BACKUP_S)
            before = await transcript_lines(env)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            earlier = [f"55119876{i:05d}" for i in range(CUSTOMERS)]
            sent_before = await sends_to(http, sim, earlier)
            disaster = time.time()
            say(f"DISASTER: every store killed at once ({len(sent)} customer messages accepted so far)")
            infra.destroy()
            await asyncio.to_thread(platform.stop, kill=True)
            platform = None

            say("recovery: Kafka from its log, Redis from its AOF, MongoDB from the archive")
            infra.up(fresh=False)
            env = platform_env(infra, work)
            settings = settings.model_copy(
                update={
                    "kafka_bootstrap_servers": env["KAFKA_BOOTSTRAP_SERVERS"],
                    "redis_url": env["REDIS_URL"],
                    "mongodb_uri": env["MONGODB_URI"],
                }
            )
            # Kafka kept its records and offsets, Redis its dedup markers: only the groups that rebuild
            # MongoDB's privacy links re-read from the archive's offsets (DISASTER_RECOVERY.md).
            restored = await backup.restore(
                settings, Path(created["archive"]), stores=frozenset({"mongo", "kafka"}), rewind=REWIND
            )
            groups = restored["kafka"]["groups"]
            say(f"restored: {sum(restored['mongo'].values())} documents; rewound {sorted(groups)}")
            newest = await newest_heartbeats(env, heartbeat_topic)
            platform = await start_platform(env, work / "logs-after")
            sim = platform.url("whatsapp-sim")
            phone = f"5511999{uuid.uuid4().int % 10**6:06d}"
            await http.post(f"{sim}/_sim/inbound", json={"from": phone, "name": "Cliente Novo", "text": "oi"})
            await eventually(lambda: answered(http, sim, phone, 0), timeout_s=600)
            rto = time.time() - disaster
            say(f"a new customer is answered {rto:.1f} s after the disaster")
            # The backlog of the earlier customers (answers in flight at the disaster) goes out; then
            # every send command to them was sent once, or some twice (dr_duplicate_sends).
            drained = await until_quiet(http, sim, earlier)
            drained_s = time.time() - disaster
            replayed = await sends_to(http, sim, earlier)
            commands = await send_commands_to(env, earlier)
            duplicates = sent_before + replayed - commands if drained else None
            say(
                f"backlog {'sent' if drained else 'still going'} {drained_s:.0f} s after the disaster: "
                f"{sent_before} messages before it, {replayed} after, {commands} distinct send commands"
            )
            resumed = 0
            for old in earlier:
                count = len((await http.get(f"{sim}/_sim/requests", params={"phone": old})).json()["requests"])
                await http.post(f"{sim}/_sim/inbound", json={"from": old, "name": "Cliente Teste", "text": "oi"})
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    calls = (await http.get(f"{sim}/_sim/requests", params={"phone": old})).json()["requests"]
                    if any(_is_message(c) for c in calls[count:]):
                        resumed += 1
                        break
                    await asyncio.sleep(0.5)
            after = await transcript_lines(env)
    finally:
        for task in tasks:
            task.cancel()
        if platform is not None:
            await asyncio.to_thread(platform.stop)
        infra.down()
        shutil.rmtree(infra.run_dir, ignore_errors=True)
    rpo = {store: round(disaster - value, 3) if value else None for store, value in newest.items()}
    lost = [at for line, at in before.items() if line not in after]
    figures = {
        "dr_rpo_s": max(v if v is not None else disaster for v in rpo.values()),
        "dr_rpo_kafka_s": rpo["kafka"],
        "dr_rpo_redis_s": rpo["redis"],
        "dr_rpo_mongo_s": rpo["mongo"],
        "dr_rpo_transcripts_s": round(disaster - min(lost), 3) if lost else 0.0,
        "dr_rto_s": round(rto, 3),
        "dr_sends_replayed": float(replayed),
        "dr_duplicate_sends": float(duplicates) if duplicates is not None else None,
    }
    say(
        f"{len(lost)} of {len(before)} transcript lines lost; {resumed} of {CUSTOMERS} earlier customers answered "
        f"again; MongoDB's worst case in production is the backup interval ({PRODUCTION_BACKUP_INTERVAL_S} s)"
    )
    return {k: v for k, v in figures.items() if v is not None}


def main() -> int:
    work = ROOT / ".run" / f"dr-drill-work-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    figures = asyncio.run(drill(work))  # on failure the logs stay in `work` (the error names them)
    shutil.rmtree(work, ignore_errors=True)
    RESULTS.parent.mkdir(exist_ok=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.update(figures)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    for key, value in sorted(figures.items()):
        sys.stderr.write(f"  {key:<24} {value}\n")
    sys.stdout.write(json.dumps(figures) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
