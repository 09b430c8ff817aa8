"""Every port operation and its error cases against the SGP simulator over a real socket."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest

from atende_sgp_adapter.adapters.sgp import SgpBillingSystem
from atende_sgp_adapter.domain import ConnectionState, ContractStatus, DocumentKind, PromiseOutcome, TicketRequest
from atende_sgp_adapter.errors import (
    ContractNotFound,
    InvoiceNotFound,
    SgpAuthError,
    SgpBadResponse,
    SgpCircuitOpen,
    SgpEndpointMissing,
    SgpServerError,
    SgpTimeout,
)
from atende_testing import wait_until

pytestmark = pytest.mark.integration
MARIA, JOAO, ANA, CARLOS, FERNANDA, PAULO = (
    "123.456.789-09",
    "11144477735",
    "98765432100",
    "22233344405",
    "55566677720",
    "33344455508",
)
COMPANY, BEATRIZ, RAIMUNDO = "11.222.333/0001-81", "24681357928", "13579246828"


async def test_find_customer_one_contract_without_secrets(sgp: SgpBillingSystem) -> None:
    customer = await sgp.find_customer(MARIA)
    assert customer is not None
    assert customer.document == "12345678909"
    assert customer.document_kind is DocumentKind.CPF
    assert customer.name == "MARIA DEMO DA SILVA"
    (contract,) = customer.contracts
    assert contract.contract_id == "90000"
    assert contract.status is ContractStatus.ACTIVE
    assert contract.status_label == "Ativo"
    assert contract.open_invoice_count == 1
    assert contract.open_amount > Decimal(0)
    dumped = customer.model_dump_json()
    assert "senha" not in dumped.lower()
    assert "pw" not in dumped
    assert "wifi" not in dumped.lower()


async def test_find_customer_variants(sgp: SgpBillingSystem, sim: object) -> None:
    multi = await sgp.find_customer(JOAO)
    assert multi is not None
    assert [c.status for c in multi.contracts] == [
        ContractStatus.ACTIVE,
        ContractStatus.ACTIVE,
        ContractStatus.SUSPENDED,
    ]
    company = await sgp.find_customer(COMPANY)
    assert company is not None
    assert company.document_kind is DocumentKind.CNPJ
    assert await sgp.find_customer("52998224725") is None  # valid CPF, not a customer
    by_contract = await sgp.find_customer_by_contract("90004")
    assert by_contract is not None
    assert by_contract.document == ANA


async def test_an_alphanumeric_cnpj_is_looked_up_with_its_letters(sgp: SgpBillingSystem, sim: object) -> None:
    company = await sgp.find_customer("12.abc.345/01de-35")
    assert company is not None
    assert company.document == "12ABC34501DE35"
    assert company.document_kind is DocumentKind.CNPJ
    assert company.name == "PADARIA DEMO ALFA LTDA"
    sent = [r["params"]["cpfcnpj"] for r in sim.requests("consultacliente")]  # type: ignore[attr-defined]
    assert sent == ["12ABC34501DE35"]


async def test_masked_retry_finds_legacy_records(sgp: SgpBillingSystem, sim: object) -> None:
    customer = await sgp.find_customer(RAIMUNDO)
    assert customer is not None
    sent = [r["params"]["cpfcnpj"] for r in sim.requests("consultacliente")]  # type: ignore[attr-defined]
    assert sent == ["13579246828", "135.792.468-28"]


async def test_open_invoices_with_pdf_and_pix(sgp: SgpBillingSystem, sim: object) -> None:
    invoices = await sgp.list_open_invoices("90004")  # suspended: several overdue bills
    assert len(invoices) >= 2
    assert invoices == sorted(invoices, key=lambda i: i.due_date)
    first = invoices[0]
    assert first.digitable_line is not None
    assert len(first.digitable_line) == 47
    assert first.pix_copy_paste is not None
    assert first.pix_copy_paste.startswith("000201")
    assert first.updated_amount is not None
    assert first.updated_amount > first.amount  # overdue: fine and interest
    assert first.boleto_url is not None
    async with httpx.AsyncClient() as http:
        pdf = await http.get(first.boleto_url)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert await sgp.list_open_invoices("90007") == []  # everything paid


async def test_empty_codes_are_filled_without_opening_a_ticket(sgp: SgpBillingSystem, sim: object) -> None:
    (invoice,) = await sgp.list_open_invoices("90009")
    assert invoice.digitable_line is not None
    assert invoice.pix_copy_paste is not None
    assert sim.contract(90009)["tickets"] == []  # type: ignore[attr-defined]


async def test_get_pix(sgp: SgpBillingSystem) -> None:
    (invoice,) = await sgp.list_open_invoices("90000")
    pix = await sgp.get_pix("90000", invoice.invoice_id)
    assert pix == invoice.pix_copy_paste
    with pytest.raises(InvoiceNotFound):
        await sgp.get_pix("90001", invoice.invoice_id)  # someone else's bill


async def test_payment_promise_rules(sgp: SgpBillingSystem, sim: object) -> None:
    granted = await sgp.request_payment_promise("90004")
    assert granted.outcome is PromiseOutcome.GRANTED
    assert granted.days == 3
    assert granted.until is not None
    assert granted.protocol
    again = await sgp.request_payment_promise("90004")
    assert again.outcome is PromiseOutcome.NOT_BLOCKED
    quota = await sgp.request_payment_promise("90005")
    assert quota.outcome is PromiseOutcome.QUOTA
    assert quota.message is not None
    assert "quantidade permitida" in quota.message
    assert (await sgp.request_payment_promise("90000")).outcome is PromiseOutcome.NOT_BLOCKED
    with pytest.raises(ContractNotFound):
        await sgp.request_payment_promise("1")
    assert sim.contract(90004)["promises_this_month"] == 1  # type: ignore[attr-defined]


async def test_connection_status(sgp: SgpBillingSystem) -> None:
    assert (await sgp.connection_status("90000")).state is ConnectionState.ONLINE
    outage = await sgp.connection_status("90006")
    assert outage.state is ConnectionState.OFFLINE
    assert outage.protocol  # SGP opens an ocorrência during maintenance
    assert (await sgp.connection_status("90004")).state is ConnectionState.BLOCKED
    with pytest.raises(ContractNotFound):
        await sgp.connection_status("1")


async def test_outages_for_a_pop(sgp: SgpBillingSystem) -> None:
    customer = await sgp.find_customer(FERNANDA)
    assert customer is not None
    pop = customer.contracts[0].pop_id
    (outage,) = await sgp.active_outages(pop)
    assert "Turu" in outage.customer_message
    assert outage.severity == 4
    assert await sgp.active_outages("1") == []  # its maintenance is over
    assert await sgp.active_outages("6") == []  # scheduled for next week


async def test_open_ticket(sgp: SgpBillingSystem, sim: object) -> None:
    receipt = await sgp.open_ticket(
        "90000", TicketRequest(text="Cliente sem conexão desde 08h", classification_ids=(5,))
    )
    assert receipt.protocol
    (ticket,) = sim.contract(90000)["tickets"]  # type: ignore[attr-defined]
    assert ticket["protocol"] == receipt.protocol
    assert ticket["work_order"] is False
    with pytest.raises(ContractNotFound):
        await sgp.open_ticket("1", TicketRequest(text="x"))


async def test_wrong_app_case_is_an_auth_error(make_sgp: Callable[..., SgpBillingSystem]) -> None:
    with pytest.raises(SgpAuthError):
        await make_sgp(sgp_app="atende").find_customer(MARIA)
    with pytest.raises(SgpAuthError):
        await make_sgp(sgp_token="wrong").find_customer(MARIA)


async def test_unexposed_route_is_endpoint_missing(make_sgp: Callable[..., SgpBillingSystem], sim: object) -> None:
    client = make_sgp(sgp_base_url=f"{sim.url}/other-install")  # type: ignore[attr-defined]
    with pytest.raises(SgpEndpointMissing):
        await client.find_customer(MARIA)


async def test_html_body_and_server_errors(make_sgp: Callable[..., SgpBillingSystem], sim: object) -> None:
    sgp = make_sgp(sgp_breaker_threshold=10)
    sim.faults(mode="html")  # type: ignore[attr-defined]
    with pytest.raises(SgpBadResponse):
        await sgp.find_customer(MARIA)
    sim.faults(mode="ok", error_rate=1.0)  # type: ignore[attr-defined]
    with pytest.raises(SgpServerError):
        await sgp.find_customer(MARIA)


async def test_timeout_and_read_retry(make_sgp: Callable[..., SgpBillingSystem], sim: object) -> None:
    client = make_sgp(sgp_read_timeout_s=0.3, sgp_breaker_threshold=10)
    sim.faults(latency_ms=600)  # type: ignore[attr-defined]
    started = time.perf_counter()
    with pytest.raises(SgpTimeout):
        await client.find_customer(MARIA)
    assert time.perf_counter() - started < 1.5
    assert sim.count("consultacliente") == 0  # type: ignore[attr-defined]  # never answered in time
    sim.faults(latency_ms=0, mode="timeout")  # type: ignore[attr-defined]
    with pytest.raises(SgpTimeout):
        await client.connection_status("90000")


async def test_breaker_opens_answers_fast_and_closes(make_sgp: Callable[..., SgpBillingSystem], sim: object) -> None:
    client = make_sgp(sgp_read_retries=0, sgp_breaker_threshold=3, sgp_breaker_reset_s=0.5)
    sim.faults(mode="down")  # type: ignore[attr-defined]
    for _ in range(3):
        with pytest.raises(SgpServerError):
            await client.connection_status("90000")
    before = len(sim.requests("verificaacesso"))  # type: ignore[attr-defined]
    started = time.perf_counter()
    with pytest.raises(SgpCircuitOpen):
        await client.connection_status("90000")
    assert time.perf_counter() - started < 0.05
    assert len(sim.requests("verificaacesso")) == before  # type: ignore[attr-defined]
    sim.faults(mode="ok")  # type: ignore[attr-defined]

    async def recovered() -> bool:
        try:
            return (await client.connection_status("90000")).state is ConnectionState.ONLINE
        except SgpCircuitOpen:
            return False

    assert await wait_until(recovered, timeout=5, interval=0.1)
    assert await client.breaker_state() == "closed"
