"""Signing keys (Ed25519) and which of them the JWKS publishes.

A key signs from its `activates_at` until the next key's `activates_at`; its tokens stay valid for
at most `token_ttl_s` after that, so the JWKS keeps it until then. A new key is published before it
activates, so verifiers that cached the key set learn it before the first token it signs.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from atende_core.identity import ALGORITHM, CLOCK_LEEWAY_S


@dataclass(frozen=True, slots=True)
class SigningKey:
    """One key pair of the key ring."""

    kid: str
    private_key: Ed25519PrivateKey
    created_at: datetime
    activates_at: datetime

    def private_bytes(self) -> bytes:
        """The raw 32-byte private key (to be encrypted before storing)."""
        return self.private_key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )

    def public_jwk(self) -> dict[str, Any]:
        """The public key as a JWK, with kid, alg and use."""
        jwk: dict[str, Any] = json.loads(OKPAlgorithm.to_jwk(self.private_key.public_key()))
        jwk.update(kid=self.kid, alg=ALGORITHM, use="sig")
        return jwk


def new_key(*, now: datetime, activates_at: datetime) -> SigningKey:
    """A fresh key pair with a random kid."""
    kid = now.strftime("%Y%m%d") + "-" + secrets.token_hex(6)
    return SigningKey(kid=kid, private_key=Ed25519PrivateKey.generate(), created_at=now, activates_at=activates_at)


def load_key(*, kid: str, raw_private: bytes, created_at: datetime, activates_at: datetime) -> SigningKey:
    """A key from its stored parts."""
    return SigningKey(
        kid=kid,
        private_key=Ed25519PrivateKey.from_private_bytes(raw_private),
        created_at=created_at,
        activates_at=activates_at,
    )


def _by_activation(keys: Sequence[SigningKey]) -> list[SigningKey]:
    return sorted(keys, key=lambda k: (k.activates_at, k.created_at, k.kid))


def signing_key(keys: Sequence[SigningKey], *, now: datetime) -> SigningKey | None:
    """The key that signs now: the latest one already active."""
    active = [k for k in _by_activation(keys) if k.activates_at <= now]
    return active[-1] if active else None


def published(keys: Sequence[SigningKey], *, now: datetime, token_ttl_s: float) -> list[SigningKey]:
    """The keys a verifier may still need: future ones, the current one, and retired ones whose
    last token has not expired yet."""
    ordered = _by_activation(keys)
    grace = timedelta(seconds=token_ttl_s + CLOCK_LEEWAY_S)
    kept = []
    for index, key in enumerate(ordered):
        successor = ordered[index + 1] if index + 1 < len(ordered) else None
        if successor is None or successor.activates_at > now or successor.activates_at + grace > now:
            kept.append(key)
    return kept


def rotation_due(keys: Sequence[SigningKey], *, now: datetime, interval_s: float) -> bool:
    """True when no key is pending and the newest key activated more than `interval_s` ago."""
    if not keys:
        return True
    newest = _by_activation(keys)[-1]
    return newest.activates_at <= now and now - newest.activates_at >= timedelta(seconds=interval_s)
