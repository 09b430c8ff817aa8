"""TOTP 2FA on the real app: enrolment (secret, URI, QR), confirmation and recovery codes, codes
accepted once within ±1 step, the mandatory policy for admins and supervisors, disabling."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest

from atende.security.v1.security_pb2 import SecurityEventRecorded as Sec
from atende_auth.adapters.mongo_users import COLLECTION as USERS
from atende_core.identity import JWKS_PATH, Role, TokenVerifier

pytestmark = pytest.mark.integration


async def test_a_supervisor_must_enrol_before_getting_an_operator_token(start_auth: Any) -> None:
    async with start_auth() as auth:
        user = await auth.user("sofia", Role.SUPERVISOR)
        first = await auth.login("sofia")
        assert first.status_code == 200
        body = first.json()
        assert body["enrolment_required"] is True
        assert "access_token" not in body
        enrolment = auth.bearer(body["enrolment_token"])

        # The enrolment token opens only the /auth/2fa/* routes, never an operator route.
        assert (await auth.client.get("/auth/me", headers=enrolment)).status_code == 401
        assert (await auth.client.get("/auth/users", headers=enrolment)).status_code == 401
        verifier = TokenVerifier(jwks_url=auth.url + JWKS_PATH)
        with pytest.raises(Exception, match="invalid token"):
            await verifier.verify(body["enrolment_token"])

        started = (await auth.client.post("/auth/2fa/enrol", headers=enrolment)).json()
        assert started["otpauth_uri"].startswith("otpauth://totp/")
        assert "sofia" in started["otpauth_uri"]
        assert started["qr_svg"].lstrip().startswith("<svg")
        assert "<script" not in started["qr_svg"]
        stored = await auth.db[USERS].find_one({"_id": user.id})
        assert stored is not None
        assert started["secret"].encode() not in bytes(stored["totp_pending_secret"])  # encrypted at rest

        authenticator = pyotp.TOTP(started["secret"])
        wrong = await auth.client.post("/auth/2fa/confirm", json={"otp": "000000"}, headers=enrolment)
        assert (wrong.status_code, wrong.json()["code"]) == (401, "otp_invalid")
        confirmed = await auth.client.post(
            "/auth/2fa/confirm", json={"otp": authenticator.at(auth.clock.now())}, headers=enrolment
        )
        assert confirmed.status_code == 200, confirmed.text
        result = confirmed.json()
        assert len(result["recovery_codes"]) == 10
        assert len(set(result["recovery_codes"])) == 10
        assert result["token_type"] == "bearer"
        assert result["user"]["totp_enabled"] is True
        assert (
            await auth.client.post("/auth/refresh", json={"refresh_token": result["refresh_token"]})
        ).status_code == 200
        principal = await verifier.verify(result["access_token"])
        assert principal.role is Role.SUPERVISOR
        assert principal.second_factor
        stored = await auth.db[USERS].find_one({"_id": user.id})
        assert stored is not None
        assert not any(code in str(stored) for code in result["recovery_codes"])  # only digests stored
        await auth.wait_event(Sec.KIND_TWO_FACTOR_ENABLED, user_id=user.id)

        # From now on the password alone is not enough.
        auth.clock.advance(30)
        needs = await auth.login("sofia")
        assert (needs.status_code, needs.json()["code"]) == (401, "otp_required")
        ok = await auth.login("sofia", otp=authenticator.at(auth.clock.now()))
        assert ok.status_code == 200, ok.text
        assert (await verifier.verify(ok.json()["access_token"])).second_factor


async def test_a_code_is_accepted_once_and_within_one_step(start_auth: Any) -> None:
    async with start_auth() as auth:
        _, authenticator = await auth.enrolled_user("tiago", Role.ADMIN)
        code = authenticator.at(auth.clock.now())
        assert (await auth.login("tiago", otp=code)).status_code == 200
        replay = await auth.login("tiago", otp=code)
        assert (replay.status_code, replay.json()["code"]) == (401, "otp_invalid")

        auth.clock.advance(30)
        previous_step = authenticator.at(auth.clock.now(), counter_offset=-1)
        assert (await auth.login("tiago", otp=previous_step)).status_code == 401  # that step was used
        auth.clock.advance(30)
        next_step = authenticator.at(auth.clock.now(), counter_offset=1)
        assert (await auth.login("tiago", otp=next_step)).status_code == 200  # drift of one step
        auth.clock.advance(120)
        stale = authenticator.at(auth.clock.now(), counter_offset=-2)
        assert (await auth.login("tiago", otp=stale)).status_code == 401


async def test_recovery_codes_work_once_each(start_auth: Any) -> None:
    async with start_auth() as auth:
        user = await auth.user("ursula", Role.ADMIN)
        enrolment = auth.bearer((await auth.login("ursula")).json()["enrolment_token"])
        secret = (await auth.client.post("/auth/2fa/enrol", headers=enrolment)).json()["secret"]
        confirmed = await auth.client.post(
            "/auth/2fa/confirm", json={"otp": pyotp.TOTP(secret).at(auth.clock.now())}, headers=enrolment
        )
        codes = confirmed.json()["recovery_codes"]
        first = await auth.login("ursula", recovery_code=codes[0].upper().replace("-", " "))
        assert first.status_code == 200, first.text
        again = await auth.login("ursula", recovery_code=codes[0])
        assert (again.status_code, again.json()["code"]) == (401, "otp_invalid")
        assert (await auth.login("ursula", recovery_code=codes[1])).status_code == 200
        assert (await auth.login("ursula", recovery_code="aaaa-bbbb-cccc")).status_code == 401
        stored = await auth.use_cases.deps.users.by_id(user.id)
        assert stored is not None
        assert len(stored.recovery_hashes) == 8


async def test_agents_may_use_and_disable_2fa_unless_the_setting_requires_it(start_auth: Any) -> None:
    async with start_auth() as auth:
        user = await auth.user("vitor", Role.AGENT)
        token = (await auth.login("vitor")).json()["access_token"]  # no enrolment demanded
        headers = auth.bearer(token)
        secret = (await auth.client.post("/auth/2fa/enrol", headers=headers)).json()["secret"]
        authenticator = pyotp.TOTP(secret)
        confirmed = await auth.client.post(
            "/auth/2fa/confirm", json={"otp": authenticator.at(auth.clock.now())}, headers=headers
        )
        assert confirmed.json()["access_token"] is None  # an operator token already had a session
        again = await auth.client.post("/auth/2fa/enrol", headers=headers)
        assert (again.status_code, again.json()["code"]) == (409, "two_factor_already_enabled")
        auth.clock.advance(30)
        wrong_password = await auth.client.post(
            "/auth/2fa/disable",
            json={"password": "wrong password!", "otp": authenticator.at(auth.clock.now())},
            headers=headers,
        )
        assert wrong_password.status_code == 401
        disabled = await auth.client.post(
            "/auth/2fa/disable",
            json={"password": "correct horse battery staple", "otp": authenticator.at(auth.clock.now())},
            headers=headers,
        )
        assert disabled.status_code == 204
        await auth.wait_event(Sec.KIND_TWO_FACTOR_DISABLED, user_id=user.id)
        assert (await auth.login("vitor")).status_code == 200

    async with start_auth(auth_agent_2fa_required=True) as auth:
        await auth.user("wagner", Role.AGENT)
        assert (await auth.login("wagner")).json()["enrolment_required"] is True


async def test_admins_cannot_disable_their_mandatory_2fa(start_auth: Any) -> None:
    async with start_auth() as auth:
        _, authenticator = await auth.enrolled_user("xavier", Role.ADMIN)
        token = (await auth.login("xavier", otp=authenticator.at(auth.clock.now()))).json()["access_token"]
        auth.clock.advance(30)
        refused = await auth.client.post(
            "/auth/2fa/disable",
            json={"password": "correct horse battery staple", "otp": authenticator.at(auth.clock.now())},
            headers=auth.bearer(token),
        )
        assert (refused.status_code, refused.json()["code"]) == (403, "two_factor_mandatory")
