"""Admin and supervisor routes on the real app: each role allowed or refused on each route, the
supervisor's limits, deactivation and resets revoking every session at once, session listing."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis

from atende.security.v1.security_pb2 import SecurityEventRecorded as Sec
from atende_auth.audit.store import ENTRIES
from atende_core.identity import REVOKED_SESSION_KEY, Role
from atende_testing import wait_until

pytestmark = pytest.mark.integration
NEW_PASSWORD = "another long passphrase"


def _routes(target_id: str, session_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    return [
        ("GET", "/auth/users", None),
        ("POST", "/auth/users", {"username": "new.agent", "name": "New", "role": "agent", "password": NEW_PASSWORD}),
        ("GET", f"/auth/users/{target_id}", None),
        ("PATCH", f"/auth/users/{target_id}", {"name": "Renamed"}),
        ("POST", f"/auth/users/{target_id}/password-reset", {"password": NEW_PASSWORD}),
        ("POST", f"/auth/users/{target_id}/2fa-reset", None),
        ("GET", f"/auth/users/{target_id}/sessions", None),
        ("DELETE", f"/auth/sessions/{session_id}", None),
    ]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.ADMIN, True), (Role.SUPERVISOR, True), (Role.AGENT, False), (Role.VIEWER, False), (None, False)],
)
async def test_each_role_is_allowed_or_refused_on_each_admin_route(
    start_auth: Any, role: Role | None, allowed: bool
) -> None:
    async with start_auth() as auth:
        headers = auth.bearer(await auth.token("actor", role)) if role else {}
        expected_refusal = 403 if role else 401
        for index, (method, path_template, body) in enumerate(_routes("{target}", "{session}")):
            target = await auth.user(f"target{index}", Role.AGENT)
            session = (await auth.login(f"target{index}")).json()["access_token"]
            sid = (await auth.use_cases.deps.sessions.active(target.id, now=auth.clock.now()))[0].id
            assert session
            path = path_template.format(target=target.id, session=sid)
            if body and "username" in body:
                body = {**body, "username": f"created{index}"}
            answer = await auth.client.request(method, path, json=body, headers=headers)
            if allowed:
                assert answer.status_code in (200, 201, 204), (method, path, answer.text)
            else:
                assert answer.status_code == expected_refusal, (method, path, answer.text)


async def test_supervisors_manage_only_agents_and_viewers(start_auth: Any) -> None:
    async with start_auth() as auth:
        supervisor = auth.bearer(await auth.token("sup", Role.SUPERVISOR))
        admin = await auth.user("boss", Role.ADMIN)
        agent = await auth.user("worker", Role.AGENT)
        listed = (await auth.client.get("/auth/users", headers=supervisor)).json()["items"]
        assert {u["username"] for u in listed} == {"worker"}
        assert (await auth.client.get(f"/auth/users/{admin.id}", headers=supervisor)).status_code == 403
        assert (
            await auth.client.patch(f"/auth/users/{admin.id}", json={"active": False}, headers=supervisor)
        ).status_code == 403
        promote = await auth.client.patch(f"/auth/users/{agent.id}", json={"role": "supervisor"}, headers=supervisor)
        assert promote.status_code == 403
        create = await auth.client.post(
            "/auth/users",
            json={"username": "x.admin", "name": "X", "role": "admin", "password": NEW_PASSWORD},
            headers=supervisor,
        )
        assert create.status_code == 403
        agent_token = (await auth.login("worker")).json()["access_token"]
        demote = await auth.client.patch(f"/auth/users/{agent.id}", json={"role": "viewer"}, headers=supervisor)
        assert demote.status_code == 200
        assert demote.json()["role"] == "viewer"
        event = await auth.wait_event(Sec.KIND_ROLE_CHANGED, user_id=agent.id)
        assert (event.details["from"], event.details["to"]) == ("agent", "viewer")
        # The old token said "agent": its session ends so the new role applies at once.
        assert (await auth.client.get("/auth/me", headers=auth.bearer(agent_token))).status_code == 401
        relogin = (await auth.login("worker")).json()["user"]
        assert relogin["role"] == "viewer"


async def test_nobody_changes_their_own_role_or_deactivates_themselves(start_auth: Any) -> None:
    async with start_auth() as auth:
        headers = auth.bearer(await auth.token("root", Role.ADMIN))
        me = (await auth.client.get("/auth/me", headers=headers)).json()
        own_role = await auth.client.patch(f"/auth/users/{me['id']}", json={"role": "agent"}, headers=headers)
        assert own_role.status_code == 403
        own_active = await auth.client.patch(f"/auth/users/{me['id']}", json={"active": False}, headers=headers)
        assert own_active.status_code == 403
        renamed = await auth.client.patch(f"/auth/users/{me['id']}", json={"name": "Root"}, headers=headers)
        assert renamed.json()["name"] == "Root"


async def test_creating_users_checks_the_username_and_password(start_auth: Any) -> None:
    async with start_auth() as auth:
        headers = auth.bearer(await auth.token("root", Role.ADMIN))
        body = {"username": "Maria", "name": "Maria", "role": "agent", "password": NEW_PASSWORD}
        assert (await auth.client.post("/auth/users", json=body, headers=headers)).status_code == 201
        dup = await auth.client.post("/auth/users", json={**body, "username": "MARIA"}, headers=headers)
        assert (dup.status_code, dup.json()["code"]) == (409, "username_taken")
        weak = await auth.client.post(
            "/auth/users", json={**body, "username": "z", "password": "short"}, headers=headers
        )
        assert (weak.status_code, weak.json()["code"]) == (422, "weak_password")
        assert (await auth.login("maria", NEW_PASSWORD)).status_code == 200


async def test_deactivation_revokes_every_session_at_once(start_auth: Any, redis: Redis) -> None:
    async with start_auth() as auth:
        admin = auth.bearer(await auth.token("root", Role.ADMIN))
        agent = await auth.user("tomas", Role.AGENT)
        logins = [(await auth.login("tomas", ip=f"192.0.2.{i}")).json() for i in (1, 2)]
        listed = (await auth.client.get(f"/auth/users/{agent.id}/sessions", headers=admin)).json()["items"]
        assert {s["ip"] for s in listed} == {"192.0.2.1", "192.0.2.2"}
        assert all(s["user_agent"].startswith("python-httpx") for s in listed)
        assert all({"session_id", "created_at", "last_refresh_at"} <= s.keys() for s in listed)

        off = await auth.client.patch(f"/auth/users/{agent.id}", json={"active": False}, headers=admin)
        assert off.status_code == 200
        assert off.json()["active"] is False
        for pair in logins:
            assert (await auth.client.get("/auth/me", headers=auth.bearer(pair["access_token"]))).status_code == 401
            refresh = await auth.client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
            assert refresh.status_code == 401
        for session in listed:
            key = auth.settings.kafka_topic_prefix + REVOKED_SESSION_KEY.format(session_id=session["session_id"])
            assert await redis.exists(key)
        assert (await auth.client.get(f"/auth/users/{agent.id}/sessions", headers=admin)).json()["items"] == []
        await auth.wait_event(Sec.KIND_USER_DEACTIVATED, user_id=agent.id)
        assert (await auth.login("tomas")).status_code == 401


async def test_password_and_2fa_resets_revoke_sessions(start_auth: Any) -> None:
    async with start_auth() as auth:
        admin = auth.bearer(await auth.token("root", Role.ADMIN))
        supervisor, authenticator = await auth.enrolled_user("ulisses", Role.SUPERVISOR)
        pair = (await auth.login("ulisses", otp=authenticator.at(auth.clock.now()))).json()

        reset = await auth.client.post(f"/auth/users/{supervisor.id}/password-reset", headers=admin)
        assert reset.status_code == 200
        temporary = reset.json()["temporary_password"]
        assert reset.json()["sessions_revoked"] == 2  # the enrolment's session and this login's
        assert (await auth.client.get("/auth/me", headers=auth.bearer(pair["access_token"]))).status_code == 401
        await auth.wait_event(Sec.KIND_PASSWORD_RESET, user_id=supervisor.id)
        assert temporary not in str([e for e in auth.events if e.user_id == supervisor.id])

        lost_phone = await auth.client.post(f"/auth/users/{supervisor.id}/2fa-reset", headers=admin)
        assert lost_phone.json()["totp_enabled"] is False
        again = await auth.login("ulisses", temporary)
        assert again.json()["enrolment_required"] is True  # enrols again before any operator token
        event = await auth.wait_event(Sec.KIND_TWO_FACTOR_DISABLED, user_id=supervisor.id)
        assert event.details["reason"] == "reset"


async def test_an_admin_ends_one_session(start_auth: Any) -> None:
    async with start_auth() as auth:
        admin = auth.bearer(await auth.token("root", Role.ADMIN))
        agent = await auth.user("vera", Role.AGENT)
        first = (await auth.login("vera")).json()
        second = (await auth.login("vera")).json()
        sessions = await auth.use_cases.deps.sessions.active(agent.id, now=auth.clock.now())
        victim = next(s for s in sessions if s.created_at == min(x.created_at for x in sessions))
        assert (await auth.client.delete(f"/auth/sessions/{victim.id}", headers=admin)).status_code == 204
        assert (await auth.client.delete("/auth/sessions/doesnotexist", headers=admin)).status_code == 404
        statuses = {
            (await auth.client.get("/auth/me", headers=auth.bearer(p["access_token"]))).status_code
            for p in (first, second)
        }
        assert statuses == {200, 401}


async def test_user_and_session_changes_are_in_the_audit_chain_with_the_acting_operator(start_auth: Any) -> None:
    async with start_auth() as auth:
        token = await auth.token("boss", Role.ADMIN)
        admin_id = (await auth.client.get("/auth/me", headers=auth.bearer(token))).json()["id"]
        headers = {**auth.bearer(token), "X-Forwarded-For": "10.9.8.7"}
        created = await auth.client.post(
            "/auth/users",
            headers=headers,
            json={"username": "newbie", "name": "Newbie", "role": "agent", "password": NEW_PASSWORD},
        )
        newbie = created.json()["id"]
        await auth.client.patch(f"/auth/users/{newbie}", headers=headers, json={"role": "supervisor"})
        await auth.client.post(f"/auth/users/{newbie}/password-reset", headers=headers, json={"password": NEW_PASSWORD})
        await auth.client.patch(f"/auth/users/{newbie}", headers=headers, json={"active": False})

        async def entries() -> list[dict[str, Any]] | None:
            found = [e async for e in auth.db[ENTRIES].find({"target": newbie}, sort=[("_id", 1)])]
            return found if len(found) >= 4 else None

        chain = await wait_until(entries, timeout=30)
        assert [e["action"] for e in chain] == ["user.created", "user.updated", "user.password_reset", "user.updated"]
        assert {e["actor_id"] for e in chain} == {admin_id}
        assert {e["source_ip"] for e in chain} == {"10.9.8.7"}
        assert chain[1]["details"] == {"actor_role": "admin", "role_from": "agent", "role_to": "supervisor"}
        assert chain[3]["details"]["active"] == "false"
        assert all(NEW_PASSWORD not in str(e) for e in chain)
