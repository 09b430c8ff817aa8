"""Use cases turn billing errors into outcomes and make payment promises idempotent."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from atende_sgp_adapter import usecases
from atende_sgp_adapter.domain import (
    ConnectionState,
    ConnectionStatus,
    Customer,
    Invoice,
    NotFound,
    Outage,
    PaymentPromiseResult,
    PromiseOutcome,
    TicketReceipt,
    TicketRequest,
    Unavailable,
    UnavailableReason,
)
from atende_sgp_adapter.errors import ContractNotFound, SgpAuthError, SgpCircuitOpen, SgpTimeout

pytestmark = pytest.mark.unit


@dataclass
class FakeBilling:
    """Records calls; raises ``error`` when set."""

    error: Exception | None = None
    promise_calls: int = 0
    promise_delay: float = 0.0
    outage_error: Exception | None = None
    calls: list[str] = field(default_factory=list)

    def _maybe_fail(self, name: str) -> None:
        self.calls.append(name)
        if self.error is not None:
            raise self.error

    async def find_customer(self, document: str) -> Customer | None:
        self._maybe_fail("find_customer")
        return None

    async def find_customer_by_contract(self, contract_id: str) -> Customer | None:
        self._maybe_fail("find_customer_by_contract")
        return None

    async def list_open_invoices(self, contract_id: str) -> Sequence[Invoice]:
        self._maybe_fail("list_open_invoices")
        return []

    async def get_pix(self, contract_id: str, invoice_id: str) -> str | None:
        self._maybe_fail("get_pix")
        return None

    async def request_payment_promise(self, contract_id: str) -> PaymentPromiseResult:
        self.promise_calls += 1
        await asyncio.sleep(self.promise_delay)
        self._maybe_fail("request_payment_promise")
        return PaymentPromiseResult(contract_id=contract_id, outcome=PromiseOutcome.GRANTED, days=3)

    async def connection_status(self, contract_id: str) -> ConnectionStatus:
        self._maybe_fail("connection_status")
        return ConnectionStatus(contract_id=contract_id, state=ConnectionState.OFFLINE)

    async def active_outages(self, pop_id: str | None = None) -> Sequence[Outage]:
        self.calls.append("active_outages")
        if self.outage_error is not None:
            raise self.outage_error
        return [Outage(outage_id="1", title="t", customer_message="m", starts_at=None, ends_at=None, pop_ids=("3",))]

    async def open_ticket(self, contract_id: str, ticket: TicketRequest) -> TicketReceipt:
        self._maybe_fail("open_ticket")
        return TicketReceipt(contract_id=contract_id, protocol="P1")


@dataclass
class MemoryLedger:
    """In-memory ``PromiseLedger``."""

    done: dict[str, PaymentPromiseResult] = field(default_factory=dict)
    claimed: set[str] = field(default_factory=set)

    async def get(self, request_id: str) -> PaymentPromiseResult | None:
        return self.done.get(request_id)

    async def claim(self, request_id: str) -> bool:
        if request_id in self.claimed:
            return False
        self.claimed.add(request_id)
        return True

    async def release(self, request_id: str) -> None:
        self.claimed.discard(request_id)

    async def put(self, request_id: str, result: PaymentPromiseResult) -> None:
        self.done[request_id] = result

    async def wait(self, request_id: str, timeout_s: float) -> PaymentPromiseResult | None:
        for _ in range(int(timeout_s / 0.01)):
            if request_id in self.done:
                return self.done[request_id]
            await asyncio.sleep(0.01)
        return None


async def test_errors_become_outcomes() -> None:
    assert await usecases.lookup_customer(FakeBilling(), "12345678909") == NotFound(what="customer")
    down = await usecases.list_invoices(FakeBilling(error=SgpTimeout("x")), "1")
    assert down == Unavailable(reason=UnavailableReason.DOWN)
    open_breaker = await usecases.open_ticket(FakeBilling(error=SgpCircuitOpen("x")), "1", TicketRequest(text="t"))
    assert open_breaker == Unavailable(reason=UnavailableReason.CIRCUIT_OPEN)
    misconfigured = await usecases.get_pix(FakeBilling(error=SgpAuthError("403")), "1", "2")
    assert misconfigured == Unavailable(reason=UnavailableReason.MISCONFIGURED)
    assert await usecases.get_pix(FakeBilling(), "1", "2") == NotFound(what="pix")
    assert await usecases.list_invoices(FakeBilling(error=ContractNotFound("1")), "1") == NotFound(what="contract")


async def test_connection_report_survives_outage_list_failure() -> None:
    report = await usecases.check_connection(FakeBilling(outage_error=SgpTimeout("x")), "1", "3")
    assert isinstance(report, usecases.ConnectionReport)
    assert report.status.state is ConnectionState.OFFLINE
    assert report.outages == ()
    report = await usecases.check_connection(FakeBilling(), "1", "3")
    assert isinstance(report, usecases.ConnectionReport)
    assert len(report.outages) == 1


async def test_replayed_promise_is_answered_from_the_ledger() -> None:
    billing, ledger = FakeBilling(), MemoryLedger()
    first = await usecases.request_payment_promise(billing, ledger, request_id="r1", contract_id="9")
    second = await usecases.request_payment_promise(billing, ledger, request_id="r1", contract_id="9")
    assert first == second
    assert billing.promise_calls == 1


async def test_concurrent_replays_share_one_call() -> None:
    billing, ledger = FakeBilling(promise_delay=0.05), MemoryLedger()
    results = await asyncio.gather(
        *(usecases.request_payment_promise(billing, ledger, request_id="r2", contract_id="9") for _ in range(5))
    )
    assert billing.promise_calls == 1
    assert all(isinstance(r, PaymentPromiseResult) and r.granted for r in results)


async def test_failed_promise_releases_the_claim() -> None:
    billing, ledger = FakeBilling(error=SgpTimeout("x")), MemoryLedger()
    outcome = await usecases.request_payment_promise(billing, ledger, request_id="r3", contract_id="9")
    assert outcome == Unavailable(reason=UnavailableReason.DOWN)
    billing.error = None
    retried = await usecases.request_payment_promise(billing, ledger, request_id="r3", contract_id="9")
    assert isinstance(retried, PaymentPromiseResult)
    assert billing.promise_calls == 2
