"""Token buckets for the per-number throughput limit and the per-recipient pair rate limit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    """A token bucket: ``capacity`` tokens, refilled at ``rate`` tokens per second."""

    capacity: float
    rate: float
    clock: Callable[[], float]
    tokens: float = field(init=False)
    updated: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = self.capacity
        self.updated = self.clock()

    def try_take(self, amount: float = 1.0) -> bool:
        """Take ``amount`` tokens if available; return whether it succeeded."""
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= amount:
            self.tokens -= amount
            return True
        return False


class RateLimiter:
    """Throughput per phone-number id plus pair rate per (phone-number id, recipient)."""

    def __init__(
        self,
        *,
        throughput_mps: float,
        pair_burst: int,
        pair_interval_s: float,
        clock: Callable[[], float],
    ) -> None:
        self.clock = clock
        self.configure(throughput_mps=throughput_mps, pair_burst=pair_burst, pair_interval_s=pair_interval_s)

    def configure(self, *, throughput_mps: float, pair_burst: int, pair_interval_s: float) -> None:
        """Set the limits and forget the current buckets."""
        self.throughput_mps = throughput_mps
        self.pair_burst = pair_burst
        self.pair_interval_s = pair_interval_s
        self._numbers: dict[str, TokenBucket] = {}
        self._pairs: dict[tuple[str, str], TokenBucket] = {}

    def take_throughput(self, phone_number_id: str) -> bool:
        """Count one message against the number's msg/s budget (one second of burst)."""
        bucket = self._numbers.get(phone_number_id)
        if bucket is None:
            bucket = TokenBucket(self.throughput_mps, self.throughput_mps, self.clock)
            self._numbers[phone_number_id] = bucket
        return bucket.try_take()

    def take_pair(self, phone_number_id: str, recipient: str) -> bool:
        """Count one message to ``recipient``: a burst of ``pair_burst``, then 1 per ``pair_interval_s``."""
        key = (phone_number_id, recipient)
        bucket = self._pairs.get(key)
        if bucket is None:
            bucket = TokenBucket(float(self.pair_burst), 1.0 / self.pair_interval_s, self.clock)
            self._pairs[key] = bucket
        return bucket.try_take()
