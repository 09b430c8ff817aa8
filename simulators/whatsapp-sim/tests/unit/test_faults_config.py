"""Failure injection decisions (probability, scope, count)."""

from __future__ import annotations

import random

import pytest

from atende_sim_whatsapp.config import FaultConfig, Faults

pytestmark = pytest.mark.unit


def test_ok_by_default() -> None:
    assert Faults().draw(is_message_send=True) == ("ok", 0)


def test_probability_is_honoured_roughly() -> None:
    faults = Faults(random.Random(7))
    faults.set(FaultConfig(mode="throttle", probability=0.3))

    fired = sum(faults.draw(is_message_send=True)[0] == "throttle" for _ in range(2000))

    assert 500 < fired < 700


def test_scope_and_count() -> None:
    faults = Faults()
    faults.set(FaultConfig(mode="slow", latency_ms=10, count=1))

    assert faults.draw(is_message_send=False) == ("ok", 0)
    assert faults.draw(is_message_send=True) == ("slow", 10)
    assert faults.draw(is_message_send=True) == ("ok", 0)
