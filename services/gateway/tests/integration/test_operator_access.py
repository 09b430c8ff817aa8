"""Who may do what on the operator API: hostile tokens are refused (401), each role is allowed or
refused on each route (403), rate limits answer 429 with Retry-After, supervisors oversee claims."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from prometheus_client import REGISTRY
from redis.asyncio import Redis

from atende.conversation.v1 import conversation_pb2 as conv
from atende.security.v1.security_pb2 import SecurityEventRecorded
from atende_core.bus import Bus, Envelope, topics
from atende_core.identity import REVOKED_SESSION_KEY, Role
from atende_core.ids import conversation_id, conversation_id_key
from atende_core.pii import development_keyring
from atende_core.settings import ServiceSettings
from atende_gateway.inbox import HandoffInbox
from atende_testing import wait_until
from atende_testing.tokens import TokenIssuer

from .conftest import GatewayFactory

pytestmark = pytest.mark.integration

CID = conversation_id(
    phone_number_id="106540352242922", wa_id="5511900000001", key=conversation_id_key(ServiceSettings())
)
ROUTES = [
    ("GET", "/operator/handoffs", None),
    ("GET", f"/operator/handoffs/{CID}", None),
    ("POST", f"/operator/handoffs/{CID}/claim", None),
    ("POST", f"/operator/handoffs/{CID}/reply", {"text": "oi"}),
    ("POST", f"/operator/handoffs/{CID}/release", None),
    ("POST", f"/operator/handoffs/{CID}/reassign", {"agent_id": "bia"}),
    ("POST", f"/operator/handoffs/{CID}/corrections", {"text": "caiu tudo", "intent": "sem_conexao"}),
]
# route index → the roles allowed there
ALLOWED = {
    0: set(Role),
    1: set(Role),
    2: {Role.AGENT, Role.SUPERVISOR, Role.ADMIN},
    3: {Role.AGENT, Role.SUPERVISOR, Role.ADMIN},
    4: {Role.AGENT, Role.SUPERVISOR, Role.ADMIN},
    5: {Role.SUPERVISOR, Role.ADMIN},
    6: {Role.AGENT, Role.SUPERVISOR, Role.ADMIN},
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_hostile_tokens_are_refused_with_401(
    gateway: GatewayFactory, token_issuer: TokenIssuer, redis: Redis, topic_prefix: str
) -> None:
    issuer = token_issuer
    revoked_session = "session-logged-out"
    await redis.set(topic_prefix + REVOKED_SESSION_KEY.format(session_id=revoked_session), "1", ex=300)
    valid = issuer.mint("ana", Role.ADMIN)
    hostile = {
        "alg none": issuer.forge_alg_none(),
        "HS256 keyed with the public key": issuer.forge_hs256_with_public_key(),
        "expired": issuer.mint("ana", Role.ADMIN, expires_in_s=-60),
        "wrong audience": issuer.mint("ana", Role.ADMIN, claims={"aud": "atende-enrolment"}),
        "wrong issuer": issuer.mint("ana", Role.ADMIN, claims={"iss": "someone-else"}),
        "tampered role": issuer.tamper(issuer.mint("ana", Role.VIEWER), role="admin"),
        "tampered subject": issuer.tamper(valid, sub="bia"),
        "unknown role": issuer.mint("ana", "root"),
        "no subject": issuer.mint("ana", Role.ADMIN, claims={"sub": None}),
        "no expiry": issuer.mint("ana", Role.ADMIN, claims={"exp": None}),
        "unknown kid": issuer.mint("ana", Role.ADMIN, headers={"kid": "nobody"}),
        "another key, same kid": TokenIssuer(kid=issuer.kid).mint("ana", Role.ADMIN),
        "revoked session": issuer.mint("ana", Role.ADMIN, session_id=revoked_session),
        "garbage": "not.a.jwt",
    }
    async with gateway() as client:
        for name, token in hostile.items():
            for method, path, body in ROUTES:
                response = await client.request(method, path, json=body, headers=bearer(token))
                assert response.status_code == 401, (name, method, path, response.text)
                assert response.headers["www-authenticate"] == "Bearer"
        for headers in ({}, {"Authorization": valid}, {"Authorization": f"Basic {valid}"}, {"X-Agent-Id": "ana"}):
            assert (await client.get("/operator/handoffs", headers=headers)).status_code == 401
        assert (await client.get("/operator/handoffs", headers=bearer(valid))).status_code == 200


async def test_each_role_is_allowed_or_refused_on_each_route(
    gateway: GatewayFactory, token_issuer: TokenIssuer
) -> None:
    async with gateway() as client:
        for role in Role:
            token = token_issuer.mint(f"user-{role}", role)
            for index, (method, path, body) in enumerate(ROUTES):
                response = await client.request(method, path, json=body, headers=bearer(token))
                if role in ALLOWED[index]:
                    # Allowed: the route itself answers (the conversation is not in the inbox).
                    assert response.status_code in {200, 404, 409}, (role, path, response.text)
                else:
                    assert response.status_code == 403, (role, path, response.text)


async def test_supervisors_release_and_reassign_another_agents_conversation(
    gateway: GatewayFactory, token_issuer: TokenIssuer, redis: Redis, topic_prefix: str
) -> None:
    inbox = HandoffInbox(redis, pii=development_keyring(), prefix=topic_prefix)
    ana, bia = bearer(token_issuer.mint("ana", Role.AGENT)), bearer(token_issuer.mint("bia", Role.AGENT))
    sup = bearer(token_issuer.mint("sue", Role.SUPERVISOR))
    async with gateway() as client:
        requested = conv.HandoffRequested(
            conversation_id=CID,
            reason="customer_asked",
            customer_name="Rui",
            phone_number_id="106540352242922",
            wa_id="5511900000001",
        )
        await inbox.requested(requested)
        assert (await client.post(f"/operator/handoffs/{CID}/claim", headers=ana)).status_code == 200
        # An agent can neither take nor hand back a colleague's conversation; a supervisor can.
        assert (await client.post(f"/operator/handoffs/{CID}/release", headers=bia)).status_code == 409
        assert (
            await client.post(f"/operator/handoffs/{CID}/reassign", json={"agent_id": "bia"}, headers=bia)
        ).status_code == 403
        moved = await client.post(f"/operator/handoffs/{CID}/reassign", json={"agent_id": "bia"}, headers=sup)
        assert moved.status_code == 200
        assert moved.json()["agent_id"] == "bia"
        assert (
            await client.post(f"/operator/handoffs/{CID}/reply", json={"text": "x"}, headers=ana)
        ).status_code == 409
        assert (
            await client.post(f"/operator/handoffs/{CID}/reply", json={"text": "x"}, headers=bia)
        ).status_code == 202
        bad = await client.post(f"/operator/handoffs/{CID}/reassign", json={"agent_id": "a b"}, headers=sup)
        assert bad.status_code == 422
        assert (await client.post(f"/operator/handoffs/{CID}/release", headers=sup)).status_code == 200
        assert (await client.get(f"/operator/handoffs/{CID}", headers=sup)).status_code == 404


def _limited(scope: str) -> float:
    return REGISTRY.get_sample_value("atende_gateway_operator_rate_limited_total", {"scope": scope}) or 0.0


async def test_rate_limits_per_user_and_per_address_answer_429_with_retry_after(
    gateway: GatewayFactory, token_issuer: TokenIssuer, make_bus: Callable[..., Bus]
) -> None:
    events: list[SecurityEventRecorded] = []

    async def on_security(event: SecurityEventRecorded, _: Envelope) -> None:
        events.append(event)

    notifier = make_bus("notifier-stand-in")
    notifier.subscribe(topics.SECURITY_EVENTS, on_security, group="probe-security", idempotent=False)
    await notifier.start()
    ana = bearer(token_issuer.mint("ana", Role.AGENT))
    bia = bearer(token_issuer.mint("bia", Role.AGENT))
    before_user, before_ip = _limited("user"), _limited("ip")
    async with gateway(operator_rate_limit_per_user="3/minute", operator_rate_limit_per_ip="5/minute") as client:
        statuses = [(await client.get("/operator/handoffs", headers=ana)).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        refused = await client.get("/operator/handoffs", headers=ana)
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        # Another user from the same address gets the address's remaining hits, then 429 too.
        assert (await client.get("/operator/handoffs", headers=bia)).status_code == 429
        # Above the address limit even guessing tokens is refused before verification.
        assert (await client.get("/operator/handoffs", headers=bearer("guess"))).status_code == 429
        # Refused again and again: still one security event per limit and identity.
        for _ in range(3):
            assert (await client.get("/operator/handoffs", headers=ana)).status_code == 429
    assert _limited("user") >= before_user + 2
    assert _limited("ip") >= before_ip + 5
    await wait_until(lambda: len(events) >= 2, timeout=30)
    kinds = {(e.kind, e.user_id, e.details["limit"], e.source_ip) for e in events}
    assert kinds == {
        (SecurityEventRecorded.KIND_RATE_LIMITED, "ana", "user", "127.0.0.1"),
        (SecurityEventRecorded.KIND_RATE_LIMITED, "", "ip", "127.0.0.1"),
    }
    assert len(events) == 2
