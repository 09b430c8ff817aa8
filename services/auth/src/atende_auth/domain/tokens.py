"""Access tokens (per atende_core.identity) and enrolment tokens, signed with the key ring's key."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt

from atende_core.identity import ALGORITHM, AUDIENCE, CLOCK_LEEWAY_S, ISSUER

from .keys import SigningKey
from .users import User

# Accepted only by the /auth/2fa/* routes: a password-verified user who must still enrol TOTP.
ENROLMENT_AUDIENCE = "atende-enrolment"
AMR_PASSWORD = "pwd"  # noqa: S105 - an authentication method name (RFC 8176)
AMR_OTP = "otp"


@dataclass(frozen=True, slots=True)
class EnrolmentClaims:
    """What a verified enrolment token says."""

    user_id: str
    token_id: str


def _timestamps(now: datetime, ttl_s: int) -> tuple[int, int]:
    iat = int(now.timestamp())
    return iat, iat + ttl_s


def access_token(key: SigningKey, *, user: User, session_id: str, amr: Sequence[str], now: datetime, ttl_s: int) -> str:
    """A signed access token for `user` in session `session_id`."""
    iat, exp = _timestamps(now, ttl_s)
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": user.id,
        "role": user.role.value,
        "name": user.name,
        "sid": session_id,
        "amr": list(amr),
        "iat": iat,
        "exp": exp,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})


def enrolment_token(key: SigningKey, *, user: User, now: datetime, ttl_s: int) -> str:
    """A signed token that lets `user` enrol TOTP and nothing else."""
    iat, exp = _timestamps(now, ttl_s)
    claims = {
        "iss": ISSUER,
        "aud": ENROLMENT_AUDIENCE,
        "sub": user.id,
        "amr": [AMR_PASSWORD],
        "iat": iat,
        "exp": exp,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})


def verify_enrolment_token(token: str, keys: Mapping[str, SigningKey]) -> EnrolmentClaims | None:
    """The claims of a valid enrolment token signed by one of `keys`, or None."""
    try:
        header = jwt.get_unverified_header(token)
        key = keys.get(str(header.get("kid") or ""))
        if key is None or header.get("alg") != ALGORITHM:
            return None
        claims = jwt.decode(
            token,
            key=key.private_key.public_key(),
            algorithms=[ALGORITHM],
            audience=ENROLMENT_AUDIENCE,
            issuer=ISSUER,
            leeway=CLOCK_LEEWAY_S,
            options={"require": ["exp", "iat", "sub", "iss", "aud", "jti"]},
        )
    except jwt.PyJWTError:
        return None
    return EnrolmentClaims(user_id=str(claims["sub"]), token_id=str(claims["jti"]))
