"""The console's live stream on real Kafka and Redis in the real gateway app: a customer's message on
the bus reaches an open stream; pings keep it alive; it ends asking for a fresh token; a slow client
gets a resync rather than a gap."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from atende.conversation.v1 import conversation_pb2 as conv
from atende_core.bus import Bus, topics
from atende_core.identity import Role
from atende_core.stores import redis_client
from atende_gateway.app import create_app
from atende_gateway.console.changes import RESYNC, ChangeHub, publish_change
from atende_gateway.settings import GatewaySettings
from atende_testing import running_server
from atende_testing.tokens import TokenIssuer

pytestmark = pytest.mark.integration


async def _frames(lines: AsyncIterator[str]) -> AsyncIterator[tuple[str, str]]:
    """(event, data) of each server-sent frame; comments as ('', ': ...')."""
    event = data = ""
    async for line in lines:
        if line.startswith(":"):
            yield "", line
        elif line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            data = line[6:]
        elif not line and event:
            yield event, data
            event = data = ""


async def test_stream_carries_live_changes_pings_and_ends_for_reauth(
    kafka_bootstrap_servers: str,
    redis_url: str,
    topic_prefix: str,
    make_bus: Callable[..., Bus],
    token_issuer: TokenIssuer,
) -> None:
    world = make_bus("conversation")
    await world.start(publishes_to=[topics.CONVERSATION_EVENTS, topics.CONVERSATION_INBOUND])
    settings = GatewaySettings(
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        redis_url=redis_url,
        auth_url=token_issuer.auth_url,
        console_stream_ping_s=0.5,
        console_stream_max_s=20,
    )
    viewer = {"Authorization": f"Bearer {token_issuer.mint('vera', Role.VIEWER)}"}
    async with running_server(create_app(settings)) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
        assert (await client.get("/operator/stream")).status_code == 401

        async with client.stream("GET", "/operator/stream", headers=viewer) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            frames = _frames(response.aiter_lines())
            assert (await anext(frames)) == ("", ": connected")

            started = conv.ConversationStarted(conversation_id="c1.live", wa_id="5511987650001")
            await world.publish(topics.CONVERSATION_EVENTS, started, key="c1.live")
            inbound = conv.InboundMessage(
                conversation_id="c1.live", message_id="wamid.live1", text=conv.TextContent(body="sem internet")
            )
            await world.publish(topics.CONVERSATION_INBOUND, inbound, key="c1.live")
            handoff = conv.HandoffRequested(conversation_id="c1.live", reason="customer_asked")
            await world.publish(topics.CONVERSATION_EVENTS, handoff, key="c1.live")

            seen: dict[str, list[str]] = {}
            pinged = False

            async def until_all_seen() -> None:
                nonlocal pinged
                async for event, data in frames:
                    pinged = pinged or data == ": ping"
                    if event:
                        seen.setdefault(event, []).append(data)
                    if pinged and "handoff" in seen and any('"queued"' in d for d in seen.get("conversation", [])):
                        return

            await asyncio.wait_for(until_all_seen(), timeout=30)
            assert all('"c1.live"' in data for data in seen["conversation"] + seen["handoff"])
            assert '"reason": "customer_asked"' in seen["handoff"][0]

    # A stream ends by asking the client to come back with a fresh token.
    short = settings.model_copy(update={"console_stream_max_s": 1.0})
    async with (
        running_server(create_app(short)) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as client,
        client.stream("GET", "/operator/stream", headers=viewer) as response,
    ):
        events = [event async for event, _ in _frames(response.aiter_lines()) if event]
    assert events == ["reauth"]


async def test_a_slow_client_is_told_to_resync_instead_of_missing_changes(redis_url: str, topic_prefix: str) -> None:
    redis = redis_client(redis_url)
    hub = ChangeHub(redis, topic_prefix, queue_size=3)
    await hub.start()
    try:
        with hub.listen() as slow, hub.listen() as quick:
            for n in range(3):
                await publish_change(redis, topic_prefix, "conversation", {"conversation_id": f"c{n}"})
            received = [(await asyncio.wait_for(quick.get(), timeout=10)).data["conversation_id"] for _ in range(3)]
            assert received == ["c0", "c1", "c2"]
            await publish_change(redis, topic_prefix, "conversation", {"conversation_id": "c3"})
            assert (await asyncio.wait_for(quick.get(), timeout=10)).data == {"conversation_id": "c3"}
            assert [slow.get_nowait().kind for _ in range(slow.qsize())] == [RESYNC]
        assert hub.clients == 0
    finally:
        await hub.stop()
        await redis.aclose()
