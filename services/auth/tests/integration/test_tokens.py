"""Key rotation by kid and hostile tokens, against the JWKS of the running app over real HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from atende_core.identity import ALGORITHM, AUDIENCE, ISSUER, JWKS_PATH, Role, TokenError, TokenVerifier

pytestmark = pytest.mark.integration


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())


def _claims(user_id: str, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": user_id,
        "role": "admin",
        "name": "Mallory",
        "sid": "s1",
        "amr": ["pwd", "otp"],
        "iat": now,
        "exp": now + 300,
        "jti": "j1",
    }
    claims.update(changes)
    return claims


async def test_rotation_publishes_the_new_key_first_and_keeps_the_old_until_its_tokens_expire(start_auth: Any) -> None:
    async with start_auth() as auth:
        await auth.user("wanda")
        old_token = (await auth.login("wanda")).json()["access_token"]
        old_kid = jwt.get_unverified_header(old_token)["kid"]

        new_key = await auth.use_cases.keys.rotate(activation_delay_s=30)
        kids = {k["kid"] for k in (await auth.client.get(JWKS_PATH)).json()["keys"]}
        assert kids == {old_kid, new_key.kid}  # published before it signs
        pending = (await auth.login("wanda")).json()["access_token"]
        assert jwt.get_unverified_header(pending)["kid"] == old_kid

        auth.clock.advance(30)
        new_token = (await auth.login("wanda")).json()["access_token"]
        assert jwt.get_unverified_header(new_token)["kid"] == new_key.kid
        verifier = TokenVerifier(jwks_url=auth.url + JWKS_PATH)
        assert (await verifier.verify(old_token)).role is Role.AGENT  # the old key still verifies
        assert (await verifier.verify(new_token)).role is Role.AGENT
        jwk = (await auth.client.get(JWKS_PATH)).json()["keys"][0]
        assert jwk["kty"] == "OKP"
        assert jwk["crv"] == "Ed25519"
        assert jwk["alg"] == "EdDSA"
        assert "d" not in jwk  # never the private half

        # Once every token the old key signed has expired, the JWKS drops it.
        auth.clock.advance(auth.settings.auth_access_ttl_s + 10)
        kids = {k["kid"] for k in (await auth.client.get(JWKS_PATH)).json()["keys"]}
        assert kids == {new_key.kid}
        with pytest.raises(TokenError, match="unknown key"):
            await TokenVerifier(jwks_url=auth.url + JWKS_PATH).verify(old_token)


async def test_signing_keys_are_stored_encrypted(start_auth: Any) -> None:
    async with start_auth() as auth:
        key = await auth.use_cases.keys.signing_key()
        doc = await auth.db["auth_signing_keys"].find_one({"_id": key.kid})
        assert doc is not None
        assert key.private_bytes() not in bytes(doc["private_key"])
        assert "d" not in doc["public_jwk"]


async def test_hostile_tokens_are_refused_by_the_verifier_and_the_routes(start_auth: Any) -> None:
    async with start_auth() as auth:
        admin_token = await auth.token("root", Role.ADMIN)
        header = jwt.get_unverified_header(admin_token)
        user_id = jwt.decode(admin_token, options={"verify_signature": False})["sub"]
        real_key = await auth.use_cases.keys.signing_key()
        public_pem = real_key.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        raw_public = base64.urlsafe_b64decode((await auth.client.get(JWKS_PATH)).json()["keys"][0]["x"] + "==")

        def hs256(secret: bytes) -> str:
            signing_input = _unsigned({"alg": "HS256", "typ": "JWT", "kid": header["kid"]}, _claims(user_id))
            return signing_input + "." + _b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())

        def signed(claims: dict[str, Any], *, key: Ed25519PrivateKey | None = None, kid: str = header["kid"]) -> str:
            return jwt.encode(claims, key or real_key.private_key, algorithm=ALGORITHM, headers={"kid": kid})

        payload = admin_token.split(".")[1]
        tampered_claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        tampered_claims["sub"] = "someone-else"
        tampered = ".".join(
            [admin_token.split(".")[0], _b64(json.dumps(tampered_claims).encode()), admin_token.split(".")[2]]
        )
        rogue = Ed25519PrivateKey.generate()
        hostile = {
            "alg none": _unsigned({"alg": "none", "typ": "JWT", "kid": header["kid"]}, _claims(user_id)) + ".",
            "HS256 with the public key (PEM)": hs256(public_pem),
            "HS256 with the public key (raw)": hs256(raw_public),
            "expired": signed(_claims(user_id, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)),
            "wrong audience": signed(_claims(user_id, aud="atende-enrolment")),
            "wrong issuer": signed(_claims(user_id, iss="someone-else")),
            "tampered claims": tampered,
            "unknown kid": signed(_claims(user_id), key=rogue, kid="rogue-kid"),
            "known kid, other key": signed(_claims(user_id), key=rogue),
            "no kid": jwt.encode(_claims(user_id), real_key.private_key, algorithm=ALGORITHM),
            "role outside the enum": signed(_claims(user_id, role="superuser")),
            "garbage": "not.a.jwt",
        }
        verifier = TokenVerifier(jwks_url=auth.url + JWKS_PATH)
        assert (await verifier.verify(admin_token)).role is Role.ADMIN
        for name, token in hostile.items():
            with pytest.raises(TokenError):
                await verifier.verify(token)
            for path in ("/auth/me", "/auth/users"):
                answer = await auth.client.get(path, headers=auth.bearer(token))
                assert answer.status_code == 401, (name, path, answer.text)
