"""Operator users and what each role may do to the others."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from atende_core.identity import Role

# Who may manage (see, create, change, reset, deactivate) users of which roles.
MANAGES: dict[Role, frozenset[Role]] = {
    Role.ADMIN: frozenset(Role),
    Role.SUPERVISOR: frozenset({Role.AGENT, Role.VIEWER}),
    Role.AGENT: frozenset(),
    Role.VIEWER: frozenset(),
}
# Roles whose users must log in with a second factor whatever the settings say.
TWO_FACTOR_MANDATORY = frozenset({Role.ADMIN, Role.SUPERVISOR})


def username_key(username: str) -> str:
    """The case- and width-insensitive form a username is unique and looked up by."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


def may_manage(actor: Role, target: Role) -> bool:
    """True when a user of role `actor` may manage a user of role `target`."""
    return target in MANAGES[actor]


def two_factor_required(role: Role, *, agents_required: bool) -> bool:
    """True when users of `role` must have TOTP enrolled to get an operator token."""
    return role in TWO_FACTOR_MANDATORY or (agents_required and role is Role.AGENT)


@dataclass(frozen=True, slots=True)
class User:
    """An operator account as stored (secrets only in hashed or encrypted form)."""

    id: str
    username: str
    name: str
    role: Role
    password_hash: str
    active: bool
    created_at: datetime
    updated_at: datetime
    totp_enabled: bool = False
    totp_secret: bytes | None = None  # encrypted
    totp_pending_secret: bytes | None = None  # encrypted, until confirmed
    totp_last_step: int = -1
    recovery_hashes: tuple[str, ...] = ()
    known_ips: tuple[str, ...] = field(default=())
