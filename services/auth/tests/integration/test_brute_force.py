"""Lockout with growing backoff, rate limits (429 + Retry-After), failed-login bursts, the per-role IP
allowlist and the trusted-proxy rule, on the real app with Redis; time moved through the clock."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest

from atende.security.v1.security_pb2 import SecurityEventRecorded as Sec
from atende_core.identity import Role

pytestmark = pytest.mark.integration
LOOSE = {"auth_login_rate_per_ip": "1000/minute", "auth_login_rate_per_username": "1000/minute"}


async def test_an_account_locks_after_five_failures_and_each_lock_lasts_twice_as_long(start_auth: Any) -> None:
    async with start_auth(**LOOSE) as auth:
        user = await auth.user("lara")
        for attempt in range(5):
            wrong = await auth.login("lara", "wrong password", ip=f"198.51.100.{attempt}")
            assert wrong.status_code == 401
        locked = await auth.login("lara", ip="198.51.100.99")  # even the right password, from elsewhere
        assert (locked.status_code, locked.json()["code"]) == (423, "locked")
        assert int(locked.headers["retry-after"]) == 30
        await auth.wait_event(Sec.KIND_LOCKED_OUT, user_id=user.id)

        auth.clock.advance(31)
        for _ in range(5):
            await auth.login("lara", "wrong password")
        second = await auth.login("lara")
        assert int(second.headers["retry-after"]) == 60
        auth.clock.advance(61)
        assert (await auth.login("lara")).status_code == 200

        # A success forgets the failures: the next lock is the short one again.
        for _ in range(5):
            await auth.login("lara", "wrong password")
        assert int((await auth.login("lara")).headers["retry-after"]) == 30


async def test_unknown_usernames_lock_like_real_ones(start_auth: Any) -> None:
    async with start_auth(**LOOSE) as auth:
        for _ in range(5):
            await auth.login("ghost", "whatever")
        assert (await auth.login("ghost", "whatever")).status_code == 423


async def test_an_address_failing_across_accounts_is_locked_and_reported(start_auth: Any) -> None:
    async with start_auth(auth_lockout_ip_threshold=4, auth_burst_distinct_accounts=3, **LOOSE) as auth:
        await auth.user("mara")
        for name in ("a1", "a2", "a3", "a4"):
            await auth.login(name, "guess", ip="203.0.113.66")
        burst = await auth.wait_event(Sec.KIND_FAILED_LOGIN_BURST, source_ip="203.0.113.66")
        assert burst.details["scope"] == "ip"
        assert (await auth.login("mara", ip="203.0.113.66")).status_code == 423
        assert (await auth.login("mara", ip="203.0.113.67")).status_code == 200
        assert [e.kind for e in auth.events].count(Sec.KIND_FAILED_LOGIN_BURST) == 1


async def test_logins_are_rate_limited_per_address_and_per_username(start_auth: Any) -> None:
    async with start_auth(auth_login_rate_per_ip="3/minute", auth_login_rate_per_username="5/minute") as auth:
        await auth.user("nina")
        for _ in range(3):
            assert (await auth.login("nina", ip="192.0.2.1")).status_code == 200
        limited = await auth.login("nina", ip="192.0.2.1")
        assert (limited.status_code, limited.json()["code"]) == (429, "rate_limited")
        assert 0 < int(limited.headers["retry-after"]) <= 60
        event = await auth.wait_event(Sec.KIND_RATE_LIMITED, source_ip="192.0.2.1")
        assert event.details["rule"] == "login_ip"

        for i in range(2):
            assert (await auth.login("nina", ip=f"192.0.2.{10 + i}")).status_code == 200
        by_name = await auth.login("nina", ip="192.0.2.20")
        assert by_name.status_code == 429
        assert int(by_name.headers["retry-after"]) > 0


async def test_refreshes_are_rate_limited_per_address(start_auth: Any) -> None:
    async with start_auth(auth_refresh_rate_per_ip="2/minute") as auth:
        await auth.user("otto")
        token = (await auth.login("otto")).json()["refresh_token"]
        for _ in range(2):
            answer = await auth.client.post("/auth/refresh", json={"refresh_token": token})
            token = answer.json()["refresh_token"]
        limited = await auth.client.post("/auth/refresh", json={"refresh_token": token})
        assert limited.status_code == 429
        assert "retry-after" in limited.headers


async def test_the_allowlist_restricts_a_role_to_its_networks(start_auth: Any) -> None:
    async with start_auth(auth_ip_allowlist={"admin": ["10.0.0.0/8"]}, **LOOSE) as auth:
        admin = await auth.user("paula", Role.ADMIN)
        outside = await auth.login("paula", ip="203.0.113.5")
        assert (outside.status_code, outside.json()["code"]) == (403, "ip_not_allowed")
        event = await auth.wait_event(Sec.KIND_IP_NOT_ALLOWED, user_id=admin.id)
        assert event.source_ip == "203.0.113.5"
        assert (await auth.login("paula", ip="10.20.30.40")).status_code == 200
        await auth.user("quim", Role.AGENT)
        agent = await auth.login("quim", ip="203.0.113.5")  # no list for agents: anywhere
        assert agent.status_code == 200

        # Completing an enrolment opens a session: checked too.
        await auth.user("rosa", Role.ADMIN)
        enrolment = auth.bearer((await auth.login("rosa", ip="10.0.0.8")).json()["enrolment_token"])
        secret = (await auth.client.post("/auth/2fa/enrol", headers=enrolment)).json()["secret"]
        elsewhere = await auth.client.post(
            "/auth/2fa/confirm",
            json={"otp": pyotp.TOTP(secret).at(auth.clock.now())},
            headers={**enrolment, "X-Forwarded-For": "203.0.113.5"},
        )
        assert (elsewhere.status_code, elsewhere.json()["code"]) == (403, "ip_not_allowed")

        # A refresh is checked too.
        _, authenticator = await auth.enrolled_user("rita", Role.ADMIN, ip="10.0.0.7")
        inside = await auth.login("rita", ip="10.0.0.7", otp=authenticator.at(auth.clock.now()))
        assert inside.status_code == 200, inside.text
        refresh = inside.json()["refresh_token"]
        moved = await auth.client.post(
            "/auth/refresh", json={"refresh_token": refresh}, headers={"X-Forwarded-For": "198.51.100.9"}
        )
        assert (moved.status_code, moved.json()["code"]) == (403, "ip_not_allowed")
        back = await auth.client.post(
            "/auth/refresh", json={"refresh_token": refresh}, headers={"X-Forwarded-For": "10.0.0.7"}
        )
        assert back.status_code == 200


async def test_with_redis_down_logins_still_work_and_nothing_answers_5xx(start_auth: Any) -> None:
    async with start_auth(redis_url="redis://127.0.0.1:1/0") as auth:
        await auth.user("yara")
        assert (await auth.login("yara", "wrong password")).status_code == 401
        pair = await auth.login("yara")
        assert pair.status_code == 200, pair.text
        refreshed = await auth.client.post("/auth/refresh", json={"refresh_token": pair.json()["refresh_token"]})
        assert refreshed.status_code == 200
        out = await auth.client.post("/auth/logout", headers=auth.bearer(refreshed.json()["access_token"]))
        assert out.status_code == 204
        again = await auth.client.post("/auth/refresh", json={"refresh_token": refreshed.json()["refresh_token"]})
        assert again.status_code == 401  # the session is revoked in MongoDB whatever Redis says
