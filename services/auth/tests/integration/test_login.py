"""Login, refresh rotation and reuse detection, logout, /auth/me: the real app on real Mongo-wire,
Redis and Kafka; tokens verified by atende_core.identity.TokenVerifier over real HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from redis.asyncio import Redis

from atende.security.v1.security_pb2 import SecurityEventRecorded as Sec
from atende_core.identity import JWKS_PATH, REVOKED_SESSION_KEY, Role, TokenError, TokenVerifier
from atende_testing import INTERNAL_HEADERS

pytestmark = pytest.mark.integration


async def test_an_agent_logs_in_and_any_service_verifies_the_token(start_auth: Any) -> None:
    async with start_auth() as auth:
        user = await auth.user("Ana.Souza", Role.AGENT, name="Ana Souza")
        answer = await auth.login("ana.souza", ip="203.0.113.7")  # usernames are case-insensitive
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == auth.settings.auth_access_ttl_s
        assert body["user"] == {
            **body["user"],
            "id": user.id,
            "username": "Ana.Souza",
            "name": "Ana Souza",
            "role": "agent",
            "totp_enabled": False,
        }
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-content-type-options"] == "nosniff"

        principal = await TokenVerifier(jwks_url=auth.url + JWKS_PATH).verify(body["access_token"])
        assert (principal.user_id, principal.role, principal.name) == (user.id, Role.AGENT, "Ana Souza")
        assert principal.session_id
        assert principal.token_id
        assert not principal.second_factor

        me = await auth.client.get("/auth/me", headers=auth.bearer(body["access_token"]))
        assert me.status_code == 200
        assert me.json()["id"] == user.id
        event = await auth.wait_event(Sec.KIND_LOGIN_SUCCEEDED, user_id=user.id)
        assert event.source_ip == "203.0.113.7"
        assert body["refresh_token"] not in str(event)
        assert body["access_token"] not in str(event)


async def test_unknown_user_and_wrong_password_get_the_same_answer(start_auth: Any) -> None:
    async with start_auth() as auth:
        await auth.user("bruno")
        wrong = await auth.login("bruno", "not the password", ip="198.51.100.1")
        unknown = await auth.login("nobody", "not the password", ip="198.51.100.2")
        assert wrong.status_code == unknown.status_code == 401
        assert (
            wrong.json() == unknown.json() == {"detail": "invalid username or password", "code": "invalid_credentials"}
        )
        failed = await auth.wait_event(Sec.KIND_LOGIN_FAILED, source_ip="198.51.100.1")
        assert "not the password" not in str(failed)


async def test_deactivated_users_cannot_log_in(start_auth: Any) -> None:
    async with start_auth() as auth:
        user = await auth.user("carla")
        await auth.use_cases.deps.users.set_profile(user.id, now=auth.clock.now(), name=None, role=None, active=False)
        assert (await auth.login("carla")).json()["code"] == "invalid_credentials"


async def test_refresh_rotates_and_a_replayed_token_revokes_the_whole_family(start_auth: Any, redis: Redis) -> None:
    async with start_auth() as auth:
        user = await auth.user("diego")
        first = (await auth.login("diego")).json()
        second = await auth.client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert second.status_code == 200, second.text
        pair = second.json()
        assert pair["refresh_token"] != first["refresh_token"]
        verifier = TokenVerifier(jwks_url=auth.url + JWKS_PATH)
        principal = await verifier.verify(pair["access_token"])
        first_principal = await verifier.verify(first["access_token"])
        assert principal.session_id == first_principal.session_id  # same family

        # The retired token comes back (stolen and replayed): refused, and the family is gone.
        replay = await auth.client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert replay.status_code == 401
        assert replay.json()["code"] == "invalid_refresh"
        current = await auth.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        assert current.status_code == 401
        key = auth.settings.kafka_topic_prefix + REVOKED_SESSION_KEY.format(session_id=principal.session_id)
        assert await redis.exists(key)
        assert 0 < await redis.ttl(key) <= auth.settings.auth_access_ttl_s + 5
        assert (await auth.client.get("/auth/me", headers=auth.bearer(pair["access_token"]))).status_code == 401
        event = await auth.wait_event(Sec.KIND_REFRESH_TOKEN_REUSED, user_id=user.id)
        assert event.details["session_id"] == principal.session_id
        assert first["refresh_token"] not in str(event)


async def test_concurrent_refreshes_with_one_token_let_at_most_one_through(start_auth: Any) -> None:
    async with start_auth() as auth:
        await auth.user("elisa")
        token = (await auth.login("elisa")).json()["refresh_token"]
        answers = await asyncio.gather(
            *(auth.client.post("/auth/refresh", json={"refresh_token": token}) for _ in range(4))
        )
        statuses = sorted(a.status_code for a in answers)
        assert statuses in ([401, 401, 401, 401], [200, 401, 401, 401])


async def test_an_unknown_or_expired_refresh_token_is_refused(start_auth: Any) -> None:
    async with start_auth(auth_refresh_ttl_s=3600) as auth:
        await auth.user("fabio")
        token = (await auth.login("fabio")).json()["refresh_token"]
        unknown = await auth.client.post("/auth/refresh", json={"refresh_token": "x" * 43})
        assert (unknown.status_code, unknown.json()["code"]) == (401, "invalid_refresh")
        auth.clock.advance(3601)
        expired = await auth.client.post("/auth/refresh", json={"refresh_token": token})
        assert expired.status_code == 401


async def test_logout_revokes_the_session(start_auth: Any) -> None:
    async with start_auth() as auth:
        await auth.user("gabi")
        pair = (await auth.login("gabi")).json()
        assert (await auth.client.post("/auth/logout")).status_code == 401
        out = await auth.client.post(
            "/auth/logout", json={"refresh_token": pair["refresh_token"]}, headers=auth.bearer(pair["access_token"])
        )
        assert out.status_code == 204
        assert (await auth.client.get("/auth/me", headers=auth.bearer(pair["access_token"]))).status_code == 401
        again = await auth.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        assert again.status_code == 401


async def test_password_hashes_are_upgraded_when_the_parameters_change(start_auth: Any) -> None:
    async with start_auth() as auth:
        user = await auth.user("hugo")
        old_hash = user.password_hash
    async with start_auth(auth_argon2_time_cost=2) as auth:
        assert (await auth.login("hugo")).status_code == 200
        stored = await auth.use_cases.deps.users.by_id(user.id)
        assert stored is not None
        assert stored.password_hash != old_hash
        assert "t=2" in stored.password_hash
        assert (await auth.login("hugo")).status_code == 200


async def test_a_login_from_a_new_address_is_reported(start_auth: Any) -> None:
    async with start_auth() as auth:
        user = await auth.user("iris")
        assert (await auth.login("iris", ip="192.0.2.10")).status_code == 200
        assert (await auth.login("iris", ip="192.0.2.10")).status_code == 200
        assert (await auth.login("iris", ip="192.0.2.99")).status_code == 200
        event = await auth.wait_event(Sec.KIND_NEW_IP_LOGIN, user_id=user.id)
        assert event.source_ip == "192.0.2.99"
        assert [e.source_ip for e in auth.events if e.kind == Sec.KIND_NEW_IP_LOGIN] == ["192.0.2.99"]


async def test_tokens_verify_with_the_shared_verifier_and_it_refuses_a_revoked_kid(start_auth: Any) -> None:
    async with start_auth() as auth:
        await auth.user("joao")
        token = (await auth.login("joao")).json()["access_token"]
        with pytest.raises(TokenError):
            await TokenVerifier(jwks_url=auth.url + JWKS_PATH).verify(token[:-4] + "AAAA")


async def test_every_route_is_in_the_openapi_with_its_models(start_auth: Any) -> None:
    async with start_auth() as auth:
        spec = (await auth.client.get("/openapi.json")).json()
        routes = {(method.upper(), path) for path, item in spec["paths"].items() for method in item}
        assert routes == {
            ("POST", "/auth/login"),
            ("POST", "/auth/refresh"),
            ("POST", "/auth/logout"),
            ("GET", "/auth/me"),
            ("POST", "/auth/2fa/enrol"),
            ("POST", "/auth/2fa/confirm"),
            ("POST", "/auth/2fa/disable"),
            ("GET", "/auth/jwks.json"),
            ("GET", "/auth/users"),
            ("POST", "/auth/users"),
            ("GET", "/auth/users/{user_id}"),
            ("PATCH", "/auth/users/{user_id}"),
            ("POST", "/auth/users/{user_id}/password-reset"),
            ("POST", "/auth/users/{user_id}/2fa-reset"),
            ("GET", "/auth/users/{user_id}/sessions"),
            ("DELETE", "/auth/sessions/{session_id}"),
        }
        login = spec["paths"]["/auth/login"]["post"]
        assert login["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("LoginRequest")
        assert spec["components"]["schemas"]["LoginRequest"]["additionalProperties"] is False


async def test_logins_are_counted_by_outcome(start_auth: Any) -> None:
    async with start_auth() as auth:
        await auth.user("kiko")

        async def count(outcome: str) -> float:
            text = (await auth.client.get("/metrics", headers=INTERNAL_HEADERS)).text
            line = next(
                (x for x in text.splitlines() if x.startswith(f'atende_auth_logins_total{{outcome="{outcome}"}}')), None
            )
            return float(line.split()[-1]) if line else 0.0

        before_ok, before_bad = await count("success"), await count("invalid_credentials")
        await auth.login("kiko")
        await auth.login("kiko", "wrong password")
        assert await count("success") == before_ok + 1
        assert await count("invalid_credentials") == before_bad + 1
