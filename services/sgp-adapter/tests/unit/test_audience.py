"""Campaign audiences from SGP: titulos windows and paging, clientes payers, proof of complete lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from atende_sgp_adapter.adapters.sgp import SgpBillingSystem
from atende_sgp_adapter.adapters.sgp_audience import Payer, complete_open_list, payers
from atende_sgp_adapter.domain import Invoice
from atende_sgp_adapter.errors import SgpBadResponse, SgpProtocolError

pytestmark = pytest.mark.unit
Make = Callable[..., SgpBillingSystem]
TITULOS, CLIENTES = "/api/ura/titulos/", "/api/ura/clientes/"
DAY = date(2026, 8, 5)  # 2026-08-02 + 3 days


def clock() -> datetime:
    return datetime(2026, 8, 2, 9, 30)


def titulo(invoice_id: int, contract: int, **overrides: Any) -> dict[str, Any]:
    item = {
        "id": invoice_id,
        "clienteNome": f" CLIENTE {contract} ",
        "clienteContrato": contract,
        "status": "aberto",
        "valor": 99.9,
        "dataVencimento": "2026-08-05",
        "link": f"https://sgp/boleto/{invoice_id}/",
        "linhaDigitavel": "34191.79001",
        "codigoPix": f"000201{invoice_id}",
    }
    item.update(overrides)
    return item


def cliente(contract: int, titles: list[dict[str, Any]] | None = None, **overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": contract + 1,
        "nome": f"CLIENTE {contract}",
        "cpfcnpj": "036.668.113-37",
        "contatos": [{"tipo": "Telefone", "contato": "(98) 3221-0000"}, {"contato": "(98) 98512-0338"}],
        "contratos": [{"id": contract, "contratoCentralSenha": "SEGREDO", "servicos": [{"senha": "pw-SEGREDO"}]}],
        "titulos": titles
        if titles is not None
        else [
            {"id": contract * 10, "clienteContrato": contract, "status": "aberto", "dataVencimento": "2026-08-05"},
            {"id": contract * 10 - 1, "clienteContrato": contract, "status": "pago", "dataVencimento": "2026-07-05"},
        ],
    }
    entry.update(overrides)
    return entry


def page(key: str, items: list[dict[str, Any]], params: dict[str, Any], total: int | None) -> httpx.Response:
    offset, limit = int(params.get("offset", 0)), int(params.get("limit", 100))
    chunk = items[offset : offset + limit]
    paging = {"offset": offset, "limit": limit, "parcial": len(chunk)}
    if total is not None:
        paging["total"] = total
    return httpx.Response(200, json={"paginacao": paging, key: chunk})


def serve(fake: Any, titles: list[dict[str, Any]], clients: list[dict[str, Any]], *, total: bool = True) -> None:
    fake.routes[TITULOS] = lambda _p, q: page("titulos", titles, q, len(titles) if total else None)
    fake.routes[CLIENTES] = lambda _p, q: page("clientes", clients, q, len(clients))


def invoice(invoice_id: str, contract: str, **overrides: Any) -> Invoice:
    fields: dict[str, Any] = {
        "invoice_id": invoice_id,
        "contract_id": contract,
        "due_date": DAY,
        "amount": Decimal("99.90"),
        "digitable_line": "1",
        "pix_copy_paste": "0002",
    }
    fields.update(overrides)
    return Invoice(**fields)


def test_payers_read_names_mobiles_and_open_titles_without_secrets() -> None:
    found = payers({"clientes": [cliente(17402)]}, DAY)
    payer = found["17402"]
    assert payer.name == "CLIENTE 17402"
    assert payer.phone == "5598985120338"  # the landline listed first is skipped
    assert payer.open_titles == {"17402": frozenset({"174020"})}
    assert "SEGREDO" not in repr(payer)
    legacy = payers({"clientes": [cliente(1, telefones=["98 98111-2222"], contatos=None)]}, DAY)["1"]
    assert legacy.phone == "5598981112222"


def test_payers_claim_nothing_when_nested_titles_may_be_trimmed_to_the_window() -> None:
    trimmed = [{"id": 10, "clienteContrato": 1, "status": "aberto", "dataVencimento": "2026-08-05"}]
    assert payers({"clientes": [cliente(1, trimmed)]}, DAY)["1"].open_titles is None
    # One client's history elsewhere on the page proves the nested lists are whole.
    proved = payers({"clientes": [cliente(1, trimmed), cliente(2)]}, DAY)
    assert proved["1"].open_titles == {"1": frozenset({"10"})}
    unparseable = [{"id": 10, "status": "aberto", "dataVencimento": "2026-07-05"}]  # whose contract?
    assert payers({"clientes": [cliente(3, unparseable), cliente(2)]}, DAY)["3"].open_titles is None
    assert payers({"clientes": [cliente(4, titulos=None)]}, DAY)["4"].open_titles is None  # omitted


def test_complete_open_list_needs_the_same_open_ids_and_every_code() -> None:
    payer = Payer(name="X", phone=None, contract_ids=frozenset({"1"}), open_titles={"1": frozenset({"10"})})
    bill = invoice("10", "1")
    assert complete_open_list("1", [bill], payer) == (bill,)
    older = Payer(name="X", phone=None, contract_ids=frozenset({"1"}), open_titles={"1": frozenset({"9", "10"})})
    assert complete_open_list("1", [bill], older) is None  # an overdue bill the window did not return
    assert complete_open_list("1", [invoice("10", "1", pix_copy_paste=None)], payer) is None
    assert complete_open_list("1", [bill], None) is None
    unknown = Payer(name="X", phone=None, contract_ids=frozenset({"1"}), open_titles=None)
    assert complete_open_list("1", [bill], unknown) is None


async def test_audience_pages_titulos_by_the_due_window_and_finds_payers(fake: Any, make_client: Make) -> None:
    titles = [titulo(i * 10, i) for i in range(1, 301)]
    clients = [cliente(i) for i in range(1, 301)]
    serve(fake, titles, clients)
    client = make_client(clock=clock)
    result = await client.list_due_invoices(3, limit=260, offset=20)
    assert result.total == 300
    assert (result.offset, result.limit) == (20, 260)
    assert [i.invoice.invoice_id for i in result.items] == [str(i * 10) for i in range(21, 281)]
    sent = [(path, q) for _, path, q, _ in fake.calls]
    titulos_calls = [q for path, q in sent if path == TITULOS]
    assert [(q["offset"], q["limit"]) for q in titulos_calls] == [("20", "250"), ("270", "10")]
    assert titulos_calls[0]["data_vencimento_inicio"] == titulos_calls[0]["data_vencimento_fim"] == "2026-08-05"
    assert titulos_calls[0]["status"] == "abertos"
    clientes_calls = [q for path, q in sent if path == CLIENTES]
    assert [q["offset"] for q in clientes_calls] == ["0", "100", "200"]  # stops once all payers are found
    assert clientes_calls[0]["status"] == "aberto"
    first = result.items[0]
    assert first.customer_name == "CLIENTE 21"
    assert first.phone == "5598985120338"
    assert first.invoice.pix_copy_paste == "000201210"
    assert first.contract_open_invoices == (first.invoice,)
    assert "SEGREDO" not in result.model_dump_json()


async def test_audience_only_claims_lists_it_can_prove(fake: Any, make_client: Make) -> None:
    titles = [titulo(10, 1), titulo(20, 2, linhaDigitavel=""), titulo(30, 3)]
    overdue = [
        {"id": 30, "clienteContrato": 3, "status": "aberto", "dataVencimento": "2026-08-05"},
        {"id": 29, "clienteContrato": 3, "status": "aberto", "dataVencimento": "2026-07-05"},
    ]
    serve(fake, titles, [cliente(1), cliente(2), cliente(3, overdue)])
    result = await make_client(clock=clock).list_due_invoices(3, limit=10)
    complete = {i.invoice.contract_id: i.contract_open_invoices is not None for i in result.items}
    assert complete == {"1": True, "2": False, "3": False}


async def test_empty_window_and_missing_payers(fake: Any, make_client: Make) -> None:
    serve(fake, [], [])
    empty = await make_client(clock=clock).list_due_invoices(3, limit=250)
    assert (empty.total, empty.items) == (0, ())
    assert fake.paths() == [TITULOS]  # nobody to look up
    fake.calls.clear()
    serve(fake, [titulo(10, 1)], [])
    (orphan,) = (await make_client(clock=clock).list_due_invoices(3, limit=250)).items
    assert orphan.customer_name == "CLIENTE 1"
    assert orphan.phone is None
    assert orphan.contract_open_invoices is None


async def test_audience_refuses_incomplete_or_unfiltered_reads(fake: Any, make_client: Make) -> None:
    serve(fake, [titulo(10, 1)], [cliente(1)], total=False)
    with pytest.raises(SgpBadResponse):
        await make_client(clock=clock).list_due_invoices(3, limit=250)
    serve(fake, [titulo(10, 1), titulo(11, 1, dataVencimento="05/07/2026")], [cliente(1)])
    with pytest.raises(SgpProtocolError, match="ignored"):
        await make_client(clock=clock).list_due_invoices(3, limit=250)
    client = make_client(clock=clock)
    for args in ((400, 10, 0), (3, 0, 0), (3, 5000, 0), (3, 10, -1)):
        with pytest.raises(ValueError, match="bad audience query"):
            await client.list_due_invoices(*args)
