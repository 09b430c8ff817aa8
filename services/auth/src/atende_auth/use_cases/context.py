"""What every auth use case shares: its ports, its policy, and the results it hands back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from atende_auth.domain.clock import Clock
from atende_auth.domain.lockout import LockoutPolicy
from atende_auth.domain.network import Network
from atende_auth.domain.passwords import Passwords
from atende_auth.domain.users import User
from atende_auth.ports import (
    AttemptGuard,
    AuditLog,
    RateLimit,
    Revocations,
    SecretBox,
    SecurityEvents,
    SessionStore,
    UserStore,
)
from atende_auth.use_cases.keyring import KeyRing
from atende_core.identity import Role


@dataclass(frozen=True, slots=True)
class Policy:
    """The auth settings the use cases apply."""

    access_ttl_s: int = 600
    refresh_ttl_s: int = 43200
    enrolment_ttl_s: int = 600
    agents_2fa_required: bool = False
    allowlist: Mapping[Role, Sequence[Network]] = field(default_factory=dict)
    login_rate_per_ip: str = "30/minute"
    login_rate_per_username: str = "10/minute"
    refresh_rate_per_ip: str = "60/minute"
    password_min_length: int = 12
    known_ips_kept: int = 20
    totp_issuer: str = "Atende"
    user_lockout: LockoutPolicy = field(default_factory=LockoutPolicy)


@dataclass(frozen=True, slots=True)
class Caller:
    """Where a request comes from (the client address already resolved behind trusted proxies)."""

    ip: str
    user_agent: str = ""


@dataclass(frozen=True, slots=True)
class Deps:
    """The ports and policy of the use cases."""

    users: UserStore
    sessions: SessionStore
    keys: KeyRing
    box: SecretBox
    attempts: AttemptGuard
    revocations: Revocations
    rate_limit: RateLimit
    events: SecurityEvents
    audit: AuditLog
    passwords: Passwords
    clock: Clock
    policy: Policy


@dataclass(frozen=True, slots=True)
class TokenPair:
    """A successful login or refresh."""

    access_token: str
    refresh_token: str
    expires_in: int
    user: User


@dataclass(frozen=True, slots=True)
class EnrolmentRequired:
    """Password accepted, but the role demands TOTP and the user has none yet."""

    enrolment_token: str
    expires_in: int
    user: User
