"""The operator API and its handoff inbox on real Kafka and Redis, mounted in the real gateway app, with
operators authenticated by access tokens verified from a JWKS served over a real socket."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from google.protobuf.message import Message

from atende.audit.v1.audit_pb2 import AuditEntryRecorded
from atende.conversation.v1 import conversation_pb2 as conv
from atende.whatsapp.v1 import whatsapp_pb2 as wa
from atende_core.bus import Bus, Envelope, topics
from atende_core.identity import Role
from atende_core.ids import conversation_id, conversation_id_key
from atende_core.settings import ServiceSettings
from atende_core.stores import redis_client
from atende_gateway.app import create_app
from atende_gateway.settings import GatewaySettings
from atende_testing import running_server, wait_until
from atende_testing.tokens import TokenIssuer

pytestmark = pytest.mark.integration

PNID = "106540352242922"
WA_ID = "5511987654321"
CID = conversation_id(phone_number_id=PNID, wa_id=WA_ID, key=conversation_id_key(ServiceSettings()))
ISSUER: list[TokenIssuer] = []


def _headers(agent: str = "ana", role: Role = Role.AGENT) -> dict[str, str]:
    return {"Authorization": f"Bearer {ISSUER[0].mint(agent, role)}"}


async def _in_inbox(client: httpx.AsyncClient, expected: int, **params: str) -> list[dict[str, Any]]:
    async def probe() -> list[dict[str, Any]] | None:
        items = (await client.get("/operator/handoffs", headers=_headers(), params=params)).json()["items"]
        return items if len(items) == expected else None

    return await wait_until(probe, timeout=30) or []


async def test_agents_claim_reply_and_release_handoffs(
    kafka_bootstrap_servers: str,
    redis_url: str,
    topic_prefix: str,
    make_bus: Callable[..., Bus],
    token_issuer: TokenIssuer,
) -> None:
    ISSUER[:] = [token_issuer]
    seen: list[tuple[Message, Envelope]] = []
    audit: list[AuditEntryRecorded] = []

    async def record_audit(event: AuditEntryRecorded, envelope: Envelope) -> None:
        audit.append(event)

    async def record(event: Message, envelope: Envelope) -> None:
        seen.append((event, envelope))

    world = make_bus("conversation-stand-in")
    world.subscribe(topics.WHATSAPP_OUTBOUND, record, group="probe-outbound", idempotent=False)
    world.subscribe(topics.CONVERSATION_EVENTS, record, group="probe-events", idempotent=False)
    world.subscribe(topics.AUDIT_EVENTS, record_audit, group="probe-audit", idempotent=False)
    await world.start(publishes_to=[topics.CONVERSATION_INBOUND])
    settings = GatewaySettings(
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        redis_url=redis_url,
        auth_url=token_issuer.auth_url,
    )
    async with running_server(create_app(settings)) as url, httpx.AsyncClient(base_url=url) as client:
        # Without an access token, or with one of another key, nothing is shown.
        assert (await client.get("/operator/handoffs")).status_code == 401
        stranger = TokenIssuer(kid=token_issuer.kid).mint("ana")
        assert (
            await client.get("/operator/handoffs", headers={"Authorization": f"Bearer {stranger}"})
        ).status_code == 401

        await world.publish(
            topics.CONVERSATION_EVENTS,
            conv.HandoffRequested(
                conversation_id=CID,
                reason="negative_sentiment",
                within_business_hours=False,
                customer_name="Maria Quitéria",
                last_message="meu cpf é 529.982.247-25 e nada funciona",
                phone_number_id=PNID,
                wa_id=WA_ID,
            ),
            key=CID,
        )
        (item,) = await _in_inbox(client, 1, status="queued")
        assert item["reason"] == "negative_sentiment"
        assert item["within_business_hours"] is False
        assert "529.982.247-25" not in item["last_message"]
        assert item["customer_name"] == "Maria Quitéria"

        inbound = conv.InboundMessage(conversation_id=CID, message_id="wamid.1", text=conv.TextContent(body="alô?"))
        await world.publish(topics.CONVERSATION_INBOUND, inbound, key=CID)

        async def has_line() -> bool:
            detail = (await client.get(f"/operator/handoffs/{CID}", headers=_headers())).json()
            return any(line["text"] == "alô?" for line in detail["lines"])

        await wait_until(has_line, timeout=30)
        # At rest the name, the number and every text are ciphertexts.
        redis = redis_client(redis_url)
        try:
            entry = await redis.hgetall(f"{topic_prefix}handoff:{CID}")
            lines = await redis.lrange(f"{topic_prefix}handoff:{CID}:lines", 0, -1)
        finally:
            await redis.aclose()
        stored = b" ".join([*entry.values(), *lines])
        for clear in (b"Quit", WA_ID.encode(), "alô".encode(), b"nada funciona"):
            assert clear not in stored
        assert entry[b"wa_id"].startswith(b"pii1:")

        # Replying before claiming is refused; two agents cannot both claim.
        reply = {"text": "Oi Maria, aqui é a Ana."}
        assert (await client.post(f"/operator/handoffs/{CID}/reply", json=reply, headers=_headers())).status_code == 409
        claimed = await client.post(f"/operator/handoffs/{CID}/claim", headers=_headers("ana"))
        assert claimed.status_code == 200
        assert claimed.json()["agent_id"] == "ana"
        assert (await client.post(f"/operator/handoffs/{CID}/claim", headers=_headers("bia"))).status_code == 409
        assert (await client.post(f"/operator/handoffs/{CID}/claim", headers=_headers("ana"))).status_code == 200
        assert (
            await client.post(f"/operator/handoffs/{CID}/reply", json=reply, headers=_headers("bia"))
        ).status_code == 409
        assert (await _in_inbox(client, 1, status="claimed"))[0]["agent_id"] == "ana"

        headers = {**_headers("ana"), "Idempotency-Key": "k-1"}
        first = await client.post(f"/operator/handoffs/{CID}/reply", json=reply, headers=headers)
        again = await client.post(f"/operator/handoffs/{CID}/reply", json=reply, headers=headers)
        assert first.status_code == 202
        assert first.json()["command_id"] == again.json()["command_id"]
        assert (
            await client.post(f"/operator/handoffs/{CID}/reply", json={"text": ""}, headers=headers)
        ).status_code == 422

        await wait_until(lambda: sum(isinstance(e, wa.SendMessage) for e, _ in seen) >= 2, timeout=30)
        command = next(e for e, _ in seen if isinstance(e, wa.SendMessage))
        assert (command.to, command.phone_number_id, command.text.body) == (
            WA_ID,
            PNID,
            reply["text"],
        )
        assert all(env.key == CID for _, env in seen)

        assert (await client.post(f"/operator/handoffs/{CID}/release", headers=_headers("bia"))).status_code == 409
        assert (await client.post(f"/operator/handoffs/{CID}/release", headers=_headers("ana"))).status_code == 200
        assert (await client.post(f"/operator/handoffs/{CID}/release", headers=_headers("ana"))).status_code == 404
        assert (await client.get("/operator/handoffs", headers=_headers())).json()["items"] == []

        await wait_until(lambda: any(isinstance(e, conv.HandoffReleased) for e, _ in seen), timeout=30)
        kinds = [type(e).__name__ for e, _ in seen if not isinstance(e, wa.SendMessage)]
        assert kinds.count("HandoffAccepted") == 2
        assert kinds.count("AgentReplied") == 2
        assert kinds[-1] == "HandoffReleased"

        # Every action left an audit entry: who (the token's subject), on what, from where.
        await wait_until(lambda: len(audit) >= 5, timeout=30)
        actions = [(e.action, e.actor_id) for e in audit]
        assert actions.count(("handoff.claim", "ana")) == 2
        assert actions.count(("handoff.reply", "ana")) == 2
        assert ("handoff.release", "ana") in actions
        assert all(e.target == CID and e.source_ip == "127.0.0.1" for e in audit)
        assert all(e.actor_kind == AuditEntryRecorded.ACTOR_KIND_OPERATOR and e.source == "gateway" for e in audit)
        replies = [e.entry_id for e in audit if e.action == "handoff.reply"]
        assert replies[0] == replies[1]  # the same Idempotency-Key is one audited action
