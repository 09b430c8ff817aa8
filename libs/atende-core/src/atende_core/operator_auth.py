"""FastAPI guards for operator routes: the caller's identity and role come from an access token
signed by the auth service (atende_core.identity), never from a client-supplied header.

    guard = OperatorGuard(verifier=TokenVerifier(jwks_url=...), redis=redis, key_prefix=prefix)
    @router.post("/x")
    async def x(principal: Annotated[Principal, Depends(guard.require(Role.AGENT, Role.SUPERVISOR))]): ...

401 when the token is missing, invalid or revoked; 403 when the role is not allowed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Header, HTTPException, status
from redis.asyncio import Redis
from redis.exceptions import RedisError

from atende_core.identity import REVOKED_SESSION_KEY, Principal, Role, TokenError, TokenVerifier

log = logging.getLogger(__name__)

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


class OperatorGuard:
    """Builds route dependencies that authenticate the operator and check the role."""

    def __init__(self, *, verifier: TokenVerifier, redis: Redis | None = None, key_prefix: str = "") -> None:
        self._verifier = verifier
        self._redis = redis
        self._key_prefix = key_prefix

    async def authenticate(self, authorization: str | None) -> Principal:
        """The principal of an `Authorization: Bearer <jwt>` header, or 401."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "authentication required", headers=_CHALLENGE)
        try:
            principal = await self._verifier.verify(token.strip())
        except TokenError as exc:
            log.info("operator token refused", extra={"event.action": "token-refused", "error.type": str(exc)})
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid token", headers=_CHALLENGE) from None
        if await self._revoked(principal.session_id):
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "session revoked", headers=_CHALLENGE)
        return principal

    async def _revoked(self, session_id: str) -> bool:
        if self._redis is None or not session_id:
            return False
        key = self._key_prefix + REVOKED_SESSION_KEY.format(session_id=session_id)
        try:
            return bool(await self._redis.exists(key))
        except RedisError:
            # Redis down: tokens stay valid for their few minutes rather than locking every agent out.
            log.warning("revocation list unavailable", extra={"event.action": "revocation-check-skipped"})
            return False

    def require(self, *roles: Role) -> Callable[..., Awaitable[Principal]]:
        """A dependency admitting a valid token whose role is one of `roles` (any role when none given)."""
        allowed = frozenset(roles)

        async def dependency(authorization: Annotated[str | None, Header()] = None) -> Principal:
            principal = await self.authenticate(authorization)
            if allowed and principal.role not in allowed:
                raise HTTPException(status.HTTP_403_FORBIDDEN, "your role may not do this")
            return principal

        return dependency
