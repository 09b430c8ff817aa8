"""TOTP second factor: enrolment (secret, URI, QR), confirmation (recovery codes), checks, disabling."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from atende.security.v1.security_pb2 import SecurityEventRecorded as Sec
from atende_auth import metrics
from atende_auth.domain import credentials, totp
from atende_auth.domain import errors as e
from atende_auth.domain.network import ip_allowed
from atende_auth.domain.tokens import AMR_OTP, AMR_PASSWORD
from atende_auth.domain.users import User, two_factor_required
from atende_auth.ports import UndecryptableSecret
from atende_auth.use_cases.context import Caller, Deps, TokenPair
from atende_auth.use_cases.sessions import Sessions


@dataclass(frozen=True, slots=True)
class Enrolment:
    """What the user scans or types into an authenticator app."""

    secret: str
    otpauth_uri: str
    qr_svg: str


@dataclass(frozen=True, slots=True)
class Confirmed:
    """TOTP is on: the recovery codes (shown once) and, after an enrolment-token login, tokens."""

    recovery_codes: list[str]
    tokens: TokenPair | None


def _context(user_id: str) -> str:
    return "totp:" + user_id


log = logging.getLogger(__name__)


class TwoFactor:
    """Enrols, confirms, checks and disables TOTP."""

    def __init__(self, deps: Deps, sessions: Sessions) -> None:
        self._d = deps
        self._sessions = sessions

    def _open(self, user: User, sealed: bytes) -> str:
        try:
            return self._d.box.decrypt(sealed, context=_context(user.id)).decode()
        except UndecryptableSecret:
            # A changed encryption key: the user cannot pass TOTP until an admin resets it.
            log.error("TOTP secret does not decrypt", extra={"event.action": "totp-undecryptable", "user.id": user.id})
            raise e.AuthError(e.OTP_INVALID, "invalid code") from None

    async def _user(self, user_id: str) -> User:
        user = await self._d.users.by_id(user_id)
        if user is None or not user.active:
            raise e.AuthError(e.INVALID_TOKEN, "invalid token")
        return user

    async def enrol(self, user_id: str) -> Enrolment:
        """Start (or restart) enrolment: a fresh secret, kept pending until confirmed with a code."""
        user = await self._user(user_id)
        if user.totp_enabled:
            raise e.AuthError(e.TWO_FACTOR_ALREADY_ENABLED, "two-factor authentication is already enabled")
        secret = totp.new_secret()
        encrypted = self._d.box.encrypt(secret.encode(), context=_context(user.id))
        await self._d.users.set_pending_totp(user.id, encrypted, now=self._d.clock.now())
        uri = totp.provisioning_uri(secret, username=user.username, issuer=self._d.policy.totp_issuer)
        return Enrolment(secret=secret, otpauth_uri=uri, qr_svg=totp.qr_svg(uri))

    async def confirm(self, user_id: str, otp: str, *, caller: Caller, open_session: bool) -> Confirmed:
        """Turn TOTP on with a first valid code; returns recovery codes (and tokens when asked)."""
        user = await self._user(user_id)
        if open_session and not ip_allowed(caller.ip, user.role, self._d.policy.allowlist):
            # The login that gave the enrolment token was checked; the session it completes is too.
            raise e.AuthError(e.IP_NOT_ALLOWED, "logins for this role are not allowed from this address")
        if user.totp_enabled:
            raise e.AuthError(e.TWO_FACTOR_ALREADY_ENABLED, "two-factor authentication is already enabled")
        if user.totp_pending_secret is None:
            raise e.AuthError(e.NO_PENDING_ENROLMENT, "start the enrolment first")
        secret = self._open(user, user.totp_pending_secret)
        step = totp.matching_step(secret, otp, now=self._d.clock.now(), last_step=-1)
        if step is None:
            raise e.AuthError(e.OTP_INVALID, "invalid code")
        codes = credentials.new_recovery_codes()
        enabled = await self._d.users.enable_totp(
            user.id,
            pending=user.totp_pending_secret,
            step=step,
            recovery_hashes=[credentials.recovery_digest(c) for c in codes],
            now=self._d.clock.now(),
        )
        if not enabled:
            raise e.AuthError(e.NO_PENDING_ENROLMENT, "the enrolment changed meanwhile; start again")
        metrics.TWO_FACTOR.labels("enabled").inc()
        await self._d.events.record(
            Sec.KIND_TWO_FACTOR_ENABLED, user_id=user.id, source_ip=caller.ip, user_agent=caller.user_agent
        )
        pair = None
        if open_session:
            fresh = await self._user(user.id)
            pair = await self._sessions.open(fresh, amr=[AMR_PASSWORD, AMR_OTP], caller=caller)
        return Confirmed(recovery_codes=codes, tokens=pair)

    async def check(self, user: User, *, otp: str | None, recovery_code: str | None) -> bool:
        """True when `otp` is valid and unused, or `recovery_code` is one not used yet (consumed)."""
        if otp and user.totp_secret is not None:
            try:
                secret = self._open(user, user.totp_secret)
            except e.AuthError:
                return False
            step = totp.matching_step(secret, otp, now=self._d.clock.now(), last_step=user.totp_last_step)
            return step is not None and await self._d.users.claim_totp_step(user.id, step)
        if recovery_code:
            used = await self._d.users.use_recovery_code(user.id, credentials.recovery_digest(recovery_code))
            if used:
                metrics.TWO_FACTOR.labels("recovery_code_used").inc()
            return used
        return False

    async def disable(self, user_id: str, *, password: str, otp: str, caller: Caller) -> None:
        """Turn TOTP off with the password and a current code, where the role's policy allows it."""
        user = await self._user(user_id)
        if two_factor_required(user.role, agents_required=self._d.policy.agents_2fa_required):
            raise e.AuthError(e.TWO_FACTOR_MANDATORY, "two-factor authentication is mandatory for this role")
        if not user.totp_enabled:
            raise e.AuthError(e.TWO_FACTOR_NOT_ENABLED, "two-factor authentication is not enabled")
        password_ok = await asyncio.to_thread(self._d.passwords.verify, user.password_hash, password)
        if not password_ok:
            raise e.AuthError(e.INVALID_CREDENTIALS, "invalid credentials")
        if not await self.check(user, otp=otp, recovery_code=None):
            raise e.AuthError(e.OTP_INVALID, "invalid code")
        await self._d.users.disable_totp(user.id, now=self._d.clock.now())
        metrics.TWO_FACTOR.labels("disabled").inc()
        await self._d.events.record(
            Sec.KIND_TWO_FACTOR_DISABLED,
            user_id=user.id,
            source_ip=caller.ip,
            user_agent=caller.user_agent,
            details={"by": "self"},
        )
