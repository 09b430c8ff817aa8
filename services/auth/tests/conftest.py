"""Fixtures of the auth tests: the real app on a real uvicorn server over the shared infrastructure,
a movable clock injected into the domain, users created through the use cases, and a probe that
reads security.events from real Kafka."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pyotp
import pytest
from google.protobuf.message import Message
from pymongo.asynchronous.database import AsyncDatabase

from atende.security.v1.security_pb2 import SecurityEventRecorded
from atende_auth.app import create_app
from atende_auth.domain.clock import MovableClock
from atende_auth.domain.users import User
from atende_auth.settings import AuthSettings
from atende_auth.use_cases import UseCases
from atende_core.bus import Bus, Envelope, topics
from atende_core.identity import Role
from atende_testing import INTERNAL_TOKEN, running_server, wait_until

PASSWORD = "correct horse battery staple"


@dataclass
class Auth:
    """A running auth service and what a test needs to drive it."""

    url: str
    client: httpx.AsyncClient
    use_cases: UseCases
    clock: MovableClock
    settings: AuthSettings
    db: AsyncDatabase[dict[str, Any]]
    events: list[SecurityEventRecorded] = field(default_factory=list)

    @staticmethod
    def bearer(token: str) -> dict[str, str]:
        """An Authorization header."""
        return {"Authorization": f"Bearer {token}"}

    async def user(self, username: str, role: Role = Role.AGENT, *, password: str = PASSWORD, name: str = "") -> User:
        """Create an active user."""
        return await self.use_cases.admin.create_user(
            None, username=username, name=name or username.title(), role=role, password=password
        )

    async def login(self, username: str, password: str = PASSWORD, *, ip: str = "", **extra: Any) -> httpx.Response:
        """POST /auth/login (from `ip`, as the gateway would forward it)."""
        headers = {"X-Forwarded-For": ip} if ip else {}
        body = {"username": username, "password": password, **extra}
        return await self.client.post("/auth/login", json=body, headers=headers)

    async def enrolled_user(self, username: str, role: Role, *, ip: str = "") -> tuple[User, pyotp.TOTP]:
        """A user with TOTP confirmed (through the API), and their authenticator."""
        user = await self.user(username, role)
        first = (await self.login(username, ip=ip)).json()
        bearer = first.get("enrolment_token") or first["access_token"]
        headers = {"Authorization": f"Bearer {bearer}", **({"X-Forwarded-For": ip} if ip else {})}
        enrolment = await self.client.post("/auth/2fa/enrol", headers=headers)
        assert enrolment.status_code == 200, (first, enrolment.text)
        secret = enrolment.json()["secret"]
        authenticator = pyotp.TOTP(secret)
        confirmed = await self.client.post(
            "/auth/2fa/confirm", json={"otp": authenticator.at(self.clock.now())}, headers=headers
        )
        assert confirmed.status_code == 200, confirmed.text
        self.clock.advance(30)  # the confirming code's step is spent
        return user, authenticator

    async def token(self, username: str, role: Role = Role.AGENT) -> str:
        """An access token of a new user of `role` (enrolling TOTP when the role demands it)."""
        if role in (Role.ADMIN, Role.SUPERVISOR):
            _, authenticator = await self.enrolled_user(username, role)
            answer = await self.login(username, otp=authenticator.at(self.clock.now()))
        else:
            await self.user(username, role)
            answer = await self.login(username)
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])

    async def wait_event(self, kind: SecurityEventRecorded.Kind, **match: str) -> SecurityEventRecorded:
        """The first security event of `kind` whose fields equal `match`, waiting for it."""

        def probe() -> SecurityEventRecorded | None:
            for event in self.events:
                if event.kind == kind and all(getattr(event, k) == v for k, v in match.items()):
                    return event
            return None

        return await wait_until(probe, timeout=30)


@pytest.fixture
def fast_settings(
    kafka_bootstrap_servers: str,
    redis_url: str,
    mongodb_uri: str,
    topic_prefix: str,
    mongo_db: AsyncDatabase[dict[str, Any]],
) -> Callable[..., AuthSettings]:
    """Settings on the test's infrastructure, with cheap argon2 parameters (tests hash a lot)."""

    def build(**overrides: Any) -> AuthSettings:
        values: dict[str, Any] = {
            "environment": "test",
            "kafka_bootstrap_servers": kafka_bootstrap_servers,
            "kafka_topic_prefix": topic_prefix,
            "redis_url": redis_url,
            "mongodb_uri": mongodb_uri,
            "mongodb_database": mongo_db.name,
            "auth_argon2_time_cost": 1,
            "auth_argon2_memory_kib": 8192,
            "auth_argon2_parallelism": 1,
            "auth_key_activation_delay_s": 0,
            "auth_access_ttl_s": 3600,
            "internal_api_token": INTERNAL_TOKEN,
        }
        values.update(overrides)
        return AuthSettings(**values)

    return build


@pytest.fixture
def start_auth(
    fast_settings: Callable[..., AuthSettings],
    make_bus: Callable[..., Bus],
    mongo_db: AsyncDatabase[dict[str, Any]],
) -> Callable[..., Any]:
    """`async with start_auth(**settings) as auth:` the real app served by uvicorn."""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[Auth]:
        settings = fast_settings(**overrides)
        # The domain's clock starts ten minutes in the past and tests move it forward: TOTP steps
        # advance while every token's `iat` stays behind the real clock that verifiers read.
        clock = MovableClock(datetime.now(UTC) - timedelta(seconds=600))
        events: list[SecurityEventRecorded] = []

        async def record(event: Message, _: Envelope) -> None:
            assert isinstance(event, SecurityEventRecorded)
            events.append(event)

        probe = make_bus("security-probe")
        probe.subscribe(topics.SECURITY_EVENTS, record, group="security-probe", idempotent=False)
        await probe.start(publishes_to=[topics.SECURITY_EVENTS])
        app = create_app(settings, clock=clock)
        async with running_server(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
            yield Auth(
                url=url,
                client=client,
                use_cases=app.state.use_cases,
                clock=clock,
                settings=settings,
                db=mongo_db,
                events=events,
            )

    return start
