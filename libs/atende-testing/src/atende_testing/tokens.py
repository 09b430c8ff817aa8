"""Access tokens for tests, signed like the auth service signs them (EdDSA, Ed25519, `kid`) with a key
served as a JWKS by a real local HTTP server, so tests exercise the real TokenVerifier over sockets:

    async with jwks_server() as issuer:
        verifier = TokenVerifier(jwks_url=issuer.jwks_url)       # or AUTH_URL=issuer.auth_url
        token = issuer.mint(user_id="ana", role=Role.AGENT)

`issuer.mint(...)` takes overrides (claims=, headers=, key=) for hostile tests; `issuer.forge_*`
builds the classic attacks (alg none, HS256 with the public key).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from atende_core.identity import ALGORITHM, AUDIENCE, ISSUER, JWKS_PATH, Role
from atende_testing.servers import running_server


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenIssuer:
    """An Ed25519 signing key (kid `kid`) and the JWKS that publishes it."""

    def __init__(self, *, kid: str | None = None) -> None:
        self.kid = kid or f"test-{uuid.uuid4().hex[:8]}"
        self.private_key = Ed25519PrivateKey.generate()
        self.auth_url = ""
        self.requests = 0

    @property
    def jwks_url(self) -> str:
        """Where the JWKS is served (set once the server runs)."""
        return self.auth_url + JWKS_PATH

    def public_bytes(self) -> bytes:
        """The raw public key."""
        return self.private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def jwks(self) -> dict[str, Any]:
        """The key set as auth's `/auth/jwks.json` returns it."""
        jwk = {"kty": "OKP", "crv": "Ed25519", "x": _b64(self.public_bytes()), "kid": self.kid, "alg": ALGORITHM}
        return {"keys": [{**jwk, "use": "sig"}]}

    def claims(
        self, *, user_id: str, role: Role | str, name: str, session_id: str, expires_in_s: int
    ) -> dict[str, Any]:
        """The claims auth puts in an access token."""
        now = int(time.time())
        return {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": user_id,
            "role": str(role),
            "name": name,
            "sid": session_id,
            "amr": ["pwd", "otp"],
            "iat": now,
            "exp": now + expires_in_s,
            "jti": uuid.uuid4().hex,
        }

    def mint(
        self,
        user_id: str = "ana",
        role: Role | str = Role.AGENT,
        *,
        name: str = "",
        session_id: str | None = None,
        expires_in_s: int = 300,
        claims: dict[str, Any] | None = None,
        headers: dict[str, Any] | None = None,
        key: Ed25519PrivateKey | None = None,
    ) -> str:
        """A signed access token; `claims` and `headers` override or add fields (None deletes a claim)."""
        body = self.claims(
            user_id=user_id,
            role=role,
            name=name or user_id.title(),
            session_id=session_id or uuid.uuid4().hex,
            expires_in_s=expires_in_s,
        )
        for claim, value in (claims or {}).items():
            if value is None:
                body.pop(claim, None)
            else:
                body[claim] = value
        return jwt.encode(
            body, key or self.private_key, algorithm=ALGORITHM, headers={"kid": self.kid, **(headers or {})}
        )

    def forge_alg_none(self, user_id: str = "ana", role: Role | str = Role.ADMIN) -> str:
        """An unsigned token (`alg: none`)."""
        body = self.claims(user_id=user_id, role=role, name="x", session_id="s", expires_in_s=300)
        header = {"alg": "none", "typ": "JWT", "kid": self.kid}
        return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(body).encode())}."

    def forge_hs256_with_public_key(self, user_id: str = "ana", role: Role | str = Role.ADMIN) -> str:
        """HS256 keyed with the public key (the algorithm-confusion attack)."""
        body = self.claims(user_id=user_id, role=role, name="x", session_id="s", expires_in_s=300)
        header = {"alg": "HS256", "typ": "JWT", "kid": self.kid}
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(body).encode())}"
        signature = hmac.new(self.public_bytes(), signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(signature)}"

    def tamper(self, token: str, **changes: Any) -> str:
        """The token with claims changed but the original signature kept."""
        header, payload, signature = token.split(".")
        body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        body.update(changes)
        return f"{header}.{_b64(json.dumps(body).encode())}.{signature}"


def jwks_app(issuer: TokenIssuer) -> Starlette:
    """A stand-in of the auth service that serves only the JWKS."""

    async def jwks(_: Request) -> JSONResponse:
        issuer.requests += 1
        return JSONResponse(issuer.jwks())

    return Starlette(routes=[Route(JWKS_PATH, jwks)])


@asynccontextmanager
async def jwks_server(issuer: TokenIssuer | None = None) -> AsyncIterator[TokenIssuer]:
    """Serve an issuer's JWKS on a free loopback port; yields the issuer with `auth_url` set."""
    issuer = issuer or TokenIssuer()
    async with running_server(jwks_app(issuer)) as url:
        issuer.auth_url = url
        yield issuer
