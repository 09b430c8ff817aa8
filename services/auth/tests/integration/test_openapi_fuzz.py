"""Schemathesis against the auth service's own OpenAPI: every route, generated (and broken) inputs,
with and without an admin's token, on the real app and infrastructure; no answer is a 5xx."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pyotp
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings

from atende_auth.app import create_app
from atende_auth.settings import AuthSettings
from atende_core.identity import Role
from atende_testing import free_port

pytestmark = pytest.mark.integration
EXAMPLES_PER_OPERATION = 20
PASSWORD = "a perfectly long password"


@pytest.fixture
def served(
    kafka_bootstrap_servers: str, redis_url: str, mongodb_uri: str, topic_prefix: str, mongo_db: Any
) -> Iterator[str]:
    """The auth app on a uvicorn server in its own thread (schemathesis calls it synchronously)."""
    port = free_port()
    config: dict[str, Any] = {}

    def serve() -> None:
        settings_ = AuthSettings(
            environment="test",
            kafka_bootstrap_servers=kafka_bootstrap_servers,
            kafka_topic_prefix=topic_prefix,
            redis_url=redis_url,
            mongodb_uri=mongodb_uri,
            mongodb_database=mongo_db.name,
            auth_argon2_time_cost=1,
            auth_argon2_memory_kib=8192,
            auth_argon2_parallelism=1,
        )
        server = uvicorn.Server(
            uvicorn.Config(create_app(settings_), host="127.0.0.1", port=port, log_config=None, lifespan="on")
        )
        config["server"] = server
        asyncio.run(server.serve())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=url) as client:
        for _ in range(600):
            try:
                if client.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            threading.Event().wait(0.05)
    yield url
    config["server"].should_exit = True
    thread.join(timeout=45)


def _enrol(client: httpx.Client) -> str:
    answer = client.post("/auth/login", json={"username": "fuzz.admin", "password": PASSWORD}).json()
    enrolment = {"Authorization": f"Bearer {answer['enrolment_token']}"}
    secret = client.post("/auth/2fa/enrol", headers=enrolment).json()["secret"]
    confirmed = client.post("/auth/2fa/confirm", json={"otp": pyotp.TOTP(secret).now()}, headers=enrolment).json()
    return str(confirmed["access_token"])


class _UnrecordedAudit:
    """The fuzzed admin's creation needs no audit entry: this test has no audit consumer."""

    async def record(self, **_: Any) -> None:
        return None


# Schemathesis' strategies draw from `random` (its choice, not ours): Hypothesis deprecates that.
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
def test_no_generated_request_gets_a_5xx(served: str, fast_settings: Any) -> None:
    async def create_admin() -> None:
        from atende_auth.adapters.null_events import LoggedSecurityEvents
        from atende_auth.app import build_use_cases
        from atende_auth.domain.clock import SystemClock
        from atende_core.stores import mongo_client, redis_client

        settings_ = fast_settings()
        mongo, redis = mongo_client(settings_.mongodb_uri), redis_client(settings_.redis_url)
        use_cases = build_use_cases(
            settings_,
            db=mongo[settings_.mongodb_database],
            redis=redis,
            events=LoggedSecurityEvents(),
            audit=_UnrecordedAudit(),
            clock=SystemClock(),
        )
        await use_cases.admin.create_user(None, username="fuzz.admin", name="Fuzz", role=Role.ADMIN, password=PASSWORD)
        await redis.aclose()
        await mongo.close()

    asyncio.run(create_admin())
    with httpx.Client(base_url=served) as client:
        token = _enrol(client)
        raw = client.get("/openapi.json").json()
    schema = schemathesis.openapi.from_dict(raw)
    # Logout last: it ends the admin's session, and the other routes should see a valid token.
    operations = sorted((r.ok() for r in schema.get_all_operations()), key=lambda op: op.path.endswith("/logout"))
    assert len(operations) >= 15
    calls: list[int] = []
    server_errors: list[str] = []
    for operation in operations:
        for headers in ({}, {"Authorization": f"Bearer {token}"}):
            _fuzz(operation, served, headers, calls, server_errors)
    assert server_errors == []
    assert len(calls) > 300
    assert any(200 <= c < 300 for c in calls)


def _fuzz(operation: Any, url: str, headers: dict[str, str], calls: list[int], server_errors: list[str]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def check(case: Any) -> None:
        response = case.call(base_url=url, headers=headers, timeout=30)
        calls.append(response.status_code)
        if response.status_code >= 500:
            server_errors.append(
                f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:200]}"
            )

    check()
