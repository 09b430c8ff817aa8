"""Opaque credentials the service hands out and keeps only hashed: refresh tokens, recovery codes."""

from __future__ import annotations

import hashlib
import secrets

RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud from paper


def new_refresh_token() -> str:
    """A random refresh token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def new_session_id() -> str:
    """A random session (refresh-token family) id."""
    return secrets.token_hex(16)


def digest(value: str) -> str:
    """SHA-256 of a high-entropy secret: enough for random tokens, which cannot be guessed offline."""
    return hashlib.sha256(value.encode()).hexdigest()


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    """One-time recovery codes such as `k7pq-x2mz-9rtw` (about 74 bits each)."""
    return [
        "-".join("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(4)) for _ in range(3)) for _ in range(count)
    ]


def recovery_digest(code: str) -> str:
    """The stored form of a recovery code, tolerant of case, spaces and dashes as typed."""
    normalized = "".join(c for c in code.lower() if c.isalnum())
    return digest("recovery:" + normalized)


def new_password() -> str:
    """A temporary password for an administrator's reset (to be changed by the user)."""
    return secrets.token_urlsafe(15)
