"""Operators through the real chain: `atende auth create-admin`, login with TOTP enrolment through the
gateway's /auth proxy, the gateway's guards verifying auth's own tokens, and revocations reaching the
gateway at once (logout, deactivation)."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest

from atende_auth.app import create_app as auth_app
from atende_auth.audit.store import ENTRIES
from atende_auth.settings import AuthSettings
from atende_gateway.app import create_app as gateway_app
from atende_gateway.settings import GatewaySettings
from atende_testing import INTERNAL_TOKEN, running_server, wait_until

pytestmark = pytest.mark.e2e

ADMIN_PASSWORD = "correct horse battery staple"
# argon2 at its production cost takes most of a second per hash on this machine: tests use a cheap one.
CHEAP_ARGON2 = {"auth_argon2_time_cost": 1, "auth_argon2_memory_kib": 8192, "auth_argon2_parallelism": 1}


@pytest.fixture
async def edge(
    kafka_bootstrap_servers: str, redis_url: str, mongodb_uri: str, topic_prefix: str, mongo_db: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """The auth service and the gateway in front of it; yields a client of the gateway's public port."""
    common = {
        "environment": "test",
        "kafka_bootstrap_servers": kafka_bootstrap_servers,
        "kafka_topic_prefix": topic_prefix,
        "redis_url": redis_url,
        "mongodb_uri": mongodb_uri,
        "mongodb_database": mongo_db.name,
        "internal_api_token": INTERNAL_TOKEN,
    }
    env = {key.upper(): str(value) for key, value in {**common, **CHEAP_ARGON2}.items()}
    async with running_server(auth_app(AuthSettings(**common, **CHEAP_ARGON2, auth_key_activation_delay_s=0))) as auth:
        gateway = gateway_app(GatewaySettings(**common, auth_url=auth))
        async with running_server(gateway) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
            yield client, env


async def create_admin(env: dict[str, str], tmp_path: Path) -> None:
    password_file = tmp_path / "password"
    password_file.write_text(ADMIN_PASSWORD)
    atende = str(Path(sys.executable).with_name("atende"))
    process = await asyncio.create_subprocess_exec(
        atende,
        "auth",
        "create-admin",
        "--username",
        "root",
        "--name",
        "Root <script>alert(1)</script>",
        "--password-file",
        str(password_file),
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, output.decode()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_an_operator_logs_in_with_totp_and_the_gateway_honours_auths_tokens_and_revocations(
    edge: tuple[httpx.AsyncClient, dict[str, str]], tmp_path: Path, mongo_db: Any
) -> None:
    gateway, env = edge
    await create_admin(env, tmp_path)

    # The first login of an admin enrols TOTP before any operator token is issued.
    first = (await gateway.post("/auth/login", json={"username": "ROOT", "password": ADMIN_PASSWORD})).json()
    assert first["enrolment_required"] is True
    assert first["user"]["name"] == "Root <script>alert(1)</script>"  # stored as text, answered as JSON
    enrolment = _bearer(first["enrolment_token"])
    assert (await gateway.get("/operator/handoffs", headers=enrolment)).status_code == 401
    secret = (await gateway.post("/auth/2fa/enrol", headers=enrolment)).json()["secret"]
    confirmed = await gateway.post("/auth/2fa/confirm", headers=enrolment, json={"otp": pyotp.TOTP(secret).now()})
    assert confirmed.status_code == 200, confirmed.text
    session = confirmed.json()
    recovery_codes = session["recovery_codes"]
    admin = _bearer(session["access_token"])
    inbox = await gateway.get("/operator/handoffs", headers=admin)
    assert inbox.status_code == 200
    assert inbox.headers["x-content-type-options"] == "nosniff"

    # Without the second factor the password alone is not enough any more.
    again = await gateway.post("/auth/login", json={"username": "root", "password": ADMIN_PASSWORD})
    assert (again.status_code, again.json()["code"]) == (401, "otp_required")

    for username, role in (("ana", "agent"), ("vera", "viewer")):
        created = await gateway.post(
            "/auth/users",
            headers=admin,
            json={"username": username, "name": username.title(), "role": role, "password": f"{username}-password-123"},
        )
        assert created.status_code in (200, 201), created.text
    tokens = {}
    for username in ("ana", "vera"):
        login = await gateway.post("/auth/login", json={"username": username, "password": f"{username}-password-123"})
        assert login.status_code == 200, login.text
        tokens[username] = login.json()
    agent, viewer = _bearer(tokens["ana"]["access_token"]), _bearer(tokens["vera"]["access_token"])
    assert (await gateway.get("/operator/handoffs", headers=viewer)).status_code == 200
    assert (await gateway.post("/operator/handoffs/c_unknown/claim", headers=viewer)).status_code == 403
    assert (await gateway.post("/operator/handoffs/c_unknown/claim", headers=agent)).status_code == 404
    assert (await gateway.get("/auth/users", headers=agent)).status_code == 403

    # Refresh rotates; presenting the old refresh token again revokes the whole session at the gateway too.
    refreshed = await gateway.post("/auth/refresh", json={"refresh_token": tokens["vera"]["refresh_token"]})
    assert refreshed.status_code == 200
    viewer = _bearer(refreshed.json()["access_token"])
    assert (await gateway.get("/operator/handoffs", headers=viewer)).status_code == 200
    reused = await gateway.post("/auth/refresh", json={"refresh_token": tokens["vera"]["refresh_token"]})
    assert reused.status_code == 401
    assert (await gateway.get("/operator/handoffs", headers=viewer)).status_code == 401

    # Deactivating the agent ends their access at once, not when the access token expires.
    users = (await gateway.get("/auth/users", headers=admin)).json()
    ana = next(u for u in (users["items"] if isinstance(users, dict) else users) if u["username"] == "ana")
    assert (await gateway.patch(f"/auth/users/{ana['id']}", headers=admin, json={"active": False})).status_code == 200
    assert (await gateway.get("/operator/handoffs", headers=agent)).status_code == 401
    refused = await gateway.post("/auth/login", json={"username": "ana", "password": "ana-password-123"})
    assert refused.status_code == 401

    # A recovery code stands in for a lost phone once; logout revokes that session's token at the gateway.
    recovered = await gateway.post(
        "/auth/login", json={"username": "root", "password": ADMIN_PASSWORD, "recovery_code": recovery_codes[0]}
    )
    assert recovered.status_code == 200, recovered.text
    second = _bearer(recovered.json()["access_token"])
    assert (await gateway.post("/auth/logout", headers=second)).status_code == 204
    assert (await gateway.get("/operator/handoffs", headers=second)).status_code == 401
    replayed = await gateway.post(
        "/auth/login", json={"username": "root", "password": ADMIN_PASSWORD, "recovery_code": recovery_codes[0]}
    )
    assert replayed.status_code == 401
    # The first session was not touched by the second one's logout.
    assert (await gateway.get("/operator/handoffs", headers=admin)).status_code == 200

    # The bootstrap and every user change are in the audit chain, each with who did it.
    async def audited() -> list[dict[str, Any]] | None:
        found = [e async for e in mongo_db[ENTRIES].find({"action": {"$in": ["user.created", "user.updated"]}})]
        return found if len(found) >= 4 else None

    entries = await wait_until(audited, timeout=30)
    root_id = session["user"]["id"]
    by_action = sorted((e["action"], e["actor_id"], e["target"] == ana["id"]) for e in entries)
    assert by_action == sorted(
        [
            ("user.created", "cli:atende-auth", False),  # root itself, by the bootstrap command
            ("user.created", root_id, False),  # vera
            ("user.created", root_id, True),  # ana
            ("user.updated", root_id, True),  # ana deactivated
        ]
    )
