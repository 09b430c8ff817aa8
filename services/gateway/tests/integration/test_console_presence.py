"""Presence and round-robin assignment on real Kafka and Redis in the real gateway app (two replicas for
the rotation): heartbeats expire, away agents are skipped, nobody available or CONSOLE_AUTO_ASSIGN off
leaves handoffs in the shared queue, every assignment is announced, published and audited."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any

import pytest
from redis.asyncio import Redis

from atende.audit.v1.audit_pb2 import AuditEntryRecorded
from atende.conversation.v1 import conversation_pb2 as conv
from atende_core.bus import Bus, Envelope, topics
from atende_core.identity import Role
from atende_gateway.console.changes import CHANNEL
from atende_testing import wait_until
from atende_testing.tokens import TokenIssuer

pytestmark = pytest.mark.integration
POLLING = "6000/minute"  # the tests poll faster than an agent clicks


def _bearer(tokens: TokenIssuer, user: str, role: Role = Role.AGENT) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.mint(user, role)}"}


async def _request_handoffs(world: Bus, cids: list[str], *, key: str = "") -> None:
    """Ask for agents; with `key`, all on that key's partition, so the inbox handles them in this order."""
    for cid in cids:
        event = conv.HandoffRequested(conversation_id=cid, reason="customer_asked", within_business_hours=True,
                                      customer_name="Maria", last_message="quero um atendente",
                                      phone_number_id="106540352242922", wa_id="5511987650000")  # fmt: skip
        await world.publish(topics.CONVERSATION_EVENTS, event, key=key or cid)


async def test_presence_expires_without_heartbeats(gateway: Callable[..., Any], token_issuer: TokenIssuer) -> None:
    boss = _bearer(token_issuer, "sara", Role.SUPERVISOR)
    async with gateway(console_presence_ttl_s=1.5) as client:
        answer = await client.put(
            "/operator/presence", json={"status": "available"}, headers=_bearer(token_issuer, "ana")
        )
        assert answer.status_code == 200
        since = answer.json()["since"]
        again = await client.put(
            "/operator/presence", json={"status": "available"}, headers=_bearer(token_issuer, "ana")
        )
        assert again.json() == {"status": "available", "since": since}  # a heartbeat keeps `since`
        await client.put("/operator/presence", json={"status": "away"}, headers=_bearer(token_issuer, "bruno"))
        [ana, bruno] = (await client.get("/operator/agents", headers=boss)).json()["items"]
        assert (ana["user_id"], ana["status"], ana["role"], ana["open_conversations"]) == (
            "ana",
            "available",
            "agent",
            0,
        )
        assert (bruno["user_id"], bruno["status"]) == ("bruno", "away")

        async def lapsed() -> list[str] | None:
            items = (await client.get("/operator/agents", headers=boss)).json()["items"]
            statuses = [item["status"] for item in items]
            return statuses if statuses == ["offline", "offline"] else None

        assert await wait_until(lapsed, timeout=10)
        # Refusals: a viewer has no presence, an agent sees no list, a status is one of two.
        viewer = _bearer(token_issuer, "vera", Role.VIEWER)
        assert (await client.put("/operator/presence", json={"status": "available"}, headers=viewer)).status_code == 403
        assert (await client.get("/operator/agents", headers=_bearer(token_issuer, "ana"))).status_code == 403
        for body in ({"status": "busy"}, {}, {"status": "away", "user_id": "x"}, [1]):
            response = await client.put("/operator/presence", json=body, headers=_bearer(token_issuer, "ana"))
            assert response.status_code == 422, body


async def test_handoffs_rotate_over_available_agents_across_two_replicas(
    gateway: Callable[..., Any],
    make_bus: Callable[..., Bus],
    redis: Redis,
    topic_prefix: str,
    token_issuer: TokenIssuer,
) -> None:
    world = make_bus("conversation")
    await world.start(publishes_to=[topics.CONVERSATION_EVENTS])
    accepted: list[tuple[str, str]] = []
    audited: list[AuditEntryRecorded] = []

    async def on_event(event: Any, envelope: Envelope) -> None:
        if isinstance(event, conv.HandoffAccepted):
            accepted.append((event.conversation_id, event.agent_id))

    async def on_audit(event: AuditEntryRecorded, envelope: Envelope) -> None:
        if event.action == "handoff.assign":
            audited.append(event)

    watcher = make_bus("watcher")
    watcher.subscribe(topics.CONVERSATION_EVENTS, on_event, group="watch-events")
    watcher.subscribe(topics.AUDIT_EVENTS, on_audit, group="watch-audit")
    await watcher.start(publishes_to=[])
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(topic_prefix + CHANNEL)
    async with AsyncExitStack() as stack:
        one = await stack.enter_async_context(gateway(operator_rate_limit_per_user=POLLING))
        await stack.enter_async_context(gateway(operator_rate_limit_per_user=POLLING))
        for agent in ("carla", "ana", "bruno"):
            await one.put("/operator/presence", json={"status": "available"}, headers=_bearer(token_issuer, agent))
        await one.put("/operator/presence", json={"status": "away"}, headers=_bearer(token_issuer, "dani"))
        cids = [f"c1.rr{n}" for n in range(6)]
        await _request_handoffs(world, cids)

        async def all_assigned() -> list[tuple[str, str]] | None:
            return accepted if len(accepted) >= 6 and len(audited) >= 6 else None

        assert await wait_until(all_assigned, timeout=60)
        assert sorted(cid for cid, _ in accepted) == cids  # each once
        assert Counter(agent for _, agent in accepted) == {"ana": 2, "bruno": 2, "carla": 2}
        assert {(e.actor_id, e.details["rule"]) for e in audited} == {("system", "round_robin")}
        assert sorted(e.target for e in audited) == cids

        # The board follows: each agent's own view holds its two; the supervisors' list counts them.
        async def mine(agent: str) -> int | None:
            body = (await one.get("/operator/conversations", params={"view": "mine"},
                                  headers=_bearer(token_issuer, agent))).json()  # fmt: skip
            return len(body["items"]) if len(body["items"]) == 2 else None

        for agent in ("ana", "bruno", "carla"):
            assert await wait_until(lambda agent=agent: mine(agent), timeout=30) == 2
        boss = _bearer(token_issuer, "sara", Role.SUPERVISOR)
        counts = {
            a["user_id"]: a["open_conversations"]
            for a in (await one.get("/operator/agents", headers=boss)).json()["items"]
        }
        assert counts == {"ana": 2, "bruno": 2, "carla": 2, "dani": 0}
        # Each assignee's browser hears of its conversation.
        announced: set[tuple[str, str]] = set()

        async def heard() -> set[tuple[str, str]] | None:
            while (message := await pubsub.get_message(timeout=0.2)) is not None:
                change = json.loads(message["data"])
                if change["kind"] == "handoff" and change["data"].get("agent_id"):
                    announced.add((change["data"]["conversation_id"], change["data"]["agent_id"]))
            return announced if announced >= set(accepted) else None

        assert await wait_until(heard, timeout=30)
    await pubsub.aclose()


async def test_the_queue_keeps_handoffs_when_nobody_is_available_or_assignment_is_off(
    gateway: Callable[..., Any], make_bus: Callable[..., Bus], token_issuer: TokenIssuer
) -> None:
    world = make_bus("conversation")
    await world.start(publishes_to=[topics.CONVERSATION_EVENTS])
    viewer = _bearer(token_issuer, "vera", Role.VIEWER)

    async def queued(client: Any, expected: int) -> list[dict[str, Any]] | None:
        items = (await client.get("/operator/handoffs", headers=viewer)).json()["items"]
        return items if len(items) == expected else None

    async with gateway(operator_rate_limit_per_user=POLLING) as client:
        await client.put("/operator/presence", json={"status": "away"}, headers=_bearer(token_issuer, "ana"))
        await _request_handoffs(world, ["c1.q0", "c1.q0-marker"], key="c1.q0")
        items = await wait_until(lambda: queued(client, 2), timeout=30)
        assert {(i["status"], i["agent_id"]) for i in items} == {("queued", None)}
    async with gateway(console_auto_assign=False, operator_rate_limit_per_user=POLLING) as client:
        await client.put("/operator/presence", json={"status": "available"}, headers=_bearer(token_issuer, "ana"))
        # The marker is handled after c1.q1's whole handling, assignment included.
        await _request_handoffs(world, ["c1.q1", "c1.q1-marker"], key="c1.q1")
        items = await wait_until(lambda: queued(client, 4), timeout=30)
        assert {(i["conversation_id"], i["status"]) for i in items if i["conversation_id"].startswith("c1.q1")} == {
            ("c1.q1", "queued"),
            ("c1.q1-marker", "queued"),
        }
