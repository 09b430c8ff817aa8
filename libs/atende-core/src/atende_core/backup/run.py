"""One backup and one restore, end to end (the CLI's commands call these)."""

from __future__ import annotations

import json
import logging
import tarfile
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient

from atende_core.backup import archive, kafka_state, mongo, redis_keys, retention
from atende_core.backup.settings import BackupSettings
from atende_core.errors import ArchiveError, ConfigurationError, RestoreRefused
from atende_core.privacy_cli import PrivacyClient

log = logging.getLogger(__name__)
FORMAT = 1
STORES = frozenset({"mongo", "redis", "kafka"})


async def create(settings: BackupSettings) -> dict[str, Any]:
    """Dump every store into a sealed archive in BACKUP_DIR, then prune; the manifest and the archive."""
    key = settings.key()
    started = datetime.now(UTC)
    settings.backup_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="atende-backup-") as scratch:
        work = Path(scratch) / "dump"
        work.mkdir()
        # Offsets first: the stores, dumped after, hold at least what the committed offsets say was
        # handled, so a restore re-reads from there and loses nothing that Kafka still holds.
        kafka = await _kafka_dump(settings)
        mongo_client = mongo.client(settings.mongodb_uri)
        try:
            mongo_part = await mongo.dump(mongo_client, settings.mongodb_database, work / "mongo")
        finally:
            await mongo_client.close()
        redis = redis_keys.client(settings.redis_url)
        try:
            redis_part = await redis_keys.dump(redis, work / "redis.dump")
        finally:
            await redis.aclose()
        (work / "kafka.json").write_text(json.dumps(kafka, indent=1, sort_keys=True))
        manifest = {
            "format": FORMAT,
            "taken_at": started.timestamp(),
            "finished_at": time.time(),
            "kafka_topic_prefix": settings.kafka_topic_prefix,
            "mongo": mongo_part,
            "redis": redis_part,
            "kafka": {"topics": len(kafka["topics"]), "groups": len(kafka["groups"])},
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
        packed = Path(scratch) / "backup.tar.gz"
        with tarfile.open(packed, "w:gz") as tar:
            tar.add(work, arcname=".")
        target = settings.backup_dir / retention.archive_name(started)
        archive.seal(packed, target, key)
    pruned = prune(settings)
    return {"archive": str(target), "bytes": target.stat().st_size, "manifest": manifest, "pruned": pruned}


async def _kafka_dump(settings: BackupSettings) -> dict[str, Any]:
    security = settings.kafka_security().client_kwargs()
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers, **security)
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers, **security)
    await admin.start()
    await consumer.start()
    try:
        return await kafka_state.dump(admin, consumer, settings.kafka_topic_prefix)
    finally:
        await consumer.stop()
        await admin.close()


def prune(settings: BackupSettings) -> list[str]:
    """Delete the archives the retention policy does not keep; their names."""
    found = retention.archives(settings.backup_dir)
    keep = retention.to_keep(found, daily=settings.backup_keep_daily, weekly=settings.backup_keep_weekly)
    deleted = [p for p in found if p not in keep]
    for path in deleted:
        path.unlink(missing_ok=True)
    return [p.name for p in deleted]


def open_archive(settings: BackupSettings, path: Path, into: Path) -> dict[str, Any]:
    """Decrypt and unpack an archive into `into`; its manifest."""
    packed = into / "backup.tar.gz"
    archive.open_sealed(path, packed, settings.key())
    with tarfile.open(packed, "r:gz") as tar:
        tar.extractall(into / "dump", filter="data")
    packed.unlink()
    manifest: dict[str, Any] = json.loads((into / "dump" / "manifest.json").read_text())
    if manifest.get("format") != FORMAT:
        raise ArchiveError(f"{path.name} has format {manifest.get('format')}, this tool reads {FORMAT}")
    return manifest


async def restore(
    settings: BackupSettings,
    path: Path,
    *,
    force: bool = False,
    stores: frozenset[str] = STORES,
    rewind: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """Restore MongoDB, Redis and Kafka's topics and offsets from an archive (or only `stores`: a Redis
    that came back from its AOF is newer than any archive), then re-publish every erasure journalled
    since it was taken. Run with the services stopped; they apply the erasures as they start.

    `rewind` limits the consumer groups whose offsets go back to the archive's to those whose name
    contains one of the given parts (when Kafka survived with its own offsets, only the groups that
    rebuild a restored store should re-read; docs/deployment/DISASTER_RECOVERY.md)."""
    if not stores or not stores <= STORES:
        raise ConfigurationError(f"stores to restore: some of {sorted(STORES)}")
    journal = settings.journal()
    if journal is None and settings.is_production:
        raise ConfigurationError(
            "PRIVACY_ERASURE_JOURNAL is not set: a restore without it would bring erased people back"
        )
    with tempfile.TemporaryDirectory(prefix="atende-restore-") as scratch:
        manifest = open_archive(settings, path, Path(scratch))
        dump = Path(scratch) / "dump"
        mongo_client = mongo.client(settings.mongodb_uri)
        redis = redis_keys.client(settings.redis_url)
        report: dict[str, Any] = {}
        try:
            if not force and not (
                ("mongo" not in stores or await mongo.is_empty(mongo_client, settings.mongodb_database))
                and ("redis" not in stores or await redis_keys.is_empty(redis))
            ):
                raise RestoreRefused("MongoDB or Redis is not empty: restore replaces them only with --force")
            if "mongo" in stores:
                report["mongo"] = await mongo.restore(mongo_client, settings.mongodb_database, dump / "mongo")
            if "redis" in stores:
                report["redis"] = await redis_keys.restore(redis, dump / "redis.dump")
        finally:
            await mongo_client.close()
            await redis.aclose()
        if "kafka" in stores:
            kafka = json.loads((dump / "kafka.json").read_text())
            if rewind is not None:
                kafka["groups"] = {g: o for g, o in kafka["groups"].items() if any(part in g for part in rewind)}
            report["kafka"] = await _kafka_restore(settings, kafka)
    replayed = await replay_erasures(settings, since=float(manifest["taken_at"]))
    return {
        "archive": str(path),
        "taken_at": datetime.fromtimestamp(manifest["taken_at"], UTC).isoformat(),
        **report,
        "erasures_replayed": replayed,
    }


async def _kafka_restore(settings: BackupSettings, kafka: dict[str, Any]) -> dict[str, Any]:
    security = settings.kafka_security().client_kwargs()
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers, **security)
    await admin.start()
    try:
        topics = await kafka_state.restore_topics(admin, kafka)
    finally:
        await admin.close()
    groups = await kafka_state.restore_offsets(settings.kafka_bootstrap_servers, kafka, **security)
    return {"topics": topics, "groups": groups}


async def replay_erasures(settings: BackupSettings, *, since: float) -> list[str]:
    """Publish again every journalled erasure requested since `since` (minus the margin); request ids.
    The services apply each one when they consume privacy.commands (`atende privacy status` shows it)."""
    journal = settings.journal()
    if journal is None:
        log.warning("no erasure journal (PRIVACY_ERASURE_JOURNAL): no erasure re-applied")
        return []
    entries = list(journal.entries(since=since - settings.backup_erasure_margin_s))
    if not entries:
        return []
    async with PrivacyClient(settings) as client:
        for entry in entries:
            await client.replay(entry)
    return [e.request_id for e in entries]
