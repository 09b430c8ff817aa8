"""`atende audit verify` and `atende audit list` (registered through the `atende.cli` entry points).

Both read MONGODB_URI, MONGODB_DATABASE and AUDIT_CHAIN_KEY like the auth service itself; `verify`
also reads the checkpoint's copy in Redis (REDIS_URL, KAFKA_TOPIC_PREFIX as the key prefix) when it answers.
Exit codes: 0 intact (or listed), 1 the chain is broken, 2 bad arguments or MongoDB unreachable.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from pymongo.errors import PyMongoError

from atende_auth.audit.chain import ChainedEntry, Checkpoint, checkpoint_mac
from atende_auth.audit.intake import MASK, is_pii_key, mask_free_text, mask_identifier
from atende_auth.audit.mirror import RedisCheckpointMirror
from atende_auth.audit.settings import AuditSettings
from atende_auth.audit.store import MongoAuditStore
from atende_auth.audit.verification import Verification
from atende_core.stores import mongo_client, redis_client

app = typer.Typer(help="Audit log: verify the hash chain, list entries.", no_args_is_help=True)


@app.callback()
def _main() -> None:
    """Audit log commands."""


def _expected_checkpoint(value: str, *, key: bytes) -> Checkpoint:
    """`SEQUENCE:HASH` (as logged with each stored entry) → a checkpoint the operator vouches for."""
    sequence, _, head_hash = value.partition(":")
    if not sequence.isdigit() or len(head_hash) != 64:
        raise typer.BadParameter("expected SEQUENCE:HASH (a 64-hex-digit hash)", param_hint="--checkpoint")
    mac = checkpoint_mac(sequence=int(sequence), head_hash=head_hash, key=key)
    return Checkpoint(sequence=int(sequence), hash=head_hash, mac=mac)


async def _verify(settings: AuditSettings, expected: Checkpoint | None) -> Verification:
    client = mongo_client(settings.mongodb_uri)
    redis = redis_client(settings.redis_url)
    try:
        mirror = RedisCheckpointMirror(redis, key_prefix=settings.kafka_topic_prefix)
        store = MongoAuditStore(client[settings.mongodb_database], key=settings.audit_key(), mirror=mirror)
        return await store.verify(expected=expected)
    finally:
        await redis.aclose()
        await client.close()


def _unreachable(exc: PyMongoError) -> typer.Exit:
    typer.echo(f"cannot read the audit log: MongoDB did not answer ({type(exc).__name__})", err=True)
    return typer.Exit(2)


@app.command()
def verify(
    checkpoint: Annotated[
        str | None,
        typer.Option(help="SEQUENCE:HASH of a head kept outside the database (the 'audit entry stored' log lines)."),
    ] = None,
) -> None:
    """Walk the whole chain; exit 1 naming the first modified, reordered, inserted, deleted or truncated entry."""
    settings = AuditSettings()
    expected = _expected_checkpoint(checkpoint, key=settings.audit_key()) if checkpoint else None
    try:
        result = asyncio.run(_verify(settings, expected))
    except PyMongoError as exc:
        raise _unreachable(exc) from None
    if result.broken is not None:
        broken = result.broken
        which = f" (entry id {broken.entry_id})" if broken.entry_id else ""
        typer.echo(f"audit chain BROKEN at entry #{broken.sequence}: {broken.kind.value}{which}: {broken.reason}")
        typer.echo(f"entries before it verified: {result.head_sequence}")
        raise typer.Exit(1)
    if result.entries == 0:
        typer.echo("audit chain intact: empty (no entries yet)")
        return
    heads = ", ".join(f"#{c.sequence}" for c in result.checkpoints) or "none"
    typer.echo(
        f"audit chain intact: {result.entries} entries (#1..#{result.head_sequence}), "
        f"head hash {result.head_hash[:16]}…, checkpoints {heads}"
    )


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("an ISO date or time, e.g. 2026-12-01T10:00", param_hint="--since") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _masked(entry: ChainedEntry) -> dict[str, object]:
    """An entry for people to read: personal data masked again (entries stored before a rule existed)."""
    fields = entry.fields
    details = {k: (MASK if is_pii_key(k) and v else mask_free_text(v)) for k, v in sorted(fields.details.items())}
    return {
        "sequence": entry.sequence,
        "occurred_at": fields.occurred_at,
        "actor": f"{fields.actor_kind}:{mask_identifier(fields.actor_id)}",
        "action": fields.action,
        "target": mask_identifier(fields.target),
        "outcome": fields.outcome,
        "source": fields.source,
        "source_ip": fields.source_ip,
        "details": details,
        "entry_id": fields.entry_id,
    }


async def _find(
    settings: AuditSettings, *, since: datetime | None, actor: str | None, action: str | None, limit: int
) -> list[ChainedEntry]:
    client = mongo_client(settings.mongodb_uri)
    try:
        store = MongoAuditStore(client[settings.mongodb_database], key=settings.audit_key())
        return await store.find(since=since, actor_id=actor, action=action, limit=limit)
    finally:
        await client.close()


@app.command("list")
def list_entries(
    since: Annotated[str | None, typer.Option(help="Entries that occurred at or after this ISO time (UTC).")] = None,
    actor: Annotated[str | None, typer.Option(help="Only this actor id (a user id, or a service name).")] = None,
    action: Annotated[str | None, typer.Option(help="Only this action, e.g. sgp.payment_promise.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List entries in chain order, personal data masked."""
    settings = AuditSettings()
    try:
        entries = asyncio.run(_find(settings, since=_since(since), actor=actor, action=action, limit=limit))
    except PyMongoError as exc:
        raise _unreachable(exc) from None
    for entry in entries:
        row = _masked(entry)
        if as_json:
            typer.echo(json.dumps(row, ensure_ascii=False, sort_keys=True))
            continue
        details = " ".join(f"{k}={v}" for k, v in row["details"].items()) if isinstance(row["details"], dict) else ""
        typer.echo(
            f"#{row['sequence']} {row['occurred_at']} {row['actor']} {row['action']} "
            f"target={row['target']} outcome={row['outcome']} {details}".rstrip()
        )
    typer.echo(f"{len(entries)} entries", err=True)
