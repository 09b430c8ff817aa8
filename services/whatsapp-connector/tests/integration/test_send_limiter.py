"""The shared per-number limiter on the real Redis, measured: two replicas with several workers each
never exceed the configured rate together, wait instead of dropping, and keep each worker's order."""

import asyncio
import time

import pytest
from redis.asyncio import Redis

from atende_core.ids import keyed_token
from atende_core.pii import development_keyring
from atende_core.stores import redis_client
from atende_whatsapp_connector.adapters.limiter import RedisSendLimiter

pytestmark = pytest.mark.integration

RATE = 50.0


def max_in_window(times: list[float], window: float) -> int:
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_two_replicas_share_one_budget(redis_url: str, topic_prefix: str) -> None:
    replicas: list[Redis] = [redis_client(redis_url), redis_client(redis_url)]
    limiters = [RedisSendLimiter(r, rate_per_second=RATE, prefix=topic_prefix) for r in replicas]
    admitted: list[float] = []
    per_worker: dict[int, list[float]] = {}

    async def worker(n: int, limiter: RedisSendLimiter, count: int) -> None:
        for _ in range(count):
            await limiter.acquire("106540352242922")
            now = time.monotonic()
            admitted.append(now)
            per_worker.setdefault(n, []).append(now)

    started = time.monotonic()
    # 2 replicas × 4 workers × 20 = 160 sends, all for one number.
    await asyncio.gather(*(worker(n, limiters[n % 2], 20) for n in range(8)))
    elapsed = time.monotonic() - started
    await asyncio.gather(*(r.aclose() for r in replicas))
    admitted.sort()
    assert len(admitted) == 160  # nobody dropped
    assert max_in_window(admitted, 1.0) <= RATE + 1
    # 160 at 50/s: at least 159 intervals of 20 ms, and not much more (the limiter does not starve).
    assert elapsed >= 159 / RATE - 0.05
    assert elapsed < 159 / RATE * 1.5
    measured = (len(admitted) - 1) / (admitted[-1] - admitted[0])
    assert measured <= RATE * 1.02
    assert all(times == sorted(times) for times in per_worker.values())


async def test_numbers_have_separate_budgets_and_a_burst_is_allowed(redis_url: str, topic_prefix: str) -> None:
    redis = redis_client(redis_url)
    limiter = RedisSendLimiter(redis, rate_per_second=10, burst=5, prefix=topic_prefix)
    started = time.monotonic()
    for number in ("1", "2"):
        for _ in range(5):
            await limiter.acquire(number)
    assert time.monotonic() - started < 0.3  # a burst of 5 per number goes at once
    await limiter.acquire("1")
    assert time.monotonic() - started >= 0.09  # the sixth waits for the next 100 ms slot
    await redis.aclose()


async def test_redis_away_fails_open() -> None:
    redis = redis_client("redis://127.0.0.1:1/0")
    limiter = RedisSendLimiter(redis, rate_per_second=1)
    started = time.monotonic()
    for _ in range(3):
        await limiter.acquire("1")
    assert time.monotonic() - started < 5
    await redis.aclose()


async def test_the_redis_memories_fail_open_when_redis_is_away() -> None:
    from atende.whatsapp.v1.whatsapp_pb2 import DeliveryStatus
    from atende_whatsapp_connector.adapters.redis_store import RedisSentIndex, RedisStatusStore
    from atende_whatsapp_connector.ports import SentMessage

    redis = redis_client("redis://127.0.0.1:1/0")
    statuses = RedisStatusStore(redis, id_key=b"k", ttl_seconds=60)
    index = RedisSentIndex(redis, pii=development_keyring(), id_key=b"k", ttl_seconds=60)
    assert await statuses.current("wamid.X") == DeliveryStatus.DELIVERY_STATUS_UNSPECIFIED
    await statuses.record("wamid.X", DeliveryStatus.DELIVERY_STATUS_SENT)
    await index.remember("wamid.X", SentMessage(conversation_id="c", command_id="k"))
    assert await index.lookup("wamid.X") is None
    await redis.aclose()


async def test_the_redis_memories_round_trip(redis_url: str, topic_prefix: str) -> None:
    from atende.whatsapp.v1.whatsapp_pb2 import DeliveryStatus
    from atende_whatsapp_connector.adapters.redis_store import RedisSentIndex, RedisStatusStore
    from atende_whatsapp_connector.ports import SentMessage

    redis = redis_client(redis_url)
    statuses = RedisStatusStore(redis, id_key=b"k", prefix=topic_prefix, ttl_seconds=60)
    index = RedisSentIndex(redis, pii=development_keyring(), id_key=b"k", prefix=topic_prefix, ttl_seconds=60)
    await statuses.record("wamid.Y", DeliveryStatus.DELIVERY_STATUS_READ)
    assert await statuses.current("wamid.Y") == DeliveryStatus.DELIVERY_STATUS_READ
    sent = SentMessage(conversation_id="c", command_id="k", to="+5511", fallback_template=b"\x0a\x01x")
    await index.remember("wamid.Y", sent)
    assert await index.lookup("wamid.Y") == sent
    assert 0 < await redis.ttl(f"{topic_prefix}wa:sent:{keyed_token('wamid.Y', key=b'k')}") <= 60
    assert not await redis.exists(f"{topic_prefix}wa:sent:wamid.Y")  # keyed by a token, not the wamid
    stored = await redis.hgetall(f"{topic_prefix}wa:sent:{keyed_token('wamid.Y', key=b'k')}")
    assert b"5511" not in stored[b"to"]
    assert stored[b"to"].startswith(b"pii1:")
    assert stored[b"fallback_template"].startswith(b"pii1")
    # A record copied to another message's key does not open there: unknown, not someone else's number.
    await redis.hset(f"{topic_prefix}wa:sent:{keyed_token('wamid.Z', key=b'k')}", mapping=stored)
    assert await index.lookup("wamid.Z") is None
    await redis.aclose()
