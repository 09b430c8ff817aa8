"""The circuit breaker opens on consecutive failures, rejects fast, and closes after a good trial."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from atende_sgp_adapter.adapters.sgp import SgpBillingSystem
from atende_sgp_adapter.errors import SgpAuthError, SgpCircuitOpen, SgpServerError
from atende_testing import wait_until

pytestmark = pytest.mark.unit
ACESSO = "/api/ura/verificaacesso/"


async def test_opens_after_threshold_and_rejects_without_calling(
    fake: Any, make_client: Callable[..., SgpBillingSystem]
) -> None:
    client = make_client(read_retries=0, breaker_threshold=3, breaker_reset_s=0.2)
    fake.reply_raw(ACESSO, httpx.Response(502, text="bad gateway"))
    for _ in range(3):
        with pytest.raises(SgpServerError):
            await client.connection_status("1")
    assert await client.breaker_state() == "opened"
    with pytest.raises(SgpCircuitOpen):
        await client.connection_status("1")
    # Rejected without a call to SGP (how fast is the benchmarks' business, not a unit test's clock).
    assert len(fake.calls) == 3

    fake.reply(ACESSO, {"status": 1, "msg": "Serviço Online"})

    async def trial_passes() -> bool:
        try:
            return (await client.connection_status("1")).state.value == "online"
        except SgpCircuitOpen:
            return False

    await wait_until(trial_passes, timeout=5, interval=0.05)
    assert await client.breaker_state() == "closed"


async def test_failed_trial_reopens(fake: Any, make_client: Callable[..., SgpBillingSystem]) -> None:
    client = make_client(read_retries=0, breaker_threshold=1, breaker_reset_s=0.1)
    fake.reply_raw(ACESSO, httpx.Response(500, text="x"))
    with pytest.raises(SgpServerError):
        await client.connection_status("1")
    calls = len(fake.calls)

    async def trial_made() -> bool:
        try:
            await client.connection_status("1")
        except SgpCircuitOpen:
            return False
        except SgpServerError:
            return True  # the half-open trial reached SGP and failed
        return False

    await wait_until(trial_made, timeout=5, interval=0.05)
    assert len(fake.calls) == calls + 1
    with pytest.raises(SgpCircuitOpen):
        await client.connection_status("1")  # the failed trial re-opened it


async def test_auth_errors_do_not_open_the_breaker(fake: Any, make_client: Callable[..., SgpBillingSystem]) -> None:
    client = make_client(read_retries=0, breaker_threshold=2)
    fake.reply(ACESSO, {"detail": "Credenciais de autenticação incorretas."}, status=403)
    for _ in range(4):
        with pytest.raises(SgpAuthError):
            await client.connection_status("1")
    assert await client.breaker_state() == "closed"


async def test_retry_does_not_hammer_an_open_breaker(fake: Any, make_client: Callable[..., SgpBillingSystem]) -> None:
    client = make_client(read_retries=3, breaker_threshold=2, breaker_reset_s=10)
    fake.reply_raw(ACESSO, httpx.Response(503, text="x"))
    with pytest.raises(SgpCircuitOpen):
        await client.connection_status("1")
    assert len(fake.calls) == 2
