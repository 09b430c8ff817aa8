"""SGP quirks handled by the adapter, over httpx.MockTransport."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from atende_sgp_adapter.adapters.sgp import SgpBillingSystem
from atende_sgp_adapter.domain.models import ConnectionState, ContractStatus, PromiseOutcome, TicketRequest
from atende_sgp_adapter.errors import (
    BillingError,
    ContractNotFound,
    InvoiceNotFound,
    SgpAuthError,
    SgpBadResponse,
    SgpEndpointMissing,
    SgpProtocolError,
    SgpServerError,
    SgpTimeout,
)
from atende_testing import mutations

pytestmark = pytest.mark.unit
Make = Callable[..., SgpBillingSystem]
CONSULTA = "/api/ura/consultacliente/"
TITULOS = "/api/ura/titulos/"
F2V = "/api/ura/fatura2via/"
PROMESSA = "/api/ura/liberacaopromessa/"
ACESSO = "/api/ura/verificaacesso/"
CHAMADO = "/api/ura/chamado/"
MANUTENCAO = "/api/ura/manutencao/list/"

CONTRACT = {
    "clienteId": 16957,
    "contratoId": 17402,
    "razaoSocial": " CLIENTE EXEMPLO ",
    "cpfCnpj": "036.668.113-37",
    "contratoStatus": "4",
    "contratoStatusDisplay": " Suspenso ",
    "contratoValorAberto": "89.9",
    "contratoTitulosAReceber": 1,
    "promessasPagamentoMes": 0,
    "planointernet": "FIBRA 600",
    "popId": 2,
    "popNome": "POP CENTRO",
    "endereco_numero": 523,
    "telefones": ["(98) 98512-0338"],
    "emails": [{"tipoContato": "E-Mail", "contato": "x@y.com"}],
    "dataCadastro": "20/03/2024 11:43:25",
    "servico_senha": "s3cr3t",
    "contratoCentralSenha": "123456",
    "contratoCentralLogin": "03666811337",
    "servico_wifi_password": "wifi-secret",
}


def titulo(**overrides: Any) -> dict[str, Any]:
    base = {
        "id": 72554,
        "clienteContrato": 17402,
        "status": "aberto",
        "valor": 5.0,
        "valorCorrigido": "5.10",
        "dataVencimento": "05/08/2026",
        "link": "https://sgp/boleto/1/",
        "link_cobranca": "https://sgp/c/1/",
        "codigoBarras": "999",
        "linhaDigitavel": "12345",
        "codigoPix": "000201abc",
    }
    base.update(overrides)
    return base


async def test_find_customer_sends_credentials_as_form_fields_and_strips_secrets(fake: Any, make_client: Make) -> None:
    fake.reply(CONSULTA, {"msg": "Contrato(s) Localizado(s)", "contratos": [CONTRACT]})
    customer = await make_client().find_customer("036.668.113-37")
    method, _, params, content_type = fake.calls[0]
    assert method == "POST"
    assert content_type.startswith("application/x-www-form-urlencoded")
    assert params == {"token": "tok", "app": "Atende", "cpfcnpj": "03666811337"}
    assert customer is not None
    assert customer.name == "CLIENTE EXEMPLO"
    assert customer.document == "03666811337"
    contract = customer.contracts[0]
    assert contract.status is ContractStatus.SUSPENDED
    assert contract.status_label == "Suspenso"
    assert contract.open_amount == Decimal("89.90")
    assert contract.address.number == "523"
    assert customer.phones == ("(98) 98512-0338",)
    assert customer.emails == ("x@y.com",)
    assert customer.registered_at == datetime(2024, 3, 20, 11, 43, 25)
    dumped = customer.model_dump_json()
    for secret in ("s3cr3t", "123456", "wifi-secret"):
        assert secret not in dumped


async def test_find_customer_retries_with_the_mask(fake: Any, make_client: Make) -> None:
    fake.reply(CONSULTA, {"contratos": []}, {"contratos": [CONTRACT]})
    customer = await make_client().find_customer("03666811337")
    assert customer is not None
    assert [c[2]["cpfcnpj"] for c in fake.calls] == ["03666811337", "036.668.113-37"]


async def test_unknown_customer_and_bad_input(fake: Any, make_client: Make) -> None:
    fake.reply(CONSULTA, {"contratos": []})
    assert await make_client().find_customer("03666811337") is None
    assert await make_client().find_customer("123") is None
    fake.reply(CONSULTA, {"msg": "CPF/CNPJ ou Contrato ID Não informados"})
    with pytest.raises(SgpProtocolError):
        await make_client().find_customer("03666811337")


async def test_documents_by_phone_send_the_national_number_and_distrust_an_ignored_filter(
    fake: Any, make_client: Make
) -> None:
    clientes = "/api/ura/clientes/"
    family = {
        "paginacao": {"offset": 0, "limit": 5, "total": 2},
        "clientes": [
            {"nome": "A", "cpfcnpj": "036.668.113-37"},
            {"nome": "B", "cpfcnpj": "03666811337"},
            {"nome": "C"},
        ],
    }
    whole_base = {"paginacao": {"offset": 0, "limit": 5, "total": 10000}, "clientes": [{"cpfcnpj": "03666811337"}]}
    fake.reply(clientes, family, whole_base)
    assert await make_client().documents_by_phone("5598985120338") == ["03666811337"]
    assert fake.calls[0][2]["telefone"] == "98985120338"
    assert await make_client().documents_by_phone("5598985120338") == []
    assert await make_client().documents_by_phone("12345") == []
    assert len(fake.calls) == 2


async def test_http_error_shapes(fake: Any, make_client: Make) -> None:
    client = make_client(read_retries=0, breaker_threshold=100)
    fake.reply(CONSULTA, {"detail": "Credenciais de autenticação incorretas."}, status=403)
    with pytest.raises(SgpAuthError, match="incorretas"):
        await client.find_customer("03666811337")
    fake.reply_raw(CONSULTA, httpx.Response(404, html="<h1>Not Found</h1>"))
    with pytest.raises(SgpEndpointMissing):
        await client.find_customer("03666811337")
    fake.reply_raw(CONSULTA, httpx.Response(200, html="<!DOCTYPE html><form>login</form>"))
    with pytest.raises(SgpBadResponse):
        await client.find_customer("03666811337")
    fake.reply_raw(CONSULTA, httpx.Response(200, json="ok"))
    with pytest.raises(SgpBadResponse):
        await client.find_customer("03666811337")
    fake.reply_raw(CONSULTA, httpx.Response(502, html="nginx"))
    with pytest.raises(SgpServerError):
        await client.find_customer("03666811337")


async def test_reads_are_retried_once_writes_never(fake: Any, make_client: Make) -> None:
    client = make_client(read_retries=1, breaker_threshold=100)
    fake.reply_raw(CONSULTA, httpx.Response(503, text="busy"))
    with pytest.raises(SgpServerError):
        await client.find_customer("03666811337")
    assert fake.paths().count(CONSULTA) == 2
    fake.reply_raw(PROMESSA, httpx.Response(503, text="busy"))
    with pytest.raises(SgpServerError):
        await client.request_payment_promise("17402")
    assert fake.paths().count(PROMESSA) == 1


async def test_timeouts_become_sgp_timeout(fake: Any, make_client: Make) -> None:
    def hang(_path: str, _params: dict[str, Any]) -> httpx.Response:
        raise httpx.ReadTimeout("slow")

    fake.routes[ACESSO] = hang
    with pytest.raises(SgpTimeout):
        await make_client(read_retries=0).connection_status("17402")


async def test_open_invoices_page_and_convert(fake: Any, make_client: Make) -> None:
    page1 = {
        "paginacao": {"offset": 0, "limit": 250, "parcial": 250, "total": 251},
        "titulos": [titulo(id=i, dataVencimento="2026-09-05") for i in range(1, 251)],
    }
    page2 = {
        "paginacao": {"offset": 250, "limit": 250, "parcial": 1, "total": 251},
        "titulos": [titulo(id=999, dataVencimento="05/08/2026"), titulo(id=1000, clienteContrato=1)],
    }
    fake.reply(TITULOS, page1, page2)
    invoices = await make_client().list_open_invoices("17402")
    assert len(invoices) == 251  # the other contract's bill is dropped
    first = invoices[0]
    assert first.invoice_id == "999"
    assert first.due_date == date(2026, 8, 5)
    assert first.updated_amount == Decimal("5.10")
    assert first.pix_copy_paste == "000201abc"
    assert [c[2]["offset"] for c in fake.calls] == ["0", "250"]
    assert fake.calls[0][2]["status"] == "abertos"


async def test_empty_codes_fall_back_to_fatura2via_without_ticket_then_pix(fake: Any, make_client: Make) -> None:
    fake.reply(
        TITULOS,
        {
            "paginacao": {"total": 2},
            "titulos": [
                titulo(id=1, linhaDigitavel="", codigoPix="", dataVencimento="2026-10-05"),
                titulo(id=2, linhaDigitavel="", codigoPix="", dataVencimento="2026-11-05"),
            ],
        },
    )
    fake.reply(
        F2V,
        {
            "status": 1,
            "links": [
                {
                    "fatura": 1,
                    "vencimento": "2026-11-26",
                    "vencimento_original": "2026-10-05",
                    "valor": 5.6,
                    "linhadigitavel": "LINE1",
                    "link": "x",
                }
            ],
        },
    )
    fake.reply("/api/ura/pagamento/pix/1", {"status": 1, "msg": "Dados do Pix", "pix": "PIX1"})
    fake.reply("/api/ura/pagamento/pix/2", {"status": 1, "codigoPix": "PIX2"})
    invoices = await make_client().list_open_invoices("17402")
    f2v_params = next(c[2] for c in fake.calls if c[1] == F2V)
    assert f2v_params["nao_gerar_os"] == "1"
    one, two = invoices
    assert one.digitable_line == "LINE1"
    assert one.due_date == date(2026, 11, 26)
    assert one.original_due_date == date(2026, 10, 5)
    assert one.updated_amount == Decimal("5.60")
    assert one.pix_copy_paste == "PIX1"
    assert two.digitable_line is None
    assert two.pix_copy_paste == "PIX2"


async def test_pix_shapes(fake: Any, make_client: Make) -> None:
    fake.reply("/api/ura/pagamento/pix/5", {"status": 1, "codigo": "PIXC"})
    assert await make_client().get_pix("1", "5") == "PIXC"
    fake.reply("/api/ura/pagamento/pix/6", {"status": 0, "msg": "Fatura não encontrada"})
    with pytest.raises(InvoiceNotFound):
        await make_client().get_pix("1", "6")


@pytest.mark.parametrize(
    ("body", "outcome", "message"),
    [
        (
            {"status": 2, "liberado": False, "msg": "já atingiu quantidade permitida"},
            PromiseOutcome.QUOTA,
            "já atingiu quantidade permitida",
        ),
        ({"status": 0, "liberado": "False", "msg": ""}, PromiseOutcome.NOT_BLOCKED, None),
        (
            {
                "status": 0,
                "liberado": False,
                "msg": "Contrato precisa estar ativo, suspenso ou com velocidade reduzida",
            },
            PromiseOutcome.NOT_ELIGIBLE,
            "Contrato precisa estar ativo, suspenso ou com velocidade reduzida",
        ),
        ({"status": 0, "liberado": False, "msg": "Erro inesperado"}, PromiseOutcome.ERROR, "Erro inesperado"),
    ],
)
async def test_promise_refusals_are_typed(
    fake: Any, make_client: Make, body: dict[str, Any], outcome: PromiseOutcome, message: str | None
) -> None:
    fake.reply(PROMESSA, body)
    result = await make_client().request_payment_promise("17402")
    assert result.outcome is outcome
    assert result.message == message
    assert not result.granted


async def test_promise_granted_with_string_types_and_no_login_leak(fake: Any, make_client: Make) -> None:
    fake.reply(
        PROMESSA,
        {
            "status": "1",
            "liberado": "True",
            "liberado_dias": "3",
            "protocolo": "260912153100",
            "msg": "Liberação via URA -\nServiço ID: 999, Login: cliente-pppoe\n",
        },
    )
    client = make_client(clock=lambda: datetime(2026, 9, 12, 15, 31))
    result = await client.request_payment_promise("17402")
    assert result.granted
    assert result.days == 3
    assert result.until == date(2026, 9, 15)
    assert result.protocol == "260912153100"
    assert "pppoe" not in result.model_dump_json()


async def test_promise_unknown_contract(fake: Any, make_client: Make) -> None:
    fake.reply(PROMESSA, {"status": 0, "liberado": False, "msg": "Contrato não encontrado"})
    with pytest.raises(ContractNotFound):
        await make_client().request_payment_promise("1")


async def test_connection_status_codes_and_legacy_typo(fake: Any, make_client: Make) -> None:
    client = make_client()
    fake.reply(ACESSO, {"status": 1, "msg": "Serviço Online"})
    assert (await client.connection_status("1")).state is ConnectionState.ONLINE
    fake.reply(ACESSO, {"status": 2, "msg": "Serviço Offline"})
    assert (await client.connection_status("1")).state is ConnectionState.OFFLINE
    fake.reply(ACESSO, {"status": 0, "staus": 2, "msg": "Serviço Offline"})
    assert (await client.connection_status("1")).state is ConnectionState.OFFLINE
    fake.reply(ACESSO, {"status": 1, "msg": "Serviço Offline"})
    assert (await client.connection_status("1")).state is ConnectionState.UNKNOWN


async def test_suspended_contract_is_blocked_and_unknown_is_not_found(fake: Any, make_client: Make) -> None:
    client = make_client()
    fake.reply(ACESSO, {"status": 0, "msg": "Contrato não está ativo"}, {"status": 2, "msg": "Serviço Offline"})
    status = await client.connection_status("1")
    assert status.state is ConnectionState.BLOCKED
    assert fake.calls[-1][2]["status_all"] == "1"
    fake.reply(ACESSO, {"status": 0, "msg": "Contrato não encontrado"})
    with pytest.raises(ContractNotFound):
        await client.connection_status("2")


async def test_outages_use_query_string_and_filter_by_window_and_pop(fake: Any, make_client: Make) -> None:
    fake.reply(
        MANUTENCAO,
        [
            {
                "id": 1,
                "descricao": "Fibra",
                "mensagem_ura": "Rompimento",
                "ativa": 1,
                "severidade": 4,
                "data_inicial": "2026-11-25 08:00:00",
                "data_final": "2026-11-26 08:00:00",
                "pops": [{"id": 3}],
            },
            {
                "id": 2,
                "descricao": "Antiga",
                "ativa": 0,
                "data_inicial": "2026-11-01 08:00:00",
                "data_final": "2026-11-01 10:00:00",
                "pops": [{"id": 3}],
            },
            {
                "id": 3,
                "descricao": "Futura",
                "ativa": "1",
                "data_inicial": "2026-12-01 08:00:00",
                "data_final": "2026-12-01 10:00:00",
                "pops": [{"id": 3}],
            },
            "garbage",
        ],
    )
    client = make_client(clock=lambda: datetime(2026, 11, 25, 12, 0))
    outages = await client.active_outages("3")
    method, _, params, _ = fake.calls[0]
    assert method == "GET"
    assert params["token"] == "tok"
    assert [o.outage_id for o in outages] == ["1"]
    assert outages[0].customer_message == "Rompimento"
    assert await client.active_outages("9") == []


async def test_ticket_is_json_and_never_retried(fake: Any, make_client: Make) -> None:
    fake.reply(CHAMADO, {"status": 1, "numero": "200429142914"})
    receipt = await make_client().open_ticket(
        "308", TicketRequest(text="Sem conexão", classification_ids=(5,), contact_phone="84999999999")
    )
    assert receipt.protocol == "200429142914"
    _, _, params, content_type = fake.calls[0]
    assert content_type == "application/json"
    assert params["tipoclassificacoes"] == [5]
    assert params["contrato"] == 308
    assert params["desativa_os"] == 1
    fake.reply_raw(CHAMADO, httpx.Response(500, text="boom"))
    with pytest.raises(SgpServerError):
        await make_client().open_ticket("308", TicketRequest(text="x"))
    assert fake.paths().count(CHAMADO) == 2


async def test_calls_beyond_the_pool_size_wait_their_turn() -> None:
    in_flight, peak = 0, 0

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return httpx.Response(200, json={"status": 1, "statusconexao": "Online"})

    client = httpx.AsyncClient(base_url="http://sgp", transport=httpx.MockTransport(answer))
    sgp = SgpBillingSystem(client=client, token=SecretStr("tok"), app="Atende", max_concurrency=3)
    try:
        await asyncio.gather(*(sgp.connection_status("17402") for _ in range(20)))
    finally:
        await sgp.aclose()
    assert peak == 3


@pytest.mark.parametrize("body", [{"titulos": 3}, {"titulos": True}])
async def test_an_answer_of_the_wrong_shape_is_sgp_failing_not_a_crash(fake: Any, make_client: Make, body: Any) -> None:
    fake.reply(TITULOS, body)
    with pytest.raises(SgpBadResponse):
        await make_client().list_open_invoices("17402")


async def test_hostile_variants_of_real_answers_end_in_an_answer_or_a_billing_error(
    fake: Any, make_client: Make
) -> None:
    sgp = make_client(read_retries=0, breaker_threshold=10**6)
    ticket = TicketRequest(text="x")
    answers: list[tuple[str, Any, Callable[[], Awaitable[Any]]]] = [
        (CONSULTA, {"msg": "ok", "contratos": [CONTRACT]}, lambda: sgp.find_customer("036.668.113-37")),
        (TITULOS, {"paginacao": {"total": 1}, "titulos": [titulo()]}, lambda: sgp.list_open_invoices("17402")),
        (ACESSO, {"status": 1, "msg": "Serviço Online"}, lambda: sgp.connection_status("17402")),
        (PROMESSA, {"status": 1, "liberado": True, "liberado_dias": 3}, lambda: sgp.request_payment_promise("17402")),
        (CHAMADO, {"status": 1, "protocolo": "2026"}, lambda: sgp.open_ticket("17402", ticket)),
    ]
    for seed, (path, answer, call) in enumerate(answers):
        for variant in mutations(answer, seed=seed, count=200, rate=0.15):
            body = json.dumps(variant).encode()  # NaN and lone surrogates as Python writes them
            fake.reply_raw(path, httpx.Response(200, content=body, headers={"content-type": "application/json"}))
            with contextlib.suppress(BillingError):
                await call()
