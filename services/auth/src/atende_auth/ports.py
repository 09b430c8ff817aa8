"""What the auth use cases need from the world; adapters/ holds the real implementations."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Protocol

from atende.security.v1.security_pb2 import SecurityEventRecorded
from atende_auth.domain.keys import SigningKey
from atende_auth.domain.sessions import Session
from atende_auth.domain.users import User
from atende_core.identity import Role
from atende_core.ratelimit import RateDecision


class UsernameTaken(Exception):
    """A user with that username (case-insensitively) exists."""


class UndecryptableSecret(Exception):
    """A ciphertext that does not decrypt under the configured key and its context."""


class UserStore(Protocol):
    """Operator accounts."""

    async def add(self, user: User) -> None:
        """Store a new user; UsernameTaken when the username is in use."""
        ...

    async def by_id(self, user_id: str) -> User | None: ...

    async def by_username(self, username: str) -> User | None: ...

    async def list(self, roles: Collection[Role]) -> list[User]: ...

    async def any_with_role(self, role: Role) -> bool: ...

    async def set_password(self, user_id: str, password_hash: str, *, now: datetime) -> None: ...

    async def set_profile(
        self, user_id: str, *, now: datetime, name: str | None, role: Role | None, active: bool | None
    ) -> User | None: ...

    async def set_pending_totp(self, user_id: str, secret: bytes, *, now: datetime) -> None: ...

    async def enable_totp(
        self, user_id: str, *, pending: bytes, step: int, recovery_hashes: list[str], now: datetime
    ) -> bool:
        """Turn the pending secret on (only if it is still `pending`); False when it changed meanwhile."""
        ...

    async def disable_totp(self, user_id: str, *, now: datetime) -> None: ...

    async def claim_totp_step(self, user_id: str, step: int) -> bool:
        """Record `step` as used; False when it (or a later one) was already used."""
        ...

    async def use_recovery_code(self, user_id: str, code_hash: str) -> bool:
        """Consume one recovery code; False when it does not exist (or was used)."""
        ...

    async def remember_ip(self, user_id: str, ip: str, *, keep: int) -> None: ...


class SessionStore(Protocol):
    """Sessions and their refresh-token digests (current and retired)."""

    async def create(self, session: Session, *, token_hash: str) -> None: ...

    async def by_current_token(self, token_hash: str, *, now: datetime) -> Session | None: ...

    async def by_retired_token(self, token_hash: str) -> Session | None: ...

    async def rotate(
        self, session_id: str, *, old_hash: str, new_hash: str, now: datetime, expires_at: datetime, ip: str
    ) -> bool:
        """Replace the current token `old_hash` by `new_hash`; False if `old_hash` is no longer current."""
        ...

    async def get(self, session_id: str) -> Session | None: ...

    async def revoke(self, session_id: str, *, now: datetime) -> bool: ...

    async def revoke_all(self, user_id: str, *, now: datetime) -> list[str]:
        """Revoke every live session of the user; the ids revoked."""
        ...

    async def active(self, user_id: str, *, now: datetime) -> list[Session]: ...


class StoredKeys(Protocol):
    """The signing keys, kept encrypted."""

    async def all(self) -> list[SigningKey]: ...

    async def add(self, key: SigningKey) -> None: ...

    async def remove(self, kids: Collection[str]) -> None: ...


class SecretBox(Protocol):
    """Symmetric encryption of small secrets (TOTP secrets, signing keys) bound to a context."""

    def encrypt(self, plaintext: bytes, *, context: str) -> bytes: ...

    def decrypt(self, ciphertext: bytes, *, context: str) -> bytes:
        """The plaintext; UndecryptableSecret when key, context or bytes do not match."""
        ...


class AttemptGuard(Protocol):
    """Counts failures per scope (account, address) and locks scopes out."""

    async def locked_until(self, scope: str, *, now: datetime) -> datetime | None: ...

    async def failed(self, scope: str, *, now: datetime) -> datetime | None:
        """Count a failure; the end of the lock it caused, if it caused one."""
        ...

    async def clear(self, scope: str) -> None: ...

    async def burst(self, ip: str, account: str) -> bool:
        """Note a failed login from `ip` on `account`; True exactly once per window when the address
        has failed on enough distinct accounts to be a burst."""
        ...


class Revocations(Protocol):
    """The revoked-session list every guard reads."""

    async def revoke(self, session_id: str) -> None: ...


class RateLimit(Protocol):
    """Moving-window rate limits (atende_core.ratelimit.RateLimiter)."""

    async def hit(self, rule: str, *identities: str) -> RateDecision: ...


class SecurityEvents(Protocol):
    """Publishes security events (never with passwords, tokens or codes)."""

    async def record(
        self,
        kind: SecurityEventRecorded.Kind,
        *,
        user_id: str,
        source_ip: str = "",
        user_agent: str = "",
        details: Mapping[str, str] | None = None,
    ) -> None: ...


class AuditLog(Protocol):
    """Records operators' user and session changes in the audit log (never passwords or codes)."""

    async def record(
        self,
        *,
        actor_id: str | None,
        action: str,
        target: str,
        source_ip: str = "",
        details: Mapping[str, str] | None = None,
    ) -> None: ...
