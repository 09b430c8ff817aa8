"""SGP URA endpoint behaviour: request params in, SGP-shaped JSON out (HTTP 200 + ``status``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from atende_core.documents import digits_only
from atende_sim_sgp.base import (
    ISP_NAME,
    PLANS,
    POPS,
    STATUS_LABELS,
    Contract,
    Customer,
    Invoice,
    SgpBase,
    pix_for,
)
from atende_sim_sgp.docs import format_document
from atende_sim_sgp.payments import boleto_codes

Params = dict[str, Any]
MULTIPLE_CONTRACTS_MSG = "Há mais de um contrato para o CPF/CNPJ informado. Favor informar o id do contrato"
QUOTA_MSG = "O recurso de promessa de pagamento já atingiu quantidade permitida. Recurso não disponível"
NOT_ELIGIBLE_MSG = "Contrato precisa estar ativo, suspenso ou com velocidade reduzida"
PLAN_IDS = {plan[0]: index for index, plan in enumerate(PLANS, start=1)}


@dataclass(frozen=True)
class Ctx:
    """Per-request context: clock, link base URL, encoding and promise rules."""

    now: datetime
    public_url: str
    form_encoded: bool
    promise_days: int
    promise_limit: int


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "sim", "yes", "on"}


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _money(cents: int) -> float:
    return round(cents / 100, 2)


def _contract(base: SgpBase, params: Params) -> Contract | None:
    contract_id = _int(params.get("contrato"))
    return base.contracts.get(contract_id) if contract_id is not None else None


def _identity(base: SgpBase, contract: Contract) -> dict[str, Any]:
    customer = base.customers[contract.customer_id]
    return {
        "razaoSocial": customer.name,
        "cpfCnpj": format_document(customer.document),
        "contratoId": contract.id,
    }


def boleto_link(ctx: Ctx, invoice: Invoice) -> str:
    """URL where the simulator serves the bill PDF."""
    return f"{ctx.public_url}/boleto/{invoice.id}-{invoice.token}/"


def _contract_json(base: SgpBase, contract: Contract, ctx: Ctx) -> dict[str, Any]:
    customer = base.customers[contract.customer_id]
    pop = next(p for p in POPS if p[0] == contract.pop_id)
    open_invoices = base.open_invoices(contract)
    return {
        "clienteId": customer.id,
        "contratoId": contract.id,
        "razaoSocial": customer.name,
        "cpfCnpj": format_document(customer.document),
        "contratoStatus": contract.status,
        "contratoStatusDisplay": f" {STATUS_LABELS[contract.status]} ",
        "contratoStatusModo": 2,
        "motivo_status": "Inadimplência" if contract.status in (4, 7) else "",
        "contratoValorAberto": _money(sum(base.corrected_cents(i) for i in open_invoices)),
        "contratoTitulosAReceber": len(open_invoices),
        "promessasPagamentoMes": base.promises_this_month(contract),
        "cobVencimento": contract.due_day,
        "cobIsento": 0.0,
        "cobPermuta": False,
        "link_quitacao": f"{ctx.public_url}/public/quitacao/{contract.id}/",
        "servico_plano": contract.speed,
        "planointernet": contract.plan,
        "planotv": "",
        "servico_login": contract.login,
        "servico_mac": "",
        "servico_vlan": "None",
        "servico_grupo": "fibra",
        "servico_tipo_conexao": "PPPoE",
        "servico_id": contract.service_id,
        "popId": contract.pop_id,
        "popNome": pop[1],
        "endereco_logradouro": contract.street,
        "endereco_numero": contract.number,
        "endereco_bairro": contract.district,
        "endereco_cidade": pop[2],
        "endereco_uf": pop[3],
        "endereco_cep": "65000-000",
        "endereco_complemento": "",
        "endereco_ll": "-2.53,-44.30",
        "telefones": [
            {"tipoContato": "Celular Pessoal", "contato": phone, "inscricoes": []} for phone in customer.phones
        ],
        "emails": [{"tipoContato": "E-Mail", "contato": customer.email, "inscricoes": []}],
        "dataCadastro": contract.registered.strftime("%d/%m/%Y %H:%M:%S"),
        "dataAlteracao": customer.registered.strftime("%d/%m/%Y %H:%M:%S"),
        "dataNascimento": customer.birth.isoformat() if customer.birth else None,
        "tags": [],
        "anotacoes": [],
        # Secrets real SGP exposes; the adapter must strip them.
        "servico_senha": contract.service_password,
        "contratoCentralLogin": customer.document,
        "contratoCentralSenha": contract.central_password,
        "servico_wifi_ssid": f"NETDEMO_{contract.id}",
        "servico_wifi_password": contract.wifi_password,
        "servico_wifi_ssid_5": f"NETDEMO_{contract.id}_5G",
        "servico_wifi_password_5": contract.wifi_password,
    }


def consultacliente(base: SgpBase, params: Params, ctx: Ctx) -> tuple[int, Any]:
    """POST /api/ura/consultacliente/."""
    contracts: list[Contract]
    if params.get("cpfcnpj"):
        customer = base.find_document(str(params["cpfcnpj"]))
        contracts = [base.contracts[c] for c in customer.contract_ids] if customer else []
    elif params.get("contrato"):
        contract = _contract(base, params)
        contracts = [contract] if contract else []
    else:
        return 200, {"msg": "CPF/CNPJ ou Contrato ID Não informados"}
    if params.get("status"):
        wanted = {_int(s) for s in str(params["status"]).split(",")}
        contracts = [c for c in contracts if c.status in wanted]
    if not contracts:
        return 200, {"contratos": []}
    return 200, {
        "msg": "Contrato(s) Localizado(s)",
        "contratos": [_contract_json(base, c, ctx) for c in contracts],
    }


def _date(value: date | None, *, br: bool = False) -> str | None:
    if value is None:
        return None
    return value.strftime("%d/%m/%Y") if br else value.isoformat()


def _titulo_json(base: SgpBase, invoice: Invoice, ctx: Ctx) -> dict[str, Any]:
    contract = base.contracts[invoice.contract_id]
    customer: Customer = base.customers[contract.customer_id]
    barcode, line = invoice.codes
    hide = contract.codes_missing and invoice.status == "aberto"
    paid = invoice.status == "pago"
    return {
        "id": invoice.id,
        "clienteNome": customer.name,
        "clienteCpfcnpj": format_document(customer.document),
        "clienteContrato": contract.id,
        "portador": "BANCO ITAU - CARTEIRA 109",
        "numeroDocumento": str(invoice.id),
        "nossoNumero": f"{invoice.id:08d}",
        "link": boleto_link(ctx, invoice),
        "link_cobranca": f"{ctx.public_url}/public/cobranca/{invoice.token}/",
        "status": invoice.status,
        "valor": _money(invoice.amount_cents),
        "valorDesconto": 0.0,
        "valorCorrigido": _money(base.corrected_cents(invoice)),
        "valorPago": _money(invoice.amount_cents) if paid else 0.0,
        "valorPagoParcial": 0.0,
        "codigoBarras": "" if hide else barcode,
        "linhaDigitavel": "" if hide else line,
        "codigoPix": "" if hide or invoice.status != "aberto" else invoice.pix,
        "dataEmissao": _date(invoice.issued),
        "dataVencimento": _date(invoice.due, br=contract.br_due_dates),
        "dataPagamento": _date(invoice.paid_on),
        "dataCancelamento": None,
        "demonstrativo": f"Mensalidade {contract.plan}",
        "acordoPagamento": {"acordados": [], "cobrados": []},
        "formaPagamento": "Boleto" if paid else None,
        "usuario_baixa": "retorno_bancario" if paid else None,
    }


class _BadDateError(ValueError):
    """A date-window parameter that is not ``AAAA-MM-DD``."""


def _window(params: Params, name: str) -> tuple[date | None, date | None]:
    """``<name>_inicio`` / ``<name>_fim`` (``AAAA-MM-DD``), each bound optional."""
    bounds: list[date | None] = []
    for suffix in ("inicio", "fim"):
        raw = str(params.get(f"{name}_{suffix}") or "").strip()
        try:
            bounds.append(date.fromisoformat(raw) if raw else None)
        except ValueError as exc:
            raise _BadDateError(f"{name}_{suffix}: formato esperado AAAA-MM-DD") from exc
    return bounds[0], bounds[1]


def _within(value: date | None, window: tuple[date | None, date | None]) -> bool:
    start, end = window
    if start is None and end is None:
        return True
    if value is None:
        return False
    return (start is None or value >= start) and (end is None or value <= end)


def _page(params: Params, *, default: int, maximum: int) -> tuple[int, int]:
    offset = max(_int(params.get("offset")) or 0, 0)
    limit = min(max(_int(params.get("limit")) or default, 1), maximum)
    return offset, limit


_TITLE_STATUS = {
    "abertos": "aberto",
    "aberto": "aberto",
    "pagos": "pago",
    "pago": "pago",
    "cancelados": "cancelado",
    "cancelado": "cancelado",
}


def titulos(base: SgpBase, params: Params, ctx: Ctx) -> tuple[int, Any]:
    """POST /api/ura/titulos/ (paged with offset/limit, max 250; due/payment date windows)."""
    offset, limit = _page(params, default=250, maximum=250)
    try:
        due_window = _window(params, "data_vencimento")
        paid_window = _window(params, "data_pagamento")
    except _BadDateError as exc:
        return 400, {"detail": str(exc)}
    contracts: list[Contract]
    if params.get("contrato"):
        contract = _contract(base, params)
        contracts = [contract] if contract else []
    elif params.get("cpfcnpj"):
        customer = base.find_document(str(params["cpfcnpj"]))
        contracts = [base.contracts[c] for c in customer.contract_ids] if customer else []
    elif params.get("cliente_id"):
        owner = base.customers.get(_int(params["cliente_id"]) or -1)
        contracts = [base.contracts[c] for c in owner.contract_ids] if owner else []
    elif params.get("titulo_id"):
        invoice = base.invoice(_int(params["titulo_id"]) or -1)
        contracts = [base.contracts[invoice.contract_id]] if invoice else []
    else:
        contracts = list(base.contracts.values())
    scoped = any(params.get(k) for k in ("contrato", "cpfcnpj", "cliente_id", "titulo_id"))
    if scoped or due_window == (None, None):
        items = [inv for c in contracts for inv in base.invoices(c)]
    else:
        items = base.invoices_due(*due_window)  # the whole base, through the due-date index
    if params.get("tipo_pessoa"):
        kinds = {k.strip().upper() for k in str(params["tipo_pessoa"]).split(",")}
        items = [i for i in items if base.customers[base.contracts[i.contract_id].customer_id].person_type in kinds]
    if params.get("titulo_id"):
        items = [i for i in items if i.id == _int(params["titulo_id"])]
    wanted = _TITLE_STATUS.get(str(params.get("status", "")).strip())
    if wanted:
        items = [i for i in items if i.status == wanted]
    items = [i for i in items if _within(i.due, due_window) and _within(i.paid_on, paid_window)]
    order = str(params.get("ordenar", "data_vencimento"))
    key = {
        "data_documento": lambda i: i.issued,
        "data_pagamento": lambda i: i.paid_on or date.max,
    }.get(order, lambda i: i.due)
    items.sort(key=key, reverse=str(params.get("ordenar_ordem", "asc")) == "desc")
    page = items[offset : offset + limit]
    return 200, {
        "paginacao": {"offset": offset, "limit": limit, "parcial": len(page), "total": len(items)},
        "titulos": [_titulo_json(base, inv, ctx) for inv in page],
    }


def _cliente_json(base: SgpBase, customer: Customer, params: Params) -> dict[str, Any]:
    """One ``clientes`` entry: nested contracts (with their services' secrets), contacts and titles."""
    contracts = [base.contracts[c] for c in customer.contract_ids]
    first = contracts[0]
    pop = next(p for p in POPS if p[0] == first.pop_id)
    entry: dict[str, Any] = {
        "id": customer.id,
        "nome": customer.name,
        "cpfcnpj": format_document(customer.document),
        "tipo": customer.person_type,
        "dataCadastro": customer.registered.strftime("%d/%m/%Y %H:%M:%S"),
        "dataNascimento": customer.birth.isoformat() if customer.birth else None,
        "endereco": {
            "logradouro": first.street,
            "numero": first.number,
            "bairro": first.district,
            "cidade": pop[2],
            "uf": pop[3],
            "cep": "65000-000",
        },
    }
    if not _truthy(params.get("omitir_contatos", "0")):
        entry["contatos"] = [{"tipo": "Celular Pessoal", "contato": phone} for phone in customer.phones] + [
            {"tipo": "E-Mail", "contato": customer.email}
        ]
    if not _truthy(params.get("omitir_contratos", "0")):
        entry["contratos"] = [
            {
                "id": c.id,
                "contrato": c.id,
                "status": c.status,
                "motivo_status": "Inadimplência" if c.status in (4, 7) else "",
                "contratoCentralLogin": customer.document,
                "contratoCentralSenha": c.central_password,  # a secret production returns here too
                "servicos": [
                    {
                        "id": c.service_id,
                        "tipo": "internet",
                        "plano": {"id": PLAN_IDS.get(c.plan, 0), "descricao": c.plan},
                        "login": c.login,
                        "senha": c.service_password,
                        "mac": "",
                        "ip": None,
                        "wifi": {"ssid": f"NETDEMO_{c.id}", "senha": c.wifi_password},
                    }
                ],
            }
            for c in contracts
        ]
    if not _truthy(params.get("omitir_titulos", "0")):
        # GUESS (reference §3 only says "titulos:[…]"): every title of the client, in a short shape;
        # the title filters above select clients, they do not trim this list.
        entry["titulos"] = [
            {
                "id": inv.id,
                "clienteContrato": inv.contract_id,
                "status": inv.status,
                "valor": _money(inv.amount_cents),
                "dataVencimento": _date(inv.due),
                "dataPagamento": _date(inv.paid_on),
            }
            for c in contracts
            for inv in base.invoices(c)
        ]
    return entry


def clientes(base: SgpBase, params: Params, ctx: Ctx) -> tuple[int, Any]:
    """POST /api/ura/clientes/: clients with nested contracts, contacts and titles (max 100 a page).

    Title filters (``status``, ``data_vencimento_*``, ``data_pagamento_*``) keep clients owning at
    least one title that matches all of them. With no filter it returns the whole base, like SGP.
    """
    offset, limit = _page(params, default=100, maximum=100)
    try:
        due_window = _window(params, "data_vencimento")
        paid_window = _window(params, "data_pagamento")
    except _BadDateError as exc:
        return 400, {"detail": str(exc)}
    customers: list[Customer]
    if params.get("cliente_id"):
        found = base.customers.get(_int(params["cliente_id"]) or -1)
        customers = [found] if found else []
    elif params.get("cpfcnpj"):
        by_doc = base.find_document(str(params["cpfcnpj"]))
        customers = [by_doc] if by_doc else []
    elif params.get("contrato"):
        contract = _contract(base, params)
        customers = [base.customers[contract.customer_id]] if contract else []
    else:
        customers = list(base.customers.values())
    if params.get("telefone"):
        digits = digits_only(str(params["telefone"]))
        with_phone = {c.id for c in base.with_phone(digits)}
        customers = [c for c in customers if c.id in with_phone]
    if params.get("contrato_status"):
        statuses = {_int(s) for s in str(params["contrato_status"]).split(",")}
        customers = [c for c in customers if any(base.contracts[i].status in statuses for i in c.contract_ids)]
    wanted = _TITLE_STATUS.get(str(params.get("status", "")).strip())
    if wanted is not None or any(w != (None, None) for w in (due_window, paid_window)):
        candidates = (
            base.invoices_due(*due_window)
            if due_window != (None, None)
            else [inv for c in base.contracts.values() for inv in base.invoices(c)]
        )
        owners = {
            base.contracts[inv.contract_id].customer_id
            for inv in candidates
            if (wanted is None or inv.status == wanted) and _within(inv.paid_on, paid_window)
        }
        customers = [c for c in customers if c.id in owners]
    page = customers[offset : offset + limit]
    return 200, {
        "paginacao": {"offset": offset, "limit": limit, "parcial": len(page), "total": len(customers)},
        "clientes": [_cliente_json(base, c, params) for c in page],
    }


def fatura2via(base: SgpBase, params: Params, ctx: Ctx) -> tuple[int, Any]:
    """POST /api/ura/fatura2via/: re-issued open bills; opens an ocorrência unless nao_gerar_os=1."""
    if params.get("contrato"):
        contract = _contract(base, params)
        if contract is None:
            return 200, {"status": 0, "msg": "Contrato não encontrado"}
    elif params.get("cpfcnpj"):
        customer = base.find_document(str(params["cpfcnpj"]))
        if customer is None:
            return 200, {"status": 0, "msg": "Cliente não encontrado"}
        if len(customer.contract_ids) > 1:
            return 200, {"status": 0, "msg": MULTIPLE_CONTRACTS_MSG}
        contract = base.contracts[customer.contract_ids[0]]
    else:
        return 200, {"status": 0, "msg": "CPF/CNPJ ou Contrato ID Não informados"}
    invoices = base.open_invoices(contract)
    if str(params.get("modo_ordenacao", "asc")) == "desc":
        invoices.reverse()
    if not invoices:
        return 200, {"status": 0, "links": []}
    if not _truthy(params.get("faturas_abertas_todas", "0")):
        invoices = invoices[:1]
    links = []
    for invoice in invoices:
        due = invoice.due if invoice.due >= base.today else base.today + timedelta(days=1)
        cents = base.corrected_cents(invoice)
        _, line = boleto_codes(bank="341", due=due, amount_cents=cents, free_field=f"{invoice.id:025d}")
        links.append(
            {
                "fatura": invoice.id,
                "id": invoice.id,
                "vencimento": due.isoformat(),
                "vencimento_original": invoice.due.isoformat(),
                "valor": _money(cents),
                "valor_original": _money(invoice.amount_cents),
                "linhadigitavel": line,
                "codigopix": pix_for(invoice.id, cents),
                "link": boleto_link(ctx, invoice),
            }
        )
    protocol = ""
    if not _truthy(params.get("nao_gerar_os", "0")):
        protocol = base.open_ticket(
            contract, kind="fatura2via", content="Segunda via via URA", work_order=False, now=ctx.now
        )
    return 200, {
        "status": 1,
        **_identity(base, contract),
        "protocolo": protocol,
        "msg": "",
        "link": links[0]["link"],
        "links": links,
    }


def pagamento_pix(base: SgpBase, params: Params, ctx: Ctx, fatura: str) -> tuple[int, Any]:
    """POST /api/ura/pagamento/pix/{fatura}."""
    contract = _contract(base, params)
    if contract is None:
        return 200, {"status": 0, "msg": "Contrato não encontrado"}
    invoice = base.invoice(_int(fatura) or -1)
    if invoice is None or invoice.contract_id != contract.id or invoice.status != "aberto":
        return 200, {"status": 0, "msg": "Fatura não encontrada ou já liquidada"}
    return 200, {"status": 1, "msg": "Dados do Pix", "pix": invoice.pix}


def liberacaopromessa(base: SgpBase, params: Params, ctx: Ctx) -> tuple[int, Any]:
    """POST /api/ura/liberacaopromessa/: trust unlock with SGP's per-month quota."""
    contract = _contract(base, params)
    as_text = ctx.form_encoded  # form callers see Python-ish strings ("False", "3")

    def flag(value: bool) -> Any:
        return str(value) if as_text else value

    if contract is None:
        return 200, {"status": 0, "liberado": flag(False), "msg": "Contrato não encontrado"}
    identity = _identity(base, contract)
    if contract.status not in (1, 4, 7):
        return 200, {"status": 0, "liberado": flag(False), **identity, "msg": NOT_ELIGIBLE_MSG}
    if contract.status == 1:
        return 200, {"status": 0, "liberado": flag(False), **identity, "msg": ""}
    if base.promises_this_month(contract) >= ctx.promise_limit:
        return 200, {"status": 2, "liberado": flag(False), **identity, "msg": QUOTA_MSG}
    protocol, until = base.grant_promise(contract, days=ctx.promise_days, now=ctx.now)
    body: dict[str, Any] = {
        "status": 1,
        "liberado": flag(True),
        "liberado_dias": str(ctx.promise_days) if as_text else ctx.promise_days,
        "data_promessa": until.isoformat(),
        "protocolo": protocol,
        **identity,
        "msg": (
            f"Liberação via URA -\nServiço ID: {contract.service_id}, Login: {contract.login}\n"
            "Motivo: Promessa de Pagamento\n"
        ),
    }
    if params.get("uracontato"):
        body["uracontato"] = params["uracontato"]
    return 200, body


def verificaacesso(base: SgpBase, params: Params, ctx: Ctx) -> tuple[int, Any]:
    """POST /api/ura/verificaacesso/: 1 online, 2 offline; suspended only with status_all."""
    contract = _contract(base, params)
    if contract is None:
        return 200, {"status": 0, "msg": "Contrato não encontrado"}
    identity = _identity(base, contract)
    if contract.status not in (1, 7) and not _truthy(params.get("status_all", "0")):
        return 200, {"status": 0, **identity, "msg": "Contrato não está ativo"}
    outage = base.outage_for_pop(contract.pop_id, ctx.now)
    online = contract.online and contract.status in (1, 7) and outage is None
    body: dict[str, Any] = {
        **identity,
        "login": contract.login,
        "servico_id": contract.service_id,
        "msg": "Serviço Online" if online else "Serviço Offline",
    }
    if contract.legacy_access_shape and not online:
        body.update({"status": 0, "staus": 2})  # the 2020 sample's typo'd key
    else:
        body["status"] = 1 if online else 2
    if outage is not None or params.get("protocolo_ura"):
        body["protocolo"] = base.open_ticket(
            contract, kind="verificaacesso", content="Verificação de acesso", work_order=False, now=ctx.now
        )
    return 200, body


def chamado(base: SgpBase, params: Params, ctx: Ctx) -> tuple[int, Any]:
    """POST /api/ura/chamado/: open an ocorrência (+ O.S. unless desativa_os=1)."""
    contract = _contract(base, params)
    if contract is None:
        return 200, {"status": 0, "msg": "Contrato não encontrado"}
    content = str(params.get("conteudo") or "").strip()
    if not content:
        return 200, {"status": 0, **_identity(base, contract), "msg": "Conteúdo não informado"}
    protocol = base.open_ticket(
        contract,
        kind=f"chamado:{params.get('ocorrenciatipo', 5)}",
        content=content,
        work_order=not _truthy(params.get("desativa_os", "0")),
        now=ctx.now,
    )
    return 200, {"status": 1, **_identity(base, contract), "protocolo": protocol, "msg": ""}


def manutencao_list(base: SgpBase, params: Params, ctx: Ctx) -> tuple[int, Any]:
    """GET /api/ura/manutencao/list/: every maintenance window (the caller filters active ones)."""
    return 200, base.outages


def contract_state(base: SgpBase, contract_id: int) -> dict[str, Any] | None:
    """Internal view used by tests and demos (``GET /_sim/contracts/{id}``)."""
    contract = base.contracts.get(contract_id)
    if contract is None:
        return None
    return {
        "contract_id": contract.id,
        "status": contract.status,
        "promise_dates": [d.isoformat() for d in contract.promise_dates],
        "promises_this_month": base.promises_this_month(contract),
        "unlocked_until": contract.unlocked_until.isoformat() if contract.unlocked_until else None,
        "tickets": [
            {"protocol": t.protocol, "kind": t.kind, "work_order": t.work_order}
            for t in base.tickets
            if t.contract_id == contract.id
        ],
        "isp": ISP_NAME,
    }
