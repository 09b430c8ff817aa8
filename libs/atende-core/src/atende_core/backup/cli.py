"""`atende backup`: create, restore, list and prune encrypted archives; re-apply erasures after a restore.

    atende backup create [--no-prune]               one archive in BACKUP_DIR (then the retention policy)
    atende backup restore ARCHIVE [--force]         services stopped; re-publishes later erasures
    atende backup replay-erasures --archive ARCHIVE the erasures journalled since ARCHIVE, once more
    atende backup list | prune

Settings: the stores' (KAFKA_*, REDIS_URL, MONGODB_URI, MONGODB_DATABASE), BACKUP_DIR, BACKUP_KEY,
BACKUP_KEEP_DAILY, BACKUP_KEEP_WEEKLY, PRIVACY_ERASURE_JOURNAL. Every command prints JSON.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from atende_core.backup import retention, run
from atende_core.backup.settings import BackupSettings
from atende_core.errors import BackupError, ConfigurationError

app = typer.Typer(help="Encrypted backups of MongoDB, Redis and Kafka's state; restore.", no_args_is_help=True)

Archive = Annotated[Path, typer.Argument(help="An archive file (atende-backup-<UTC time>.tar.gz.enc).")]


def _emit(report: Any) -> None:
    typer.echo(json.dumps(report, ensure_ascii=False, indent=2, default=str))


def _fail(exc: Exception) -> typer.Exit:
    typer.echo(f"atende backup: {exc}", err=True)
    return typer.Exit(2)


@app.command()
def create(prune: Annotated[bool, typer.Option(help="Apply the retention policy afterwards.")] = True) -> None:
    """Take one backup of every store into BACKUP_DIR."""
    settings = BackupSettings.load()
    try:
        report = asyncio.run(run.create(settings))
    except (BackupError, ConfigurationError) as exc:
        raise _fail(exc) from None
    if not prune:
        report["pruned"] = []
    _emit(report)


@app.command()
def restore(
    archive: Archive,
    force: Annotated[bool, typer.Option(help="Replace what the stores hold (they are not empty).")] = False,
    only: Annotated[
        str,
        typer.Option(help="Stores to restore, comma separated (e.g. mongo,kafka when Redis came back from its AOF)."),
    ] = "mongo,redis,kafka",
    rewind: Annotated[
        str | None,
        typer.Option(help="Rewind only the consumer groups whose name contains one of these (comma separated)."),
    ] = None,
) -> None:
    """Restore every store from ARCHIVE, then re-publish the erasures journalled since it was taken."""
    settings = BackupSettings.load()
    stores = frozenset(s.strip() for s in only.split(",") if s.strip())
    try:
        parts = tuple(p.strip() for p in rewind.split(",") if p.strip()) if rewind is not None else None
        _emit(asyncio.run(run.restore(settings, archive, force=force, stores=stores, rewind=parts)))
    except (BackupError, ConfigurationError) as exc:
        raise _fail(exc) from None


@app.command("replay-erasures")
def replay_erasures(archive: Annotated[Path, typer.Option(help="The archive that was restored.")]) -> None:
    """Publish again every erasure journalled since ARCHIVE was taken (harmless when already applied)."""
    settings = BackupSettings.load()
    try:
        with tempfile.TemporaryDirectory(prefix="atende-restore-") as scratch:
            manifest = run.open_archive(settings, archive, Path(scratch))
        replayed = asyncio.run(run.replay_erasures(settings, since=float(manifest["taken_at"])))
    except (BackupError, ConfigurationError) as exc:
        raise _fail(exc) from None
    _emit({"erasures_replayed": replayed})


@app.command("list")
def list_archives() -> None:
    """The archives in BACKUP_DIR, newest first, and which ones the retention policy keeps."""
    settings = BackupSettings.load()
    found = retention.archives(settings.backup_dir)
    keep = retention.to_keep(found, daily=settings.backup_keep_daily, weekly=settings.backup_keep_weekly)
    _emit([{"archive": p.name, "bytes": p.stat().st_size, "kept": p in keep} for p in found])


@app.command()
def prune() -> None:
    """Delete the archives the retention policy (BACKUP_KEEP_DAILY, BACKUP_KEEP_WEEKLY) does not keep."""
    _emit({"pruned": run.prune(BackupSettings.load())})
