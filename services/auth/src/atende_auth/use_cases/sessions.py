"""Sessions: opening one (tokens), refresh-token rotation with reuse detection, logout, revocation."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from atende.security.v1.security_pb2 import SecurityEventRecorded as Sec
from atende_auth import metrics
from atende_auth.domain import credentials, tokens
from atende_auth.domain import errors as e
from atende_auth.domain.network import ip_allowed
from atende_auth.domain.sessions import Session
from atende_auth.domain.users import User
from atende_auth.use_cases.context import Caller, Deps, TokenPair

log = logging.getLogger(__name__)


class Sessions:
    """Opens, refreshes and revokes sessions."""

    def __init__(self, deps: Deps) -> None:
        self._d = deps

    async def open(self, user: User, *, amr: Sequence[str], caller: Caller) -> TokenPair:
        """A new session (refresh-token family) for `user`, and its first token pair."""
        now = self._d.clock.now()
        refresh_token = credentials.new_refresh_token()
        session = Session(
            id=credentials.new_session_id(),
            user_id=user.id,
            created_at=now,
            last_refresh_at=now,
            expires_at=now + timedelta(seconds=self._d.policy.refresh_ttl_s),
            ip=caller.ip,
            user_agent=caller.user_agent[:256],
            amr=tuple(amr),
        )
        await self._d.sessions.create(session, token_hash=credentials.digest(refresh_token))
        return await self._pair(user, session, refresh_token)

    async def _pair(self, user: User, session: Session, refresh_token: str) -> TokenPair:
        key = await self._d.keys.signing_key()
        access = tokens.access_token(
            key,
            user=user,
            session_id=session.id,
            amr=session.amr,
            now=self._d.clock.now(),
            ttl_s=self._d.policy.access_ttl_s,
        )
        return TokenPair(
            access_token=access, refresh_token=refresh_token, expires_in=self._d.policy.access_ttl_s, user=user
        )

    async def refresh(self, refresh_token: str, *, caller: Caller) -> TokenPair:
        """A new pair for a current refresh token, which retires; a retired one revokes its family."""
        decision = await self._d.rate_limit.hit(self._d.policy.refresh_rate_per_ip, "refresh-ip", caller.ip)
        if not decision.allowed:
            metrics.RATE_LIMITED.labels("refresh_ip").inc()
            await self._d.events.record(
                Sec.KIND_RATE_LIMITED, user_id="", source_ip=caller.ip, details={"rule": "refresh_ip"}
            )
            raise e.RetryLater(e.RATE_LIMITED, "too many refreshes", retry_after_s=decision.retry_after_s)
        now = self._d.clock.now()
        token_hash = credentials.digest(refresh_token)
        session = await self._d.sessions.by_current_token(token_hash, now=now)
        if session is None:
            await self._maybe_reused(token_hash, caller)
            metrics.REFRESHES.labels("invalid").inc()
            raise e.AuthError(e.INVALID_REFRESH, "invalid refresh token")
        user = await self._d.users.by_id(session.user_id)
        if user is None or not user.active:
            await self.revoke(session.id, reason="inactive_user")
            metrics.REFRESHES.labels("invalid").inc()
            raise e.AuthError(e.INVALID_REFRESH, "invalid refresh token")
        if not ip_allowed(caller.ip, user.role, self._d.policy.allowlist):
            metrics.REFRESHES.labels("ip_not_allowed").inc()
            await self._d.events.record(
                Sec.KIND_IP_NOT_ALLOWED,
                user_id=user.id,
                source_ip=caller.ip,
                user_agent=caller.user_agent,
                details={"route": "refresh", "role": user.role.value},
            )
            raise e.AuthError(e.IP_NOT_ALLOWED, "logins for this role are not allowed from this address")
        new_token = credentials.new_refresh_token()
        rotated = await self._d.sessions.rotate(
            session.id,
            old_hash=token_hash,
            new_hash=credentials.digest(new_token),
            now=now,
            expires_at=now + timedelta(seconds=self._d.policy.refresh_ttl_s),
            ip=caller.ip,
        )
        if not rotated:  # a concurrent refresh with the same token won: this one is a replay
            await self._maybe_reused(token_hash, caller)
            metrics.REFRESHES.labels("invalid").inc()
            raise e.AuthError(e.INVALID_REFRESH, "invalid refresh token")
        metrics.REFRESHES.labels("ok").inc()
        return await self._pair(user, session, new_token)

    async def _maybe_reused(self, token_hash: str, caller: Caller) -> None:
        family = await self._d.sessions.by_retired_token(token_hash)
        if family is None:
            return
        metrics.REFRESH_REUSE.inc()
        log.warning(
            "retired refresh token presented; session revoked",
            extra={"event.action": "refresh-token-reused", "session.id": family.id, "user.id": family.user_id},
        )
        was_live = family.revoked_at is None
        await self.revoke(family.id, reason="refresh_reuse")
        await self._d.events.record(
            Sec.KIND_REFRESH_TOKEN_REUSED,
            user_id=family.user_id,
            source_ip=caller.ip,
            user_agent=caller.user_agent,
            details={"session_id": family.id, "session_was_live": str(was_live).lower()},
        )

    async def revoke(self, session_id: str, *, reason: str) -> bool:
        """Revoke one session: its refresh tokens stop working, its access tokens are refused by guards."""
        revoked = await self._d.sessions.revoke(session_id, now=self._d.clock.now())
        await self._d.revocations.revoke(session_id)
        if revoked:
            metrics.SESSIONS_REVOKED.labels(reason).inc()
        return revoked

    async def revoke_all(self, user_id: str, *, reason: str) -> int:
        """Revoke every session of a user at once; how many were live."""
        ids = await self._d.sessions.revoke_all(user_id, now=self._d.clock.now())
        for session_id in ids:
            await self._d.revocations.revoke(session_id)
        if ids:
            metrics.SESSIONS_REVOKED.labels(reason).inc(len(ids))
        return len(ids)

    async def logout(self, *, user_id: str, session_id: str, refresh_token: str | None) -> None:
        """End the caller's session (and the one `refresh_token` belongs to, if it is theirs)."""
        if session_id:
            await self.revoke(session_id, reason="logout")
        if refresh_token:
            other = await self._d.sessions.by_current_token(credentials.digest(refresh_token), now=self._d.clock.now())
            if other is not None and other.user_id == user_id:
                await self.revoke(other.id, reason="logout")
