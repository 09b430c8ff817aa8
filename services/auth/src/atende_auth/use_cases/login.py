"""Login: rate limits, lockout, password, IP allowlist, second factor, anomalies, then a session."""

from __future__ import annotations

import asyncio
import math
from datetime import datetime

from atende.security.v1.security_pb2 import SecurityEventRecorded as Sec
from atende_auth import metrics
from atende_auth.domain import errors as e
from atende_auth.domain import tokens
from atende_auth.domain.network import ip_allowed
from atende_auth.domain.tokens import AMR_OTP, AMR_PASSWORD
from atende_auth.domain.users import User, two_factor_required, username_key
from atende_auth.use_cases.context import Caller, Deps, EnrolmentRequired, TokenPair
from atende_auth.use_cases.sessions import Sessions
from atende_auth.use_cases.two_factor import TwoFactor


class Login:
    """Checks credentials and opens a session (or asks for TOTP enrolment)."""

    def __init__(self, deps: Deps, sessions: Sessions, two_factor: TwoFactor) -> None:
        self._d = deps
        self._sessions = sessions
        self._two_factor = two_factor

    async def __call__(
        self, *, username: str, password: str, otp: str | None, recovery_code: str | None, caller: Caller
    ) -> TokenPair | EnrolmentRequired:
        """Log in; AuthError (or RetryLater) with the contract's code when refused."""
        account = username_key(username)
        await self._rate_limit(account, caller)
        await self._refuse_locked(account, caller)
        user = await self._d.users.by_username(account)
        # Unknown users are verified against a dummy hash: same answer, similar time.
        valid = await asyncio.to_thread(self._d.passwords.verify, user.password_hash if user else None, password)
        if user is None or not valid or not user.active:
            await self._failed(account, user, caller, reason="invalid_credentials")
            metrics.LOGINS.labels("invalid_credentials").inc()
            raise e.AuthError(e.INVALID_CREDENTIALS, "invalid username or password")
        if not ip_allowed(caller.ip, user.role, self._d.policy.allowlist):
            metrics.LOGINS.labels("ip_not_allowed").inc()
            await self._d.events.record(
                Sec.KIND_IP_NOT_ALLOWED,
                user_id=user.id,
                source_ip=caller.ip,
                user_agent=caller.user_agent,
                details={"route": "login", "role": user.role.value},
            )
            raise e.AuthError(e.IP_NOT_ALLOWED, "logins for this role are not allowed from this address")
        amr = [AMR_PASSWORD]
        if user.totp_enabled:
            if not otp and not recovery_code:
                metrics.LOGINS.labels("otp_required").inc()
                raise e.AuthError(e.OTP_REQUIRED, "a one-time code is required")
            if not await self._two_factor.check(user, otp=otp, recovery_code=recovery_code):
                await self._failed(account, user, caller, reason="otp_invalid")
                metrics.LOGINS.labels("otp_invalid").inc()
                raise e.AuthError(e.OTP_INVALID, "invalid one-time code")
            amr.append(AMR_OTP)
        await self._d.attempts.clear("user:" + account)
        await self._rehash(user, password)
        if not user.totp_enabled and two_factor_required(user.role, agents_required=self._d.policy.agents_2fa_required):
            metrics.LOGINS.labels("enrolment_required").inc()
            key = await self._d.keys.signing_key()
            token = tokens.enrolment_token(
                key, user=user, now=self._d.clock.now(), ttl_s=self._d.policy.enrolment_ttl_s
            )
            return EnrolmentRequired(enrolment_token=token, expires_in=self._d.policy.enrolment_ttl_s, user=user)
        await self._note_address(user, caller)
        pair = await self._sessions.open(user, amr=amr, caller=caller)
        metrics.LOGINS.labels("success").inc()
        await self._d.events.record(
            Sec.KIND_LOGIN_SUCCEEDED,
            user_id=user.id,
            source_ip=caller.ip,
            user_agent=caller.user_agent,
            details={"amr": " ".join(amr)},
        )
        return pair

    async def _rate_limit(self, account: str, caller: Caller) -> None:
        policy = self._d.policy
        for rule, label, identity in (
            (policy.login_rate_per_ip, "login_ip", caller.ip),
            (policy.login_rate_per_username, "login_username", account),
        ):
            decision = await self._d.rate_limit.hit(rule, label, identity)
            if not decision.allowed:
                metrics.RATE_LIMITED.labels(label).inc()
                metrics.LOGINS.labels("rate_limited").inc()
                await self._d.events.record(
                    Sec.KIND_RATE_LIMITED,
                    user_id="",
                    source_ip=caller.ip,
                    user_agent=caller.user_agent,
                    details={"rule": label},
                )
                raise e.RetryLater(e.RATE_LIMITED, "too many login attempts", retry_after_s=decision.retry_after_s)

    async def _refuse_locked(self, account: str, caller: Caller) -> None:
        now = self._d.clock.now()
        ends = [await self._d.attempts.locked_until(s, now=now) for s in ("user:" + account, "ip:" + caller.ip)]
        until = max((t for t in ends if t is not None), default=None)
        if until is not None:
            metrics.LOGINS.labels("locked").inc()
            retry_after_s = _seconds(until, now)
            raise e.RetryLater(e.LOCKED, "too many failed attempts; try again later", retry_after_s=retry_after_s)

    async def _failed(self, account: str, user: User | None, caller: Caller, *, reason: str) -> None:
        now = self._d.clock.now()
        user_id = user.id if user else ""
        await self._d.events.record(
            Sec.KIND_LOGIN_FAILED,
            user_id=user_id,
            source_ip=caller.ip,
            user_agent=caller.user_agent,
            details={"reason": reason, "known_user": str(user is not None).lower()},
        )
        for scope_kind, scope in (("user", "user:" + account), ("ip", "ip:" + caller.ip)):
            until = await self._d.attempts.failed(scope, now=now)
            if until is not None:
                metrics.LOCKOUTS.labels(scope_kind).inc()
                await self._d.events.record(
                    Sec.KIND_LOCKED_OUT,
                    user_id=user_id if scope_kind == "user" else "",
                    source_ip=caller.ip,
                    user_agent=caller.user_agent,
                    details={"scope": scope_kind, "lock_s": str(_seconds(until, now))},
                )
        if await self._d.attempts.burst(caller.ip, account):
            await self._d.events.record(
                Sec.KIND_FAILED_LOGIN_BURST,
                user_id="",
                source_ip=caller.ip,
                user_agent=caller.user_agent,
                details={"scope": "ip"},
            )

    async def _rehash(self, user: User, password: str) -> None:
        if self._d.passwords.needs_rehash(user.password_hash):
            new_hash = await asyncio.to_thread(self._d.passwords.hash, password)
            await self._d.users.set_password(user.id, new_hash, now=self._d.clock.now())

    async def _note_address(self, user: User, caller: Caller) -> None:
        if caller.ip in user.known_ips:
            return
        if user.known_ips:
            await self._d.events.record(
                Sec.KIND_NEW_IP_LOGIN, user_id=user.id, source_ip=caller.ip, user_agent=caller.user_agent
            )
        await self._d.users.remember_ip(user.id, caller.ip, keep=self._d.policy.known_ips_kept)


def _seconds(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds()))
