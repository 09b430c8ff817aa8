"""MongoDB operator injection in every JSON field of every auth route: a 422, never a query operator."""

from __future__ import annotations

from typing import Any

import pytest

from atende_core.identity import Role

pytestmark = pytest.mark.integration
PAYLOADS: list[Any] = [{"$ne": ""}, {"$gt": ""}, {"$regex": ".*"}, {"$where": "return true"}, ["$ne", ""], 1, None]
VALID_PASSWORD = "a perfectly long password"


def _bodies(target_id: str) -> list[tuple[str, str, dict[str, Any], bool]]:
    """(method, path, a valid body, needs the admin's bearer) for every route with a JSON body."""
    return [
        (
            "POST",
            "/auth/login",
            {"username": "root", "password": VALID_PASSWORD, "otp": "123456", "recovery_code": "abcd-efgh-jkmn"},
            False,
        ),
        ("POST", "/auth/refresh", {"refresh_token": "r" * 43}, False),
        ("POST", "/auth/logout", {"refresh_token": "r" * 43}, True),
        ("POST", "/auth/2fa/confirm", {"otp": "123456"}, True),
        ("POST", "/auth/2fa/disable", {"password": VALID_PASSWORD, "otp": "123456"}, True),
        ("POST", "/auth/users", {"username": "eve", "name": "Eve", "role": "agent", "password": VALID_PASSWORD}, True),
        ("PATCH", f"/auth/users/{target_id}", {"name": "Eve", "role": "agent", "active": True}, True),
        ("POST", f"/auth/users/{target_id}/password-reset", {"password": VALID_PASSWORD}, True),
    ]


async def test_an_operator_in_any_field_is_refused_with_422(start_auth: Any) -> None:
    async with start_auth(auth_login_rate_per_ip="10000/minute", auth_login_rate_per_username="10000/minute") as auth:
        admin = auth.bearer(await auth.token("root", Role.ADMIN))
        target = await auth.user("target", Role.AGENT)
        checked = 0
        for method, path, body, needs_bearer in _bodies(target.id):
            headers = admin if needs_bearer else {}
            for field in body:
                for payload in PAYLOADS:
                    if payload is None and field in ("otp", "recovery_code", "name", "role", "active", "refresh_token"):
                        continue  # optional fields: null means absent
                    if payload is None and (path.endswith("password-reset") or path == "/auth/logout"):
                        continue
                    answer = await auth.client.request(method, path, json={**body, field: payload}, headers=headers)
                    assert answer.status_code == 422, (method, path, field, payload, answer.text)
                    checked += 1
            for whole in ([body], "body", 42):
                answer = await auth.client.request(method, path, json=whole, headers=headers)
                assert answer.status_code == 422, (method, path, whole, answer.text)
            extra = await auth.client.request(method, path, json={**body, "$where": "1"}, headers=headers)
            assert extra.status_code == 422, (method, path, "extra field", extra.text)
        assert checked > 100
        # Nothing changed: the target is untouched and no user "eve" exists.
        stored = await auth.use_cases.deps.users.by_id(target.id)
        assert stored is not None
        assert (stored.name, stored.role, stored.password_hash) == (target.name, target.role, target.password_hash)
        assert await auth.use_cases.deps.users.by_username("eve") is None


async def test_operators_in_path_parameters_are_refused(start_auth: Any) -> None:
    async with start_auth() as auth:
        admin = auth.bearer(await auth.token("root", Role.ADMIN))
        for path in (
            '/auth/users/{"$ne":""}',
            "/auth/users/$ne",
            '/auth/sessions/{"$gt":""}',
            "/auth/users/a.b/sessions",
        ):
            answer = await auth.client.request("DELETE" if "sessions/" in path else "GET", path, headers=admin)
            assert answer.status_code in (404, 422), (path, answer.text)
            assert answer.status_code != 200


async def test_a_refused_body_is_not_echoed_back(start_auth: Any) -> None:
    async with start_auth() as auth:
        secret = "my-secret-password-" + "x" * 600  # longer than allowed
        answer = await auth.login("root", secret)
        assert answer.status_code == 422
        assert answer.json()["code"] == "invalid_request"
        assert "my-secret-password" not in answer.text
        assert answer.headers["cache-control"] == "no-store"
