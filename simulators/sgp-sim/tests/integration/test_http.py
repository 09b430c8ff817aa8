"""The simulator over a real socket behaves like SGP (auth, status codes, rules, faults)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from atende_sim_sgp.server import running_simulator
from atende_sim_sgp.settings import SimSettings

pytestmark = pytest.mark.integration
AUTH = {"token": "tok", "app": "Atende"}


@pytest.fixture(scope="module")
def sim_url() -> Iterator[str]:
    with running_simulator(SimSettings(sgp_token="tok", sgp_app="Atende", sgp_sim_timeout_hold_s=2)) as url:
        yield url


@pytest.fixture
def client(sim_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim_url, timeout=10) as c:
        c.post("/_sim/reset")
        yield c


def test_credentials_are_body_fields_and_app_is_case_sensitive(client: httpx.Client) -> None:
    ok = client.post("/api/ura/consultacliente/", data={**AUTH, "cpfcnpj": "12345678909"})
    assert ok.status_code == 200
    assert ok.json()["contratos"][0]["cpfCnpj"] == "123.456.789-09"
    wrong_case = client.post("/api/ura/consultacliente/", data={"token": "tok", "app": "atende", "cpfcnpj": "1"})
    assert wrong_case.status_code == 403
    assert wrong_case.json() == {"detail": "Credenciais de autenticação incorretas."}
    headers_only = client.post(
        "/api/ura/consultacliente/", headers={"Authorization": "Token tok", "App": "Atende"}, data={"cpfcnpj": "1"}
    )
    assert headers_only.status_code == 403
    assert client.post("/api/ura/consultacliente", json={**AUTH, "contrato": 90000}).json()["contratos"]


def test_unknown_route_is_html_404_and_wrong_method_405(client: httpx.Client) -> None:
    missing = client.post("/api/ura/radius/", data=AUTH)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert client.get("/api/ura/titulos/", params=AUTH).status_code == 405


def test_secrets_are_present_like_in_production(client: httpx.Client) -> None:
    contract = client.post("/api/ura/consultacliente/", data={**AUTH, "cpfcnpj": "12345678909"}).json()["contratos"][0]
    assert contract["contratoCentralSenha"]
    assert contract["servico_senha"]
    assert contract["contratoStatusDisplay"] == " Ativo "


def test_promise_rules(client: httpx.Client) -> None:
    def promise(contract: int) -> dict[str, object]:
        return client.post("/api/ura/liberacaopromessa/", data={**AUTH, "contrato": contract}).json()

    granted = promise(90004)  # suspended, eligible
    assert granted["status"] == 1
    assert granted["liberado"] == "True"
    assert granted["liberado_dias"] == "3"
    again = promise(90004)  # now active: nothing to unlock
    assert again["status"] == 0
    assert again["msg"] == ""
    quota = promise(90005)  # already used this month
    assert quota["status"] == 2
    assert promise(90000)["status"] == 0  # active
    assert promise(1)["msg"] == "Contrato não encontrado"
    state = client.get("/_sim/contracts/90004").json()
    assert state["promises_this_month"] == 1
    assert len(state["tickets"]) == 1


def test_fatura2via_opens_a_ticket_unless_told_not_to(client: httpx.Client) -> None:
    quiet = client.post("/api/ura/fatura2via/", data={**AUTH, "contrato": 90000, "nao_gerar_os": 1}).json()
    assert quiet["status"] == 1
    assert quiet["protocolo"] == ""
    loud = client.post("/api/ura/fatura2via/", data={**AUTH, "contrato": 90000}).json()
    assert loud["protocolo"]
    assert len(client.get("/_sim/contracts/90000").json()["tickets"]) == 1
    multi = client.post("/api/ura/fatura2via/", data={**AUTH, "cpfcnpj": "11144477735"}).json()
    assert multi["status"] == 0
    assert "mais de um contrato" in multi["msg"]
    assert client.post("/api/ura/fatura2via/", data={**AUTH, "contrato": 90007}).json() == {"status": 0, "links": []}


def test_bill_pdf_is_served_at_the_link(client: httpx.Client) -> None:
    body = client.post("/api/ura/titulos/", data={**AUTH, "contrato": 90000, "status": "abertos"}).json()
    link = body["titulos"][0]["link"]
    pdf = client.get(link)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_connection_status_and_outage(client: httpx.Client) -> None:
    def access(contract: int, **extra: object) -> dict[str, object]:
        return client.post("/api/ura/verificaacesso/", data={**AUTH, "contrato": contract, **extra}).json()

    assert access(90000)["status"] == 1
    in_outage = access(90006)
    assert in_outage["status"] == 2
    assert in_outage["protocolo"]  # SGP opens an ocorrência during maintenance
    assert access(90004)["status"] == 0  # suspended, without status_all
    assert access(90004, status_all=1)["status"] == 2
    outages = client.get("/api/ura/manutencao/list/", params=AUTH).json()
    assert [o["id"] for o in outages if o["ativa"] == 1] == [1, 3]


def test_chamado_returns_protocol(client: httpx.Client) -> None:
    answer = client.post(
        "/api/ura/chamado/", json={**AUTH, "contrato": 90000, "conteudo": "Sem internet", "tipoclassificacoes": [5]}
    ).json()
    assert answer["status"] == 1
    assert answer["protocolo"]


def test_fault_modes(client: httpx.Client) -> None:
    client.post("/_sim/faults", json={"mode": "down"})
    assert client.post("/api/ura/titulos/", data=AUTH).status_code == 502
    client.post("/_sim/faults", json={"mode": "html"})
    page = client.post("/api/ura/titulos/", data=AUTH)
    assert page.status_code == 200
    assert page.text.startswith("<!DOCTYPE html>")
    client.post("/_sim/faults", json={"mode": "ok", "error_rate": 1.0})
    assert client.post("/api/ura/titulos/", data=AUTH).status_code == 500
    client.post("/_sim/faults", json={"mode": "timeout", "error_rate": 0.0})
    with pytest.raises(httpx.ReadTimeout):
        client.post("/api/ura/titulos/", data=AUTH, timeout=0.3)
    client.post("/_sim/faults", json={"mode": "ok"})
    records = client.get("/_sim/requests").json()
    assert {r.get("fault") for r in records} >= {"down", "html", "timeout"}
    assert all("token" not in r.get("params", {}) for r in records)
