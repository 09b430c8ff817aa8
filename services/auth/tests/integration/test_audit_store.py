"""The audit store on the real MongoDB-wire server, and `atende audit` against it (tampered directly in MongoDB)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from prometheus_client import REGISTRY
from pymongo.asynchronous.database import AsyncDatabase
from redis.asyncio import Redis
from typer.testing import CliRunner

from atende_auth.audit.chain import AuditFields
from atende_auth.audit.cli import app
from atende_auth.audit.mirror import RedisCheckpointMirror
from atende_auth.audit.store import CHECKPOINTS, ENTRIES, MongoAuditStore, document_id
from atende_auth.audit.verification import BreakKind
from atende_core.stores import mongo_client
from atende_testing import free_port

pytestmark = pytest.mark.integration
KEY = "integration-audit-chain-key-0123456789"


def fields(n: int, **overrides: Any) -> AuditFields:
    values: dict[str, Any] = {
        "entry_id": f"e-{n}",
        "occurred_at": f"2026-12-04T03:00:{n % 60:02d}.000000Z",
        "recorded_at": f"2026-12-04T03:00:{n % 60:02d}.500000Z",
        "actor_kind": "operator",
        "actor_id": f"user-{n % 2}",
        "action": "handoff.claim" if n % 2 else "handoff.release",
        "target": f"conv-{n}",
        "source": "gateway",
        "outcome": "ok",
        "details": {"n": str(n)},
        **overrides,
    }
    return AuditFields(**values)


def prefix(db: AsyncDatabase[dict[str, Any]]) -> str:
    """The deployment key prefix the CLI is given: the test's own Redis keys."""
    return f"{db.name}:"


async def filled(db: AsyncDatabase[dict[str, Any]], count: int, *, redis: Redis | None = None) -> MongoAuditStore:
    mirror = RedisCheckpointMirror(redis, key_prefix=prefix(db)) if redis is not None else None
    store = MongoAuditStore(db, key=KEY.encode(), mirror=mirror)
    await store.ensure_indexes()
    for n in range(1, count + 1):
        await store.append(fields(n))
    return store


def cli(db: AsyncDatabase[dict[str, Any]], mongodb_uri: str, args: list[str], env: dict[str, str]) -> Any:
    # REDIS_URL comes from the environment the tests run in, unless `env` overrides it.
    env = {
        "MONGODB_URI": mongodb_uri,
        "MONGODB_DATABASE": db.name,
        "AUDIT_CHAIN_KEY": KEY,
        "ENVIRONMENT": "test",
        "KAFKA_TOPIC_PREFIX": prefix(db),
        **env,
    }
    return CliRunner().invoke(app, args, env=env)


async def run_cli(db: AsyncDatabase[dict[str, Any]], mongodb_uri: str, *args: str, **env: str) -> Any:
    # The CLI runs its own event loop, so it runs in a thread beside the test's.
    return await asyncio.to_thread(cli, db, mongodb_uri, list(args), env)


async def test_appends_are_chained_in_order_and_a_replayed_entry_is_stored_once(
    mongo_db: AsyncDatabase[dict[str, Any]],
) -> None:
    store = await filled(mongo_db, 5)
    duplicates = REGISTRY.get_sample_value("atende_auth_audit_duplicates_ignored_total", {"source": "gateway"}) or 0
    replay = await store.append(fields(3, recorded_at="2026-12-04T04:00:00.000000Z"))
    assert not replay.stored
    assert REGISTRY.get_sample_value("atende_auth_audit_duplicates_ignored_total", {"source": "gateway"}) == (
        duplicates + 1
    )
    stored = [e async for e in store.entries()]
    assert [(e.sequence, e.fields.entry_id) for e in stored] == [(n, f"e-{n}") for n in range(1, 6)]
    checkpoint = await store.checkpoint()
    assert checkpoint is not None
    assert (checkpoint.sequence, checkpoint.hash) == (5, stored[-1].hash)
    assert (await store.verify()).intact


async def test_concurrent_writers_never_fork_the_chain(
    mongo_db: AsyncDatabase[dict[str, Any]], mongodb_uri: str
) -> None:
    """Three auth replicas (own clients) append at once: one chain, every sequence number once."""
    clients = [mongo_client(mongodb_uri) for _ in range(3)]
    try:
        stores = [MongoAuditStore(c[mongo_db.name], key=KEY.encode()) for c in clients]
        await stores[0].ensure_indexes()
        conflicts = REGISTRY.get_sample_value("atende_auth_audit_append_conflicts_total") or 0

        async def writer(index: int, store: MongoAuditStore) -> None:
            for n in range(10):
                await store.append(fields(index * 100 + n))

        await asyncio.gather(*(writer(i, s) for i, s in enumerate(stores)))
        entries = [e async for e in stores[0].entries()]
        result = await stores[1].verify()
    finally:
        for c in clients:
            await c.close()
    assert [e.sequence for e in entries] == list(range(1, 31))
    assert len({e.fields.entry_id for e in entries}) == 30
    assert result.intact, result.broken
    # The writers did collide (otherwise this test proves nothing about forks).
    assert (REGISTRY.get_sample_value("atende_auth_audit_append_conflicts_total") or 0) > conflicts


async def test_one_event_delivered_to_several_replicas_at_once_is_stored_once(
    mongo_db: AsyncDatabase[dict[str, Any]], mongodb_uri: str
) -> None:
    clients = [mongo_client(mongodb_uri) for _ in range(3)]
    try:
        stores = [MongoAuditStore(c[mongo_db.name], key=KEY.encode()) for c in clients]
        await stores[0].ensure_indexes()
        await stores[0].append(fields(1))
        outcomes = await asyncio.gather(*(s.append(fields(2)) for s in stores * 2))
        entries = [e async for e in stores[0].entries()]
    finally:
        for c in clients:
            await c.close()
    assert sum(o.stored for o in outcomes) == 1
    assert [e.fields.entry_id for e in entries] == ["e-1", "e-2"]


async def test_verify_passes_on_an_intact_chain(mongo_db: AsyncDatabase[dict[str, Any]], mongodb_uri: str) -> None:
    await filled(mongo_db, 6)
    outcome = await run_cli(mongo_db, mongodb_uri, "verify")
    assert outcome.exit_code == 0, outcome.output
    assert "audit chain intact: 6 entries (#1..#6)" in outcome.output


async def test_verify_fails_naming_a_modified_entry(mongo_db: AsyncDatabase[dict[str, Any]], mongodb_uri: str) -> None:
    await filled(mongo_db, 6)
    await mongo_db[ENTRIES].update_one({"_id": document_id(4)}, {"$set": {"outcome": "refused"}})
    outcome = await run_cli(mongo_db, mongodb_uri, "verify")
    assert outcome.exit_code == 1
    assert "BROKEN at entry #4: modified (entry id e-4)" in outcome.output


async def test_verify_fails_naming_a_deleted_entry(mongo_db: AsyncDatabase[dict[str, Any]], mongodb_uri: str) -> None:
    await filled(mongo_db, 6)
    await mongo_db[ENTRIES].delete_one({"_id": document_id(2)})
    outcome = await run_cli(mongo_db, mongodb_uri, "verify")
    assert outcome.exit_code == 1
    assert "BROKEN at entry #2: deleted" in outcome.output


async def test_verify_fails_on_two_swapped_entries(mongo_db: AsyncDatabase[dict[str, Any]], mongodb_uri: str) -> None:
    await filled(mongo_db, 6)
    third, fourth = [await mongo_db[ENTRIES].find_one({"_id": document_id(n)}) for n in (3, 4)]
    assert third is not None
    assert fourth is not None
    await mongo_db[ENTRIES].delete_many({"_id": {"$in": [document_id(3), document_id(4)]}})
    await mongo_db[ENTRIES].insert_many([{**fourth, "_id": document_id(3)}, {**third, "_id": document_id(4)}])
    outcome = await run_cli(mongo_db, mongodb_uri, "verify")
    assert outcome.exit_code == 1
    assert "BROKEN at entry #3: reordered (entry id e-4)" in outcome.output


async def test_verify_fails_on_a_truncated_tail(mongo_db: AsyncDatabase[dict[str, Any]], mongodb_uri: str) -> None:
    await filled(mongo_db, 6)
    await mongo_db[ENTRIES].delete_many({"_id": {"$gte": document_id(5)}})
    outcome = await run_cli(mongo_db, mongodb_uri, "verify")
    assert outcome.exit_code == 1
    assert "BROKEN at entry #5: truncated" in outcome.output


async def test_verify_against_a_checkpoint_kept_elsewhere_catches_a_truncation_with_a_rolled_back_checkpoint(
    mongo_db: AsyncDatabase[dict[str, Any]], mongodb_uri: str
) -> None:
    store = await filled(mongo_db, 6)
    head = await store.checkpoint()
    assert head is not None
    old = [e async for e in store.entries()][3]
    # Whoever truncated the tail also moved the stored checkpoint back (to a head that once existed).
    await mongo_db[ENTRIES].delete_many({"_id": {"$gte": document_id(5)}})
    await mongo_db[CHECKPOINTS].delete_many({})
    await store._advance_checkpoint(old)
    assert (await run_cli(mongo_db, mongodb_uri, "verify")).exit_code == 0
    outcome = await run_cli(mongo_db, mongodb_uri, "verify", "--checkpoint", f"{head.sequence}:{head.hash}")
    assert outcome.exit_code == 1
    assert "BROKEN at entry #5: truncated" in outcome.output


async def test_the_checkpoint_copy_in_redis_catches_a_truncation_with_a_rolled_back_checkpoint(
    mongo_db: AsyncDatabase[dict[str, Any]], mongodb_uri: str, redis: Redis
) -> None:
    store = await filled(mongo_db, 6, redis=redis)
    old = [e async for e in store.entries()][3]
    await mongo_db[ENTRIES].delete_many({"_id": {"$gte": document_id(5)}})
    await mongo_db[CHECKPOINTS].delete_many({})
    await store._advance_checkpoint(old)  # the stored checkpoint now says #4, a head that once existed
    outcome = await run_cli(mongo_db, mongodb_uri, "verify")
    assert outcome.exit_code == 1
    assert "BROKEN at entry #5: truncated" in outcome.output
    assert await redis.hget(prefix(mongo_db) + "audit:checkpoint", "sequence") == b"6"


async def test_verify_works_without_redis(
    mongo_db: AsyncDatabase[dict[str, Any]], mongodb_uri: str, redis: Redis
) -> None:
    await filled(mongo_db, 3, redis=redis)
    outcome = await run_cli(mongo_db, mongodb_uri, "verify", REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    assert outcome.exit_code == 0, outcome.output
    assert "checkpoints #3" in outcome.output


async def test_a_new_entry_after_tampering_does_not_hide_it(mongo_db: AsyncDatabase[dict[str, Any]]) -> None:
    store = await filled(mongo_db, 4)
    await mongo_db[ENTRIES].delete_one({"_id": document_id(4)})
    await store.append(fields(5))  # the checkpoint still says #4: the chain goes on at #5, the gap stays
    broken = (await store.verify()).broken
    assert broken is not None
    assert (broken.sequence, broken.kind) == (4, BreakKind.DELETED)


async def test_list_filters_and_masks(mongo_db: AsyncDatabase[dict[str, Any]], mongodb_uri: str) -> None:
    store = await filled(mongo_db, 4)
    # Stored before a masking rule existed (written here without the consumer's intake).
    await store.append(fields(5, target="106540352242922:5511987654321", details={"cpf": "52998224725"}))
    listed = await run_cli(mongo_db, mongodb_uri, "list", "--actor", "user-1", "--json")
    assert listed.exit_code == 0, listed.output
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["sequence"] for r in rows] == [1, 3, 5]
    assert rows[-1]["details"] == {"cpf": "***"}
    assert "5511987654321" not in listed.stdout
    assert rows[-1]["target"].endswith("4321")
    since = "2026-12-04T03:00:03"
    by_action = await run_cli(mongo_db, mongodb_uri, "list", "--action", "handoff.release", "--since", since)
    assert by_action.exit_code == 0
    assert [line.split()[0] for line in by_action.stdout.splitlines()] == ["#4"]
    bad = await run_cli(mongo_db, mongodb_uri, "list", "--since", "yesterday")
    assert bad.exit_code == 2


async def test_verify_says_so_when_mongodb_does_not_answer(mongo_db: AsyncDatabase[dict[str, Any]]) -> None:
    outcome = await run_cli(mongo_db, f"mongodb://127.0.0.1:{free_port()}/", "verify")
    assert outcome.exit_code == 2
    assert "MongoDB did not answer" in outcome.output


async def test_a_bad_checkpoint_argument_is_refused(mongo_db: AsyncDatabase[dict[str, Any]], mongodb_uri: str) -> None:
    outcome = await run_cli(mongo_db, mongodb_uri, "verify", "--checkpoint", "7:nothex")
    assert outcome.exit_code == 2
