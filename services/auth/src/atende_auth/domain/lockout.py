"""Brute-force lockout: after `threshold` failures in a window a scope is locked, each lock twice as
long as the one before (capped), so a patient attacker gains nothing from waiting the first one out."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """How many failures lock a scope (an account or an address), and for how long."""

    threshold: int = 5
    window_s: int = 900
    base_lock_s: int = 30
    max_lock_s: int = 3600
    # How long earlier locks count towards the doubling.
    strikes_memory_s: int = 86400

    def lock_duration_s(self, earlier_locks: int) -> int:
        """The length of the next lock when `earlier_locks` locks happened within the memory."""
        return int(min(self.max_lock_s, self.base_lock_s * 2 ** min(earlier_locks, 32)))


@dataclass(frozen=True, slots=True)
class BurstPolicy:
    """A burst: failed logins from one address across this many accounts within the window."""

    distinct_accounts: int = 5
    window_s: int = 600
