"""argon2id password hashing (argon2-cffi), with a dummy hash so unknown users cost the same time."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


@dataclass(frozen=True, slots=True)
class Argon2Parameters:
    """Cost parameters (RFC 9106's second recommendation by default)."""

    time_cost: int = 3
    memory_cost_kib: int = 65536
    parallelism: int = 4


class Passwords:
    """Hashes and verifies passwords; says when a stored hash uses outdated parameters."""

    def __init__(self, parameters: Argon2Parameters | None = None) -> None:
        p = parameters or Argon2Parameters()
        self._hasher = PasswordHasher(time_cost=p.time_cost, memory_cost=p.memory_cost_kib, parallelism=p.parallelism)
        # Verified against when the user does not exist: same work, same answer, similar time.
        self._dummy = self._hasher.hash("atende-dummy-password-never-valid")

    def hash(self, password: str) -> str:
        """A new argon2id hash of `password`."""
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """True when `password` matches `stored_hash`; None verifies against the dummy (always False)."""
        try:
            return self._hasher.verify(stored_hash or self._dummy, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """True when `stored_hash` was made with other parameters than the current ones."""
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True


def password_problem(password: str, *, min_length: int, username: str) -> str | None:
    """Why `password` is refused for a new or reset account, or None when it is acceptable."""
    if len(password) < min_length:
        return f"the password must have at least {min_length} characters"
    if password.strip().casefold() == username.strip().casefold():
        return "the password must not be the username"
    return None
