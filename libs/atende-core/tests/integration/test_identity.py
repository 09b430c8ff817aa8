"""Access-token verification against a JWKS served over real HTTP, and the operator guards."""

# No `from __future__ import annotations`: FastAPI must see the route annotations, which close over `guard`.

import base64
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import Depends, FastAPI
from jwt.algorithms import OKPAlgorithm
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from atende_core.identity import (
    AUDIENCE,
    ISSUER,
    JWKS_PATH,
    REVOKED_SESSION_KEY,
    JwksUnavailable,
    Principal,
    Role,
    TokenError,
    TokenVerifier,
)
from atende_core.operator_auth import OperatorGuard
from atende_testing.servers import running_server

pytestmark = pytest.mark.integration


class KeySet:
    """Signing keys and the JWKS document a real HTTP server answers with."""

    def __init__(self) -> None:
        self.keys: dict[str, Ed25519PrivateKey] = {}
        self.fetches = 0
        self.available = True

    def add(self, kid: str) -> Ed25519PrivateKey:
        self.keys[kid] = Ed25519PrivateKey.generate()
        return self.keys[kid]

    def document(self) -> dict[str, Any]:
        keys = []
        for kid, key in self.keys.items():
            jwk = json.loads(OKPAlgorithm.to_jwk(key.public_key()))
            jwk.update(kid=kid, alg="EdDSA", use="sig")
            keys.append(jwk)
        return {"keys": keys}

    def token(self, kid: str, **overrides: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "user-1",
            "role": "agent",
            "name": "Ana",
            "sid": "session-1",
            "amr": ["pwd", "otp"],
            "jti": "t1",
            "iat": now,
            "exp": now + 60,
        }
        claims.update(overrides)
        return jwt.encode({k: v for k, v in claims.items() if v is not None}, self.keys[kid], "EdDSA", {"kid": kid})


@pytest.fixture
async def jwks() -> AsyncIterator[tuple[KeySet, str]]:
    keyset = KeySet()
    keyset.add("k1")

    async def serve(_: Request) -> JSONResponse:
        keyset.fetches += 1
        if not keyset.available:
            return JSONResponse({"error": "down"}, status_code=503)
        return JSONResponse(keyset.document())

    async with running_server(Starlette(routes=[Route(JWKS_PATH, serve)])) as url:
        yield keyset, url + JWKS_PATH


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_a_valid_token_gives_its_principal(jwks: tuple[KeySet, str]) -> None:
    keyset, url = jwks
    principal = await TokenVerifier(jwks_url=url).verify(keyset.token("k1"))
    assert principal == Principal(
        user_id="user-1", role=Role.AGENT, name="Ana", session_id="session-1", token_id="t1", second_factor=True
    )


def _forgeries(keyset: KeySet) -> dict[str, str]:
    public_pem = (
        keyset.keys["k1"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    valid = keyset.token("k1")
    header, payload, signature = valid.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    other = Ed25519PrivateKey.generate()
    import hashlib
    import hmac

    hs_header = _b64({"alg": "HS256", "typ": "JWT", "kid": "k1"})
    hs_body = _b64(claims)
    hs_signature = (
        base64.urlsafe_b64encode(hmac.new(public_pem, f"{hs_header}.{hs_body}".encode(), hashlib.sha256).digest())
        .rstrip(b"=")
        .decode()
    )
    return {
        "alg none": f"{_b64({'alg': 'none', 'kid': 'k1'})}.{payload}.",
        "alg none, EdDSA header kept in body": f"{_b64({'alg': 'none'})}.{payload}.{signature}",
        "HS256 signed with the public key": f"{hs_header}.{hs_body}.{hs_signature}",
        "expired": keyset.token("k1", iat=int(time.time()) - 3600, exp=int(time.time()) - 1800),
        "wrong audience": keyset.token("k1", aud="someone-else"),
        "wrong issuer": keyset.token("k1", iss="evil"),
        "tampered claims": f"{header}.{_b64({**claims, 'role': 'admin'})}.{signature}",
        "signed by another key": jwt.encode(claims, other, "EdDSA", {"kid": "k1"}),
        "unknown kid": jwt.encode(claims, other, "EdDSA", {"kid": "k9"}),
        "no kid": jwt.encode(claims, keyset.keys["k1"], "EdDSA"),
        "no expiry": keyset.token("k1", exp=None),
        "unknown role": keyset.token("k1", role="root"),
        "empty subject": keyset.token("k1", sub=""),
        "garbage": "not.a.jwt",
        "empty": "",
    }


async def test_forged_and_invalid_tokens_are_refused(jwks: tuple[KeySet, str]) -> None:
    keyset, url = jwks
    verifier = TokenVerifier(jwks_url=url)
    accepted = []
    for name, token in _forgeries(keyset).items():
        try:
            await verifier.verify(token)
        except TokenError:
            continue
        accepted.append(name)
    assert accepted == []


async def test_a_new_key_is_fetched_once_and_old_keys_keep_verifying(jwks: tuple[KeySet, str]) -> None:
    keyset, url = jwks
    verifier = TokenVerifier(jwks_url=url)
    await verifier.verify(keyset.token("k1"))
    assert keyset.fetches == 1
    keyset.add("k2")
    # Within the refresh interval an unknown kid does not make the verifier hammer auth.
    verifier._fetched_at -= 11
    await verifier.verify(keyset.token("k2"))
    await verifier.verify(keyset.token("k1"))
    assert keyset.fetches == 2
    for _ in range(5):
        with pytest.raises(TokenError):
            await verifier.verify(jwt.encode({"sub": "x"}, Ed25519PrivateKey.generate(), "EdDSA", {"kid": "k3"}))
    assert keyset.fetches == 2


async def test_jwks_unavailable_refuses_without_keys_and_keeps_known_keys(jwks: tuple[KeySet, str]) -> None:
    keyset, url = jwks
    keyset.available = False
    with pytest.raises(JwksUnavailable):
        await TokenVerifier(jwks_url=url).verify(keyset.token("k1"))
    keyset.available = True
    verifier = TokenVerifier(jwks_url=url)
    await verifier.verify(keyset.token("k1"))
    keyset.available = False
    verifier._fetched_at -= 3600  # the cached set has aged out; auth is down
    assert (await verifier.verify(keyset.token("k1"))).user_id == "user-1"


async def test_operator_guard_answers_401_403_and_honours_revocation(
    jwks: tuple[KeySet, str], redis_url: str, topic_prefix: str
) -> None:
    keyset, url = jwks
    redis = Redis.from_url(redis_url)
    guard = OperatorGuard(verifier=TokenVerifier(jwks_url=url), redis=redis, key_prefix=topic_prefix)
    app = FastAPI()

    @app.post("/supervise")
    async def supervise(principal: Annotated[Principal, Depends(guard.require(Role.SUPERVISOR, Role.ADMIN))]) -> str:
        return principal.user_id

    @app.get("/anyone")
    async def anyone(principal: Annotated[Principal, Depends(guard.require())]) -> str:
        return principal.role

    try:
        async with running_server(app) as base, httpx.AsyncClient(base_url=base) as client:
            agent = {"Authorization": f"Bearer {keyset.token('k1')}"}
            supervisor = {"Authorization": f"Bearer {keyset.token('k1', role='supervisor', sid='s2')}"}
            assert (await client.post("/supervise")).status_code == 401
            assert (await client.post("/supervise", headers={"Authorization": "Basic abc"})).status_code == 401
            assert (await client.post("/supervise", headers=agent)).status_code == 403
            assert (await client.post("/supervise", headers=supervisor)).json() == "user-1"
            assert (await client.get("/anyone", headers=agent)).json() == "agent"
            await redis.set(topic_prefix + REVOKED_SESSION_KEY.format(session_id="s2"), "1", ex=60)
            refused = await client.post("/supervise", headers=supervisor)
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"] == "Bearer"
    finally:
        await redis.aclose()
