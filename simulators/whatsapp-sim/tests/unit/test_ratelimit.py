"""Token buckets for throughput and pair rate, on a fake clock."""

from __future__ import annotations

import pytest

from atende_sim_whatsapp.domain.ratelimit import RateLimiter

pytestmark = pytest.mark.unit


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throughput_allows_one_second_of_burst_then_refills() -> None:
    clock = FakeClock()
    limiter = RateLimiter(throughput_mps=80, pair_burst=45, pair_interval_s=6, clock=clock)

    allowed = sum(limiter.take_throughput("pn") for _ in range(100))
    clock.now += 0.5
    refilled = sum(limiter.take_throughput("pn") for _ in range(100))

    assert allowed == 80
    assert refilled == 40


def test_numbers_have_separate_budgets() -> None:
    limiter = RateLimiter(throughput_mps=1, pair_burst=45, pair_interval_s=6, clock=FakeClock())

    assert limiter.take_throughput("a")
    assert limiter.take_throughput("b")
    assert not limiter.take_throughput("a")


def test_pair_rate_burst_then_one_every_interval() -> None:
    clock = FakeClock()
    limiter = RateLimiter(throughput_mps=80, pair_burst=45, pair_interval_s=6, clock=clock)

    burst = sum(limiter.take_pair("pn", "5511") for _ in range(50))
    clock.now += 5.9
    too_soon = limiter.take_pair("pn", "5511")
    clock.now += 0.2
    after_interval = limiter.take_pair("pn", "5511")

    assert burst == 45
    assert not too_soon
    assert after_interval
    assert limiter.take_pair("pn", "5521")


def test_configure_resets_buckets() -> None:
    limiter = RateLimiter(throughput_mps=1, pair_burst=1, pair_interval_s=6, clock=FakeClock())
    limiter.take_throughput("pn")

    limiter.configure(throughput_mps=2, pair_burst=1, pair_interval_s=6)

    assert limiter.take_throughput("pn")
    assert limiter.take_throughput("pn")
