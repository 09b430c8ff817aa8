"""The auth service stores what producers publish on `audit.events` (real Kafka + MongoDB-wire + Redis)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from prometheus_client import REGISTRY
from pymongo.asynchronous.database import AsyncDatabase
from redis.asyncio import Redis

from atende.audit.v1.audit_pb2 import AuditEntryRecorded
from atende_auth.app import create_app
from atende_auth.audit.store import ENTRIES, document_id
from atende_auth.settings import AuthSettings
from atende_core.audit import BOT, OPERATOR, AuditTrail
from atende_core.bus import Bus, Envelope, topics
from atende_core.stores import mongo_client, redis_client
from atende_testing import running_server, wait_until

pytestmark = pytest.mark.integration
KEY = "integration-audit-chain-key-0123456789"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
async def auth_service(
    make_bus: Callable[..., Bus],
    mongo_db: AsyncDatabase[dict[str, Any]],
    mongodb_uri: str,
    redis_url: str,
    topic_prefix: str,
) -> AsyncIterator[str]:
    """The auth service's app (its lifespan runs the bus) on the test's topics and database."""
    settings = AuthSettings(
        environment="test",
        mongodb_uri=mongodb_uri,
        mongodb_database=mongo_db.name,
        kafka_topic_prefix=topic_prefix,
        audit_chain_key=KEY,
    )
    app = create_app(settings, redis=redis_client(redis_url), mongo=mongo_client(mongodb_uri), bus=make_bus("auth"))
    async with running_server(app) as url:
        yield url


async def stored(db: AsyncDatabase[dict[str, Any]]) -> list[dict[str, Any]]:
    return [doc async for doc in db[ENTRIES].find({}, sort=[("_id", 1)])]


async def test_published_entries_are_stored_once_in_order_even_when_delivered_twice(
    auth_service: str,
    make_bus: Callable[..., Bus],
    mongo_db: AsyncDatabase[dict[str, Any]],
    redis: Redis,
    topic_prefix: str,
) -> None:
    gateway = make_bus("gateway")
    await gateway.start(publishes_to=[topics.AUDIT_EVENTS])
    trail = AuditTrail(gateway, source="gateway")
    duplicates = sample("atende_auth_audit_duplicates_ignored_total", source="gateway")
    ids = [
        await trail.record(
            actor_kind=OPERATOR, actor_id="agent-7", action=action, target="conv-1", source_ip="10.1.2.3"
        )
        for action in ("handoff.claim", "handoff.reply", "handoff.reply", "handoff.release")
    ]
    # The same action published again (a retried handler with a deterministic entry id).
    await trail.record(
        actor_kind=OPERATOR, actor_id="agent-7", action="handoff.reply", target="conv-1", entry_id=ids[1]
    )
    last = await trail.record(actor_kind=OPERATOR, actor_id="agent-7", action="handoff.close", target="conv-1")
    await wait_until(
        lambda: sample("atende_auth_audit_duplicates_ignored_total", source="gateway") > duplicates, timeout=60
    )
    docs = await wait_until(lambda: _at_least(mongo_db, 5), timeout=60)
    assert [d["entry_id"] for d in docs] == [*ids, last]
    assert [d["_id"] for d in docs] == [document_id(n) for n in range(1, 6)]
    assert docs[0]["actor_kind"] == "operator"
    assert docs[0]["source_ip"] == "10.1.2.3"
    assert docs[1]["prev_hash"] == docs[0]["hash"]
    # The head's copy outside MongoDB followed.
    copy = await redis.hgetall(f"{topic_prefix}audit:checkpoint")
    assert copy[b"sequence"] == b"5"
    assert copy[b"hash"] == docs[-1]["hash"].encode()


async def _at_least(db: AsyncDatabase[dict[str, Any]], count: int) -> list[dict[str, Any]] | None:
    docs = await stored(db)
    return docs if len(docs) >= count else None


async def test_personal_data_is_masked_and_a_malformed_entry_is_dead_lettered(
    auth_service: str, make_bus: Callable[..., Bus], mongo_db: AsyncDatabase[dict[str, Any]]
) -> None:
    dead: list[AuditEntryRecorded] = []

    async def collect(event: AuditEntryRecorded, envelope: Envelope) -> None:
        dead.append(event)

    producer = make_bus("conversation")
    producer.subscribe(topics.dlq(topics.AUDIT_EVENTS), collect, group="dlq-reader", idempotent=False)
    await producer.start(publishes_to=[topics.AUDIT_EVENTS])
    trail = AuditTrail(producer, source="conversation")
    rejected = sample("atende_auth_audit_rejections_total", reason="invalid_outcome")
    bad = await trail.record(actor_kind=BOT, actor_id="conversation", action="flow.step", target="x", outcome="maybe")
    await trail.record(
        actor_kind=BOT,
        actor_id="conversation",
        action="handoff.request",
        target="106540352242922:5511987654321",
        details={"cpf": "529.982.247-25", "note": "called from 5511987654321"},
    )
    docs = await wait_until(lambda: _at_least(mongo_db, 1), timeout=60)
    await wait_until(lambda: dead, timeout=60)
    assert [e.entry_id for e in dead] == [bad]
    assert sample("atende_auth_audit_rejections_total", reason="invalid_outcome") == rejected + 1
    (doc,) = docs
    assert doc["details"]["cpf"] == "***"
    assert "5511987654321" not in str(doc)
    assert "529.982.247-25" not in str(doc)
