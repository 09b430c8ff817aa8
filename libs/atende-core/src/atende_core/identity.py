"""Operator identity: the roles, and the access tokens the auth service signs and every service verifies.

The contract between auth (which signs) and the services (which verify locally, from auth's JWKS,
never by calling auth per request):

- An access token is a JWT signed with an asymmetric key (`EdDSA`, Ed25519), header `kid` naming the
  key in auth's JWKS (`GET {AUTH_URL}/auth/jwks.json`, internal), claims `iss` = ISSUER,
  `aud` = AUDIENCE, `sub` (user id), `role`, `name`, `sid` (the login session, i.e. the refresh-token
  family), `amr` (`["pwd"]` or `["pwd", "otp"]`), `iat`, `exp`, `jti`.
- Any other algorithm, a missing or unknown `kid`, another issuer or audience, an expired token or
  a role outside `Role` is refused.

Errors::

    TokenError            a token that must be refused (401)
    └── JwksUnavailable   the JWKS could not be fetched (401 too: never accept without a key)
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx
import jwt

ISSUER = "atende-auth"
AUDIENCE = "atende-operator"
ALGORITHM = "EdDSA"
JWKS_PATH = "/auth/jwks.json"
# Redis key (behind the deployment's key prefix) that auth sets, for the access-token lifetime, when a
# session is revoked (logout, deactivation, refresh-token reuse): verifiers refuse its tokens at once.
REVOKED_SESSION_KEY = "auth:revoked-session:{session_id}"
# A verifier re-reads the JWKS at most this often when a token names a kid it does not know.
JWKS_REFRESH_MIN_INTERVAL_S = 10.0
JWKS_MAX_AGE_S = 300.0
CLOCK_LEEWAY_S = 5


class Role(StrEnum):
    """Operator roles, from most to least powerful."""

    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    AGENT = "agent"
    VIEWER = "viewer"


class TokenError(Exception):
    """An access token that must be refused."""


class JwksUnavailable(TokenError):
    """The key set could not be read, so no token can be verified."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting, as an access token says."""

    user_id: str
    role: Role
    name: str
    session_id: str
    token_id: str
    second_factor: bool

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Principal:
        """The principal of verified claims; refuses claims of the wrong shape."""
        try:
            role = Role(claims["role"])
            user_id = str(claims["sub"])
        except (KeyError, ValueError) as exc:
            raise TokenError("token without a valid subject or role") from exc
        if not user_id:
            raise TokenError("token without a subject")
        amr = claims.get("amr") or []
        return cls(
            user_id=user_id,
            role=role,
            name=str(claims.get("name") or ""),
            session_id=str(claims.get("sid") or ""),
            token_id=str(claims.get("jti") or ""),
            second_factor=isinstance(amr, list) and "otp" in amr,
        )


class TokenVerifier:
    """Verifies access tokens against the auth service's JWKS, cached and refreshed on an unknown kid."""

    def __init__(self, *, jwks_url: str, client: httpx.AsyncClient | None = None, timeout_s: float = 3.0) -> None:
        self._jwks_url = jwks_url
        self._client = client
        self._timeout_s = timeout_s
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def verify(self, token: str) -> Principal:
        """The principal of a valid token; TokenError for anything else."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenError("malformed token") from exc
        if header.get("alg") != ALGORITHM:
            raise TokenError("token not signed with the expected algorithm")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenError("token without a key id")
        key = await self._key(kid)
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                leeway=CLOCK_LEEWAY_S,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise TokenError(f"invalid token: {type(exc).__name__}") from exc
        return Principal.from_claims(claims)

    async def _key(self, kid: str) -> jwt.PyJWK:
        now = time.monotonic()
        key = self._keys.get(kid)
        if key is not None and now - self._fetched_at < JWKS_MAX_AGE_S:
            return key
        async with self._lock:
            key = self._keys.get(kid)
            stale = time.monotonic() - self._fetched_at >= JWKS_MAX_AGE_S
            if (key is None or stale) and time.monotonic() - self._fetched_at >= JWKS_REFRESH_MIN_INTERVAL_S:
                await self._refresh()
                key = self._keys.get(kid)
        if key is None:
            raise TokenError("token signed by an unknown key")
        return key

    async def _refresh(self) -> None:
        try:
            if self._client is not None:
                response = await self._client.get(self._jwks_url, timeout=self._timeout_s)
            else:
                async with httpx.AsyncClient(timeout=self._timeout_s) as client:
                    response = await client.get(self._jwks_url)
            response.raise_for_status()
            keys = jwt.PyJWKSet.from_dict(response.json()).keys
        except (httpx.HTTPError, ValueError, jwt.PyJWTError) as exc:
            if not self._keys:
                raise JwksUnavailable("the auth service's key set is unavailable") from exc
            # Keep serving the keys we have: auth being briefly away must not log every agent out.
            self._fetched_at = time.monotonic() - JWKS_MAX_AGE_S + JWKS_REFRESH_MIN_INTERVAL_S
            return
        self._keys = {k.key_id: k for k in keys if k.key_id and k.algorithm_name == ALGORITHM}
        self._fetched_at = time.monotonic()
