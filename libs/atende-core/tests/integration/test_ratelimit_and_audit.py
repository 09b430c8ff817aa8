"""The shared rate limiter on a real Redis, and audit entries published on a real Kafka broker."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from atende.audit.v1.audit_pb2 import AuditEntryRecorded
from atende_core.audit import OPERATOR, AuditTrail
from atende_core.bus import Bus, Envelope, topics
from atende_core.ratelimit import RateLimiter
from atende_testing.waiting import wait_until

pytestmark = pytest.mark.integration


async def test_a_rule_refuses_past_its_limit_per_identity_and_says_when_to_retry(
    redis_url: str, topic_prefix: str
) -> None:
    limiter = RateLimiter(redis_url=redis_url, key_prefix=topic_prefix)
    decisions = [await limiter.hit("3/minute", "login", "10.0.0.1") for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert 1 <= decisions[-1].retry_after_s <= 60
    assert (await limiter.hit("3/minute", "login", "10.0.0.2")).allowed
    await limiter.clear("3/minute", "login", "10.0.0.1")
    assert (await limiter.hit("3/minute", "login", "10.0.0.1")).allowed


async def test_the_limiter_fails_open_when_redis_is_unreachable() -> None:
    limiter = RateLimiter(redis_url="redis://127.0.0.1:1/0")
    assert all([(await limiter.hit("1/minute", "x")).allowed for _ in range(3)])


async def test_audit_entries_reach_the_topic_with_their_fields(make_bus: Callable[..., Bus]) -> None:
    producer, consumer = make_bus("gateway"), make_bus("auth")
    received: list[AuditEntryRecorded] = []

    async def on_entry(entry: AuditEntryRecorded, envelope: Envelope) -> None:
        received.append(entry)

    # Not idempotent here: the auth store, not the bus, drops the replayed entry by its id.
    consumer.subscribe(topics.AUDIT_EVENTS, on_entry, group="auth", idempotent=False)
    await producer.start(publishes_to=[topics.AUDIT_EVENTS])
    await consumer.start()
    trail = AuditTrail(producer, source="gateway")
    entry_id = await trail.record(
        actor_kind=OPERATOR, actor_id="agent-7", action="handoff.claim", target="c_abc", source_ip="10.1.2.3"
    )
    await trail.record(
        actor_kind=OPERATOR, actor_id="agent-7", action="handoff.claim", target="c_abc", entry_id=entry_id
    )
    await wait_until(lambda: len(received) >= 2, timeout=20)
    first = received[0]
    assert (first.entry_id, first.actor_id, first.action, first.target, first.source, first.source_ip) == (
        entry_id,
        "agent-7",
        "handoff.claim",
        "c_abc",
        "gateway",
        "10.1.2.3",
    )
    assert first.outcome == "ok"
    assert received[1].entry_id == entry_id
