"""Campaign audiences over a real socket: titulos due-date windows and paging, and clientes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from atende_sim_sgp.server import running_simulator
from atende_sim_sgp.settings import SimSettings

pytestmark = pytest.mark.integration
AUTH = {"token": "tok", "app": "Atende"}
TODAY = date(2026, 3, 2)
DUE = "2026-03-05"  # a due day of the base (5, 10, 15, 20, 25)
WINDOW = {"data_vencimento_inicio": DUE, "data_vencimento_fim": DUE}


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    settings = SimSettings(sgp_token="tok", sgp_app="Atende", sgp_sim_today=TODAY)
    with running_simulator(settings) as url, httpx.Client(base_url=url, timeout=30) as c:
        yield c


def titulos(client: httpx.Client, **params: Any) -> dict[str, Any]:
    response = client.post("/api/ura/titulos/", data={**AUTH, **params})
    assert response.status_code == 200, response.text
    return dict(response.json())


def clientes(client: httpx.Client, **params: Any) -> dict[str, Any]:
    response = client.post("/api/ura/clientes/", data={**AUTH, **params})
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_titulos_window_pages_the_open_bills_of_one_day(client: httpx.Client) -> None:
    first = titulos(client, status="abertos", **WINDOW, limit=1000)
    paging = first["paginacao"]
    assert paging["limit"] == 250  # SGP's maximum
    assert paging["parcial"] == len(first["titulos"]) == 250
    assert paging["total"] > 1000  # about a fifth of the contracts are due on the 5th
    dues = {t["dataVencimento"] for t in first["titulos"]}
    assert dues <= {DUE, "05/03/2026"}  # some contracts answer in the Brazilian format
    assert {t["status"] for t in first["titulos"]} == {"aberto"}
    second = titulos(client, status="abertos", **WINDOW, offset=250, limit=250)
    assert second["paginacao"]["offset"] == 250
    assert not {t["id"] for t in first["titulos"]} & {t["id"] for t in second["titulos"]}
    last = titulos(client, status="abertos", **WINDOW, offset=paging["total"] - 3, limit=250)
    assert last["paginacao"]["parcial"] == 3
    everything = titulos(client, **WINDOW)["paginacao"]["total"]
    assert everything > paging["total"]  # paid ones too, without the status filter


def test_titulos_window_bounds_and_bad_dates(client: httpx.Client) -> None:
    assert titulos(client, status="abertos", data_vencimento_inicio="2026-03-06", data_vencimento_fim="2026-03-09") == {
        "paginacao": {"offset": 0, "limit": 250, "parcial": 0, "total": 0},
        "titulos": [],
    }
    since = titulos(client, status="abertos", data_vencimento_inicio="2026-03-01")["paginacao"]["total"]
    month = titulos(client, status="abertos", data_vencimento_inicio="2026-03-01", data_vencimento_fim="2026-03-31")
    assert since == month["paginacao"]["total"] > 0  # nothing is issued beyond this month
    maria = titulos(client, contrato=90000, status="abertos", **WINDOW)
    assert all(t["clienteContrato"] == 90000 for t in maria["titulos"])
    bad = client.post("/api/ura/titulos/", data={**AUTH, "data_vencimento_inicio": "05/03/2026"})
    assert bad.status_code == 400
    assert "AAAA-MM-DD" in bad.json()["detail"]


def test_clientes_filters_by_open_titles_due_in_the_window(client: httpx.Client) -> None:
    page = clientes(client, status="aberto", **WINDOW, limit=500)
    assert page["paginacao"]["limit"] == 100  # SGP's maximum
    assert page["paginacao"]["total"] > 900
    entry = page["clientes"][0]
    assert {"id", "nome", "cpfcnpj", "contatos", "contratos", "titulos"} <= entry.keys()
    assert any(t["status"] == "aberto" and t["dataVencimento"] == DUE for t in entry["titulos"])
    assert any(t["dataVencimento"] != DUE for t in entry["titulos"])  # the client's whole history
    assert any(c["contato"].startswith("(98) 9") for c in entry["contatos"])
    service = entry["contratos"][0]["servicos"][0]
    assert service["senha"]  # secrets like production: the adapter must strip them
    assert entry["contratos"][0]["contratoCentralSenha"]
    lean = clientes(client, status="aberto", **WINDOW, omitir_titulos=1, omitir_contratos=1, omitir_contatos=1)
    assert not {"titulos", "contratos", "contatos"} & lean["clientes"][0].keys()
    assert clientes(client)["paginacao"]["total"] >= 10_000  # no filter: the whole base, as warned


def test_clientes_lookups_and_phones(client: httpx.Client) -> None:
    maria = clientes(client, telefone="98988881000")["clientes"]
    assert [c["nome"] for c in maria] == ["MARIA DEMO DA SILVA"]
    assert clientes(client, contrato=90002)["clientes"][0]["cpfcnpj"] == "111.444.777-35"
    assert clientes(client, cpfcnpj="12345678909")["paginacao"]["total"] == 1
    bad = client.post("/api/ura/clientes/", data={**AUTH, "data_vencimento_fim": "ontem"})
    assert bad.status_code == 400


def test_titulos_window_with_an_unknown_contract_is_empty(client: httpx.Client) -> None:
    assert titulos(client, contrato=1, **WINDOW)["paginacao"]["total"] == 0
