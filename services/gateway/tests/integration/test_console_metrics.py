"""GET /operator/metrics on real Kafka and Redis in the real gateway: a seeded day (atende_testing.console_day)
gives exactly its figures; the day follows the ISP's timezone; the answer is cached; hostile days are 422."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from redis.asyncio import Redis

from atende.conversation.v1 import conversation_pb2 as conv
from atende_core.bus import Bus, topics
from atende_core.identity import Role
from atende_testing import wait_until
from atende_testing.console_day import TOPICS, seed_day
from atende_testing.tokens import TokenIssuer

pytestmark = pytest.mark.integration

DAY = date(2026, 3, 2)


async def test_a_seeded_day_gives_its_exact_figures(
    gateway: Callable[..., Any],
    make_bus: Callable[..., Bus],
    redis: Redis,
    topic_prefix: str,
    token_issuer: TokenIssuer,
) -> None:
    headers = {"Authorization": f"Bearer {token_issuer.mint('v-1', Role.VIEWER)}"}
    world = make_bus("conversation")
    await world.start(publishes_to=list(TOPICS))
    async with gateway(console_metrics_cache_s=0) as client:
        seeded = await seed_day(world, redis, prefix=topic_prefix, day=DAY)

        async def settled() -> dict[str, Any] | None:
            body = (await client.get("/operator/metrics", params={"day": DAY.isoformat()}, headers=headers)).json()
            body.pop("generated_at")
            return body if body == seeded.expected else None

        got = await wait_until(settled, timeout=60)
        assert got == seeded.expected, (
            await client.get("/operator/metrics", params={"day": DAY.isoformat()}, headers=headers)
        ).json()
        # The evening before holds only its own conversation (and the adapter's 5 misses).
        before = (await client.get("/operator/metrics", params={"day": "2026-03-01"}, headers=headers)).json()
        assert (before["conversations"], before["sgp_cache_hit_rate"], sum(before["messages_per_hour"])) == (1, 0.0, 1)
        assert before["top_intents"] == [{"intent": "saudacao", "count": 1}]
        assert before["messages_per_hour"][23] == 1
        # Redelivered events change nothing: sets and sorted sets absorb them.
        again = (await client.get("/operator/metrics", params={"day": DAY.isoformat()}, headers=headers)).json()
        assert again["conversations"] == 6


async def test_answers_are_cached_and_bad_days_refused(
    gateway: Callable[..., Any], redis: Redis, topic_prefix: str, token_issuer: TokenIssuer
) -> None:
    headers = {"Authorization": f"Bearer {token_issuer.mint('v-1', Role.VIEWER)}"}
    async with gateway(console_metrics_cache_s=300) as client:
        first = (await client.get("/operator/metrics", params={"day": "2026-03-05"}, headers=headers)).json()
        assert first["conversations"] == 0
        assert first["messages_per_hour"] == [0] * 24
        await redis.sadd(f"{topic_prefix}metrics:2026-03-05:started", "s1")
        second = (await client.get("/operator/metrics", params={"day": "2026-03-05"}, headers=headers)).json()
        assert second == first  # from the shared copy until it expires
        today = (await client.get("/operator/metrics", headers=headers)).json()
        assert len(today["day"]) == 10
        for bad in ("2026-02-30", "yesterday", "2026-3-1", "9" * 300, "9999-12-31", "0001-01-01"):
            response = await client.get("/operator/metrics", params={"day": bad}, headers=headers)
            assert response.status_code == 422, bad
        assert (await client.get("/operator/metrics")).status_code == 401


async def test_a_conversation_started_before_the_counters_has_no_resolution_time(
    gateway: Callable[..., Any], make_bus: Callable[..., Bus], token_issuer: TokenIssuer
) -> None:
    headers = {"Authorization": f"Bearer {token_issuer.mint('v-1', Role.VIEWER)}"}
    world = make_bus("conversation")
    await world.start(publishes_to=list(TOPICS))
    closed_at = Timestamp()
    closed_at.FromDatetime(datetime(2026, 3, 6, 15, 0, tzinfo=UTC))
    closed = conv.ConversationClosed(conversation_id="c1.older", occurred_at=closed_at, outcome="resolved")
    async with gateway(console_metrics_cache_s=0) as client:
        await world.publish(topics.CONVERSATION_EVENTS, closed, key="c1.older")

        async def counted() -> dict[str, Any] | None:
            body = (await client.get("/operator/metrics", params={"day": "2026-03-06"}, headers=headers)).json()
            return body if body["solved_by_bot"] == 1 else None

        body = await wait_until(counted, timeout=30)
        assert (body["conversations"], body["median_resolution_s"]) == (0, None)
