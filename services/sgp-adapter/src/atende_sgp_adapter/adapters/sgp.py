"""SGP (TSMX) "API URA" adapter: the ``IspBillingSystem`` port over httpx.

Quirks handled here (see shared/reference/sgp-api.md §6): token/app as body fields (query string for
GETs), HTTP 200 with per-endpoint ``status`` codes, 403 ``{"detail"}`` auth errors, 404 HTML for
routes an installation does not expose, non-JSON bodies, padded strings, mixed date and number
types, masked CPFs, the digits-then-mask lookup retry, and secrets stripped at the boundary (the
parsers only read whitelisted fields). Reads are retried with jitter; writes never are. Every call
goes through one circuit breaker so a dead SGP is answered with ``SgpCircuitOpen`` at once.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Concatenate, ParamSpec, TypeVar

import httpx
from purgatory import AsyncCircuitBreakerFactory
from purgatory.domain.model import OpenedState
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from atende_core.secrets import SecretValue, close_if_rotating, rotating_secret
from atende_sgp_adapter import metrics
from atende_sgp_adapter.adapters import sgp_audience
from atende_sgp_adapter.adapters.sgp_parsing import (
    clean_str,
    fold,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_decimal,
    parse_int,
)
from atende_sgp_adapter.domain.documents import (
    digits_only,
    document_key,
    document_kind,
    format_document,
    mask_document,
)
from atende_sgp_adapter.domain.models import (
    MAX_AUDIENCE_PAGE,
    MAX_DUE_IN_DAYS,
    Address,
    ConnectionState,
    ConnectionStatus,
    Contract,
    ContractStatus,
    Customer,
    DueInvoice,
    DueInvoicePage,
    Invoice,
    Outage,
    PaymentPromiseResult,
    PromiseOutcome,
    TicketReceipt,
    TicketRequest,
)
from atende_sgp_adapter.errors import (
    BillingError,
    BillingMisconfigured,
    BillingNotFound,
    ContractNotFound,
    InvalidQuery,
    InvoiceNotFound,
    SgpAuthError,
    SgpBadResponse,
    SgpCircuitOpen,
    SgpConnectError,
    SgpEndpointMissing,
    SgpProtocolError,
    SgpServerError,
    SgpTimeout,
    SgpUnavailable,
)
from atende_sgp_adapter.settings import Settings

logger = logging.getLogger(__name__)

CONSULTA_CLIENTE = "/api/ura/consultacliente/"
TITULOS = "/api/ura/titulos/"
FATURA_2VIA = "/api/ura/fatura2via/"
PAGAMENTO_PIX = "/api/ura/pagamento/pix/{invoice_id}"
LIBERACAO_PROMESSA = "/api/ura/liberacaopromessa/"
VERIFICA_ACESSO = "/api/ura/verificaacesso/"
CHAMADO = "/api/ura/chamado/"
MANUTENCAO_LIST = "/api/ura/manutencao/list/"
CLIENTES = "/api/ura/clientes/"

_TITULOS_PAGE = 250  # SGP's maximum page size for /ura/titulos
_CLIENTES_PAGE = 100  # SGP's maximum page size for /ura/clientes
_PHONE_MATCHES = 5  # customers one phone may belong to before the answer is not believed
_MAX_PAGES = 20
_MAX_CLIENTES_PAGES = 1000  # 100,000 payers in one due-date window
_BREAKER = "sgp"


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


_P = ParamSpec("_P")
_R = TypeVar("_R")
# What reading a body of the wrong shape raises (pydantic's ValidationError is a ValueError, decimal's
# InvalidOperation an ArithmeticError).
_UNREADABLE = (TypeError, ValueError, ArithmeticError, AttributeError, KeyError, IndexError)


def _unreadable_is_unavailable(
    method: Callable[Concatenate[SgpBillingSystem, _P], Coroutine[Any, Any, _R]],
) -> Callable[Concatenate[SgpBillingSystem, _P], Coroutine[Any, Any, _R]]:
    """An answer that cannot be read is SGP failing (``SgpBadResponse``: the customer is told the system
    is unavailable), not a bug of ours that sends the request to the dead-letter topic."""

    @functools.wraps(method)
    async def read(self: SgpBillingSystem, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return await method(self, *args, **kwargs)
        except (BillingError, InvalidQuery):
            raise
        except _UNREADABLE as exc:
            operation, kind = method.__name__, type(exc).__name__
            metrics.SGP_UNREADABLE.labels(operation).inc()
            logger.warning("sgp answer unreadable", extra={"operation": operation, "error_type": kind})
            raise SgpBadResponse(f"SGP answer to {operation} unreadable: {kind}") from exc

    return read


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, SgpUnavailable) and not isinstance(exc, SgpCircuitOpen)


class SgpBillingSystem:
    """``IspBillingSystem`` for SGP; create with :meth:`from_settings`, close with :meth:`aclose`."""

    def __init__(
        self,
        *,
        client: httpx.AsyncClient,
        token: SecretValue,
        app: str,
        read_retries: int = 1,
        retry_max_wait_s: float = 0.5,
        breaker_threshold: int = 5,
        breaker_reset_s: float = 30.0,
        ticket_type: int = 5,
        ticket_method: int = 5,
        promise_send_sms: bool = False,
        max_concurrency: int = 20,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        self._client = client
        # Calls beyond the pool's size wait here: httpcore 1.0's pool rescans its whole queue for every
        # request (quadratic CPU in a burst, measured), and its pool timeout would count the wait
        # against SGP's health.
        self._slots = asyncio.Semaphore(max_concurrency)
        self._token = token
        self._app = app
        self._read_attempts = 1 + max(read_retries, 0)
        self._retry_max_wait_s = retry_max_wait_s
        self._ticket_type = ticket_type
        self._ticket_method = ticket_method
        self._promise_send_sms = promise_send_sms
        self._clock = clock
        self._breaker_threshold = breaker_threshold
        self._breaker_reset_s = breaker_reset_s
        # Business answers and configuration errors say nothing about SGP's health.
        self._breakers = AsyncCircuitBreakerFactory(
            default_threshold=breaker_threshold,
            default_ttl=breaker_reset_s,
            exclude=[BillingMisconfigured, BillingNotFound],
        )
        self._breakers.add_listener(self._on_breaker_event)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = datetime.now,
    ) -> SgpBillingSystem:
        """Build the adapter with a pooled client configured from ``settings``."""
        timeout = httpx.Timeout(
            settings.sgp_read_timeout_s,
            connect=settings.sgp_connect_timeout_s,
            pool=settings.sgp_connect_timeout_s,
        )
        limits = httpx.Limits(
            max_connections=settings.sgp_max_connections,
            max_keepalive_connections=settings.sgp_max_connections,
        )
        client = httpx.AsyncClient(
            base_url=settings.sgp_base_url.rstrip("/"),
            timeout=timeout,
            limits=limits,
            transport=transport,
            headers={"Accept": "application/json", "User-Agent": "atende-sgp-adapter"},
        )
        return cls(
            client=client,
            # Read per request: a rotated token (RotatingSecret) is used from the next call on.
            token=rotating_secret(settings, "sgp_token"),
            app=settings.sgp_app,
            read_retries=settings.sgp_read_retries,
            retry_max_wait_s=settings.sgp_retry_max_wait_s,
            breaker_threshold=settings.sgp_breaker_threshold,
            breaker_reset_s=settings.sgp_breaker_reset_s,
            ticket_type=settings.sgp_ticket_type,
            ticket_method=settings.sgp_ticket_method,
            promise_send_sms=settings.sgp_promise_send_sms,
            max_concurrency=settings.sgp_max_connections,
            clock=clock,
        )

    async def aclose(self) -> None:
        """Close the pooled HTTP client (and the token's refresher)."""
        await self._client.aclose()
        close_if_rotating(self._token)

    async def breaker_state(self) -> str:
        """``closed``, ``opened`` or ``half-opened`` (for health checks and tests)."""
        breaker = await self._breakers.get_breaker(_BREAKER)
        return breaker.context.state

    # ---- transport ------------------------------------------------------------------------------
    def _on_breaker_event(self, name: str, event_type: str, event: Any) -> None:
        if event_type != "state_changed":
            return
        state = getattr(event, "state", "")
        metrics.SGP_BREAKER_OPEN.set(1 if state == "opened" else 0)
        log = logger.warning if state == "opened" else logger.info
        log("sgp circuit breaker %s", state, extra={"breaker": name, "state": state})

    async def _call(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any],
        *,
        endpoint: str,
        idempotent: bool,
        as_json: bool = False,
    ) -> Any:
        """One logical SGP call: breaker per attempt, jittered retries for idempotent reads."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._read_attempts if idempotent else 1),
            wait=wait_random_exponential(multiplier=0.05, max=self._retry_max_wait_s),
            retry=retry_if_exception(_retryable),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._guarded(method, path, params, endpoint=endpoint, as_json=as_json)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _guarded(self, method: str, path: str, params: Mapping[str, Any], *, endpoint: str, as_json: bool) -> Any:
        breaker = await self._breakers.get_breaker(_BREAKER)
        try:
            async with breaker:
                return await self._send(method, path, params, endpoint=endpoint, as_json=as_json)
        except OpenedState as exc:
            metrics.SGP_BREAKER_REJECTIONS.inc()
            raise SgpCircuitOpen("SGP circuit breaker is open") from exc

    async def _send(self, method: str, path: str, params: Mapping[str, Any], *, endpoint: str, as_json: bool) -> Any:
        async with self._slots:
            return await self._send_now(method, path, params, endpoint=endpoint, as_json=as_json)

    async def _send_now(
        self, method: str, path: str, params: Mapping[str, Any], *, endpoint: str, as_json: bool
    ) -> Any:
        payload: dict[str, Any] = {"token": self._token.get_secret_value(), "app": self._app}
        payload.update(params)
        started = time.perf_counter()
        outcome = "ok"
        try:
            if method == "GET":
                # GET bodies are dropped by proxies: credentials go in the query string.
                response = await self._client.get(path, params={k: _form_value(v) for k, v in payload.items()})
            elif as_json:
                response = await self._client.post(path, json=payload)
            else:
                response = await self._client.post(path, data={k: _form_value(v) for k, v in payload.items()})
            return self._decode(response, endpoint)
        except httpx.TimeoutException as exc:
            outcome = "timeout"
            raise SgpTimeout(f"SGP {endpoint} timed out") from exc
        except httpx.TransportError as exc:
            outcome = "connect_error"
            raise SgpConnectError(f"SGP {endpoint} connection failed: {type(exc).__name__}") from exc
        except SgpUnavailable as exc:
            outcome = type(exc).__name__
            raise
        except (BillingMisconfigured, BillingNotFound) as exc:
            outcome = type(exc).__name__
            raise
        finally:
            elapsed = time.perf_counter() - started
            metrics.SGP_REQUESTS.labels(endpoint, outcome).inc()
            metrics.SGP_LATENCY.labels(endpoint).observe(elapsed)
            logger.debug(
                "sgp call",
                extra={"endpoint": endpoint, "outcome": outcome, "duration_ms": round(elapsed * 1000, 1)},
            )

    @staticmethod
    def _decode(response: httpx.Response, endpoint: str) -> Any:
        status = response.status_code
        if status in (401, 403):
            detail = SgpBillingSystem._detail(response)
            logger.error("sgp refused credentials", extra={"endpoint": endpoint, "detail": detail})
            raise SgpAuthError(f"SGP {endpoint}: HTTP {status} {detail}")
        if status in (404, 405):
            raise SgpEndpointMissing(f"SGP {endpoint}: HTTP {status} (route not exposed here?)")
        if status == 429 or status >= 500:
            raise SgpServerError(f"SGP {endpoint}: HTTP {status}", status_code=status)
        if status >= 400:
            raise SgpProtocolError(f"SGP {endpoint}: HTTP {status} {SgpBillingSystem._detail(response)}")
        try:
            # Force UTF-8: some installations mislabel the charset.
            body = json.loads(response.content.decode("utf-8", errors="replace"))
        except ValueError as exc:
            kind = response.headers.get("content-type", "?").split(";")[0]
            raise SgpBadResponse(f"SGP {endpoint}: HTTP {status} non-JSON body ({kind})") from exc
        if not isinstance(body, dict | list):
            raise SgpBadResponse(f"SGP {endpoint}: body is a bare {type(body).__name__}")
        return body

    @staticmethod
    def _detail(response: httpx.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            return ""
        return str(body.get("detail", "")) if isinstance(body, dict) else ""

    @staticmethod
    def _object(body: Any, endpoint: str) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise SgpBadResponse(f"SGP {endpoint}: expected an object, got {type(body).__name__}")
        return body

    # ---- customers ------------------------------------------------------------------------------
    @_unreadable_is_unavailable
    async def find_customer(self, document: str) -> Customer | None:
        """consultacliente by digits, then by the stored mask (some installations match on it)."""
        # The normal key, not the digits: an alphanumeric CNPJ keeps its letters.
        key = document_key(document)
        if len(key) not in (11, 14):
            return None
        items = await self._consulta({"cpfcnpj": key})
        if not items:
            items = await self._consulta({"cpfcnpj": format_document(key)})
            if items:
                logger.info("sgp matched the masked document", extra={"doc": mask_document(key)})
        # Defensive: keep only contracts of this document when SGP says whose they are.
        items = [i for i in items if document_key(str(i.get("cpfCnpj") or key)) == key]
        return self._customer(items) if items else None

    @_unreadable_is_unavailable
    async def documents_by_phone(self, phone: str) -> Sequence[str]:
        """clientes filtered by ``telefone`` (the national number: SGP stores ``(98) 98512-0338``)."""
        national = digits_only(phone)
        if len(national) in (12, 13) and national.startswith("55"):
            national = national[2:]
        if len(national) not in (10, 11):
            return []
        params = {"telefone": national, "omitir_contratos": 1, "omitir_titulos": 1, "limit": _PHONE_MATCHES}
        body = self._object(
            await self._call("POST", CLIENTES, params, endpoint="clientes", idempotent=True), "clientes"
        )
        paging = body.get("paginacao")
        total = parse_int(paging.get("total")) if isinstance(paging, dict) else None
        if total is not None and total > _PHONE_MATCHES:
            # A phone is shared by a family at most: this many means the filter was ignored.
            logger.warning("sgp clientes ignored the telefone filter", extra={"total": total})
            return []
        entries = body.get("clientes")
        found = (document_key(str(e.get("cpfcnpj") or "")) for e in entries or [] if isinstance(e, dict))
        return list(dict.fromkeys(d for d in found if len(d) in (11, 14)))

    @_unreadable_is_unavailable
    async def find_customer_by_contract(self, contract_id: str) -> Customer | None:
        """consultacliente by contract id."""
        contract = parse_int(contract_id)
        if contract is None:
            return None
        items = await self._consulta({"contrato": contract})
        return self._customer(items) if items else None

    async def _consulta(self, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        body = self._object(
            await self._call("POST", CONSULTA_CLIENTE, params, endpoint="consultacliente", idempotent=True),
            "consultacliente",
        )
        contracts = body.get("contratos")
        if contracts is None:
            raise SgpProtocolError(f"SGP consultacliente: no contratos ({clean_str(body.get('msg'))})")
        if not isinstance(contracts, list):
            raise SgpBadResponse("SGP consultacliente: contratos is not a list")
        return [c for c in contracts if isinstance(c, dict)]

    def _customer(self, items: Sequence[dict[str, Any]]) -> Customer:
        first = items[0]
        document = document_key(str(first.get("cpfCnpj") or ""))
        contracts = tuple(self._contract(i) for i in items)
        return Customer(
            customer_id=str(parse_int(first.get("clienteId")) or ""),
            name=clean_str(first.get("razaoSocial")) or "",
            document=document,
            document_kind=document_kind(document),
            contracts=contracts,
            phones=_contacts(first.get("telefones")),
            emails=_contacts(first.get("emails")),
            registered_at=parse_datetime(first.get("dataCadastro")),
        )

    @staticmethod
    def _contract(item: Mapping[str, Any]) -> Contract:
        code = parse_int(item.get("contratoStatus"))
        try:
            status = ContractStatus(code if code is not None else 0)
        except ValueError:
            status = ContractStatus.UNKNOWN
        pop_id = parse_int(item.get("popId"))
        return Contract(
            contract_id=str(parse_int(item.get("contratoId"))),
            status=status,
            status_label=clean_str(item.get("contratoStatusDisplay")) or status.name.title(),
            plan=clean_str(item.get("planointernet")) or clean_str(item.get("servico_plano")) or "",
            pop_id=str(pop_id) if pop_id is not None else None,
            pop_name=clean_str(item.get("popNome")),
            address=Address(
                street=clean_str(item.get("endereco_logradouro")) or "",
                number=clean_str(item.get("endereco_numero")) or "",
                district=clean_str(item.get("endereco_bairro")) or "",
                city=clean_str(item.get("endereco_cidade")) or "",
                state=clean_str(item.get("endereco_uf")) or "",
                zip_code=clean_str(item.get("endereco_cep")) or "",
            ),
            open_amount=parse_decimal(item.get("contratoValorAberto")) or Decimal("0.00"),
            open_invoice_count=parse_int(item.get("contratoTitulosAReceber")) or 0,
            promises_this_month=parse_int(item.get("promessasPagamentoMes")),
        )

    # ---- invoices -------------------------------------------------------------------------------
    @_unreadable_is_unavailable
    async def list_open_invoices(self, contract_id: str) -> Sequence[Invoice]:
        """titulos (abertos); empty codes are filled from fatura2via (no ticket), then the PIX call."""
        contract = parse_int(contract_id)
        if contract is None:
            raise ContractNotFound(contract_id)
        raw: list[dict[str, Any]] = []
        offset = 0
        for _ in range(_MAX_PAGES):
            params = {
                "contrato": contract,
                "status": "abertos",
                "ordenar": "data_vencimento",
                "ordenar_ordem": "asc",
                "offset": offset,
                "limit": _TITULOS_PAGE,
            }
            body = self._object(
                await self._call("POST", TITULOS, params, endpoint="titulos", idempotent=True), "titulos"
            )
            page = [t for t in (body.get("titulos") or []) if isinstance(t, dict)]
            raw.extend(page)
            paging = body.get("paginacao") if isinstance(body.get("paginacao"), dict) else {}
            total = parse_int(paging.get("total")) if paging else None
            if total is None:
                logger.warning("sgp titulos without paginacao.total", extra={"contract_id": contract_id})
                break
            if not page or len(raw) >= total:
                break
            offset += len(page)
        invoices = [
            inv
            for item in raw
            if fold(clean_str(item.get("status"))) in ("aberto", "")
            and str(parse_int(item.get("clienteContrato")) or contract) == str(contract)
            and (inv := self._invoice(item, contract_id)) is not None
        ]
        if any(i.digitable_line is None or i.pix_copy_paste is None for i in invoices):
            invoices = await self._fill_codes(contract, invoices)
        return sorted(invoices, key=lambda i: i.original_due_date or i.due_date)

    @staticmethod
    def _invoice(item: Mapping[str, Any], contract_id: str) -> Invoice | None:
        due = parse_date(item.get("dataVencimento"))
        amount = parse_decimal(item.get("valor"))
        invoice_id = parse_int(item.get("id"))
        if due is None or amount is None or invoice_id is None:
            logger.warning("sgp titulo skipped: missing id/date/amount", extra={"contract_id": contract_id})
            return None
        return Invoice(
            invoice_id=str(invoice_id),
            contract_id=contract_id,
            due_date=due,
            amount=amount,
            updated_amount=parse_decimal(item.get("valorCorrigido")),
            boleto_url=clean_str(item.get("link")),
            payment_page_url=clean_str(item.get("link_cobranca")),
            digitable_line=clean_str(item.get("linhaDigitavel")),
            barcode=clean_str(item.get("codigoBarras")),
            pix_copy_paste=clean_str(item.get("codigoPix")),
        )

    async def _fill_codes(self, contract: int, invoices: list[Invoice]) -> list[Invoice]:
        """Reference §4.2: empty codes on a genuinely open bill; fall back to fatura2via, then PIX."""
        by_id: dict[str, dict[str, Any]] = {}
        try:
            body = self._object(
                await self._call(
                    "POST",
                    FATURA_2VIA,
                    {"contrato": contract, "nao_gerar_os": 1, "faturas_abertas_todas": 1},
                    endpoint="fatura2via",
                    idempotent=True,  # nao_gerar_os=1 makes it a pure read
                ),
                "fatura2via",
            )
            for link in body.get("links") or []:
                if isinstance(link, dict):
                    by_id[str(parse_int(link.get("fatura") or link.get("id")))] = link
        except SgpUnavailable as exc:
            logger.warning("sgp fatura2via fallback failed", extra={"error_type": type(exc).__name__})
        filled: list[Invoice] = []
        for invoice in invoices:
            link = by_id.get(invoice.invoice_id)
            update: dict[str, Any] = {}
            if link is not None and invoice.digitable_line is None and clean_str(link.get("linhadigitavel")):
                # The re-issued line encodes the new due date and value; keep them together.
                update.update(
                    digitable_line=clean_str(link.get("linhadigitavel")),
                    due_date=parse_date(link.get("vencimento")) or invoice.due_date,
                    original_due_date=parse_date(link.get("vencimento_original")) or invoice.due_date,
                    updated_amount=parse_decimal(link.get("valor")) or invoice.updated_amount,
                )
            if invoice.pix_copy_paste is None and link is not None and clean_str(link.get("codigopix")):
                update["pix_copy_paste"] = clean_str(link.get("codigopix"))
            invoice = invoice.model_copy(update=update) if update else invoice
            if invoice.pix_copy_paste is None:
                try:
                    pix = await self.get_pix(invoice.contract_id, invoice.invoice_id)
                except (SgpUnavailable, BillingNotFound) as exc:
                    logger.warning("sgp pix fallback failed", extra={"error_type": type(exc).__name__})
                    pix = None
                if pix:
                    invoice = invoice.model_copy(update={"pix_copy_paste": pix})
            filled.append(invoice)
        return filled

    @_unreadable_is_unavailable
    async def get_pix(self, contract_id: str, invoice_id: str) -> str | None:
        """pagamento/pix/{fatura}: read ``pix``, then ``codigoPix``, then ``codigo``."""
        contract, invoice = parse_int(contract_id), parse_int(invoice_id)
        if contract is None or invoice is None:
            raise InvoiceNotFound(invoice_id)
        body = self._object(
            await self._call(
                "POST",
                PAGAMENTO_PIX.format(invoice_id=invoice),
                {"contrato": contract},
                endpoint="pagamento_pix",
                idempotent=True,  # returns the existing charge for the bill
            ),
            "pagamento_pix",
        )
        if parse_int(body.get("status")) != 1:
            raise InvoiceNotFound(f"{invoice_id}: {clean_str(body.get('msg')) or 'no PIX'}")
        return clean_str(body.get("pix")) or clean_str(body.get("codigoPix")) or clean_str(body.get("codigo"))

    # ---- campaign audiences ---------------------------------------------------------------------
    @_unreadable_is_unavailable
    async def list_due_invoices(self, due_in_days: int, limit: int, offset: int = 0) -> DueInvoicePage:
        """Open bills due exactly ``due_in_days`` from today (negative: days ago), with payer and mobile.

        titulos (abertos, ``data_vencimento_inicio`` = ``_fim`` = that day) pages the bills from
        ``offset``; clientes (same window, 100 a page) is scanned until every payer on this page is
        found, for names, mobiles and proof of each contract's complete open list.
        """
        if abs(due_in_days) > MAX_DUE_IN_DAYS or not 1 <= limit <= MAX_AUDIENCE_PAGE or offset < 0:
            raise InvalidQuery(f"bad audience query: due_in_days={due_in_days} limit={limit} offset={offset}")
        day = self._clock().date() + timedelta(days=due_in_days)
        window = {"data_vencimento_inicio": day.isoformat(), "data_vencimento_fim": day.isoformat()}
        raw, total = await self._due_titles(window, day, limit=limit, offset=offset)
        bills: list[tuple[Invoice, str | None]] = []
        for item in raw:
            contract = parse_int(item.get("clienteContrato"))
            if contract is None or fold(clean_str(item.get("status"))) not in ("aberto", ""):
                continue
            invoice = self._invoice(item, str(contract))
            if invoice is not None:
                bills.append((invoice, clean_str(item.get("clienteNome"))))
        found = await self._payers(window, day, {invoice.contract_id for invoice, _ in bills})
        by_contract: dict[str, list[Invoice]] = {}
        for invoice, _ in bills:
            by_contract.setdefault(invoice.contract_id, []).append(invoice)
        items: list[DueInvoice] = []
        for invoice, name in bills:
            payer = found.get(invoice.contract_id)
            items.append(
                DueInvoice(
                    customer_name=name or (payer.name if payer else None) or "",
                    phone=payer.phone if payer else None,
                    invoice=invoice,
                    contract_open_invoices=sgp_audience.complete_open_list(
                        invoice.contract_id, by_contract[invoice.contract_id], payer
                    ),
                )
            )
        missing = sum(1 for i in items if i.phone is None)
        logger.info(
            "sgp audience page",
            extra={
                "due_date": day.isoformat(),
                "offset": offset,
                "items": len(items),
                "total": total,
                "without_mobile": missing,
            },
        )
        return DueInvoicePage(items=tuple(items), total=total, offset=offset, limit=limit)

    async def _due_titles(
        self, window: Mapping[str, str], day: date, *, limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        """Raw open titles of the window from ``offset`` (at most ``limit``) and the window's total."""
        raw: list[dict[str, Any]] = []
        total: int | None = None
        while len(raw) < limit and (total is None or offset + len(raw) < total):
            params = {
                "status": "abertos",
                **window,
                "ordenar": "data_vencimento",
                "ordenar_ordem": "asc",
                "offset": offset + len(raw),
                "limit": min(_TITULOS_PAGE, limit - len(raw)),
            }
            body = self._object(
                await self._call("POST", TITULOS, params, endpoint="titulos", idempotent=True), "titulos"
            )
            page = [t for t in (body.get("titulos") or []) if isinstance(t, dict)]
            paging = body.get("paginacao")
            total = parse_int(paging.get("total")) if isinstance(paging, dict) else None
            if total is None:
                # Reference §6.11: without a total the read is incomplete, and so would be the audience.
                raise SgpBadResponse("SGP titulos: no paginacao.total for an audience page")
            if any((due := parse_date(t.get("dataVencimento"))) is not None and due != day for t in page):
                # An installation that ignores the window would page the whole base as "due".
                raise SgpProtocolError("SGP titulos ignored data_vencimento_inicio/_fim")
            if not page:
                break
            raw.extend(page)
        return raw[:limit], total or 0

    async def _payers(self, window: Mapping[str, str], day: date, contracts: set[str]) -> dict[str, sgp_audience.Payer]:
        """Scan clientes of the window until every contract in ``contracts`` has its payer."""
        found: dict[str, sgp_audience.Payer] = {}
        offset = 0
        for _ in range(_MAX_CLIENTES_PAGES):
            if contracts <= found.keys():
                return found
            params = {"status": "aberto", **window, "offset": offset, "limit": _CLIENTES_PAGE}
            body = self._object(
                await self._call("POST", CLIENTES, params, endpoint="clientes", idempotent=True), "clientes"
            )
            found.update(sgp_audience.payers(body, day))
            page = body.get("clientes")
            count = len(page) if isinstance(page, list) else 0
            paging = body.get("paginacao")
            total = parse_int(paging.get("total")) if isinstance(paging, dict) else None
            offset += count
            if count == 0 or total is None or offset >= total:
                break
        else:
            logger.warning("sgp clientes scan stopped at its page cap", extra={"pages": _MAX_CLIENTES_PAGES})
        if not contracts <= found.keys():
            logger.warning("sgp audience payers not found", extra={"count": len(contracts - found.keys())})
        return found

    # ---- payment promise ------------------------------------------------------------------------
    @_unreadable_is_unavailable
    async def request_payment_promise(self, contract_id: str) -> PaymentPromiseResult:
        """liberacaopromessa: 1 granted, 2 quota, 0 nothing to unlock / not eligible / error."""
        contract = parse_int(contract_id)
        if contract is None:
            raise ContractNotFound(contract_id)
        params: dict[str, Any] = {"contrato": contract}
        if self._promise_send_sms:
            params["enviar_sms"] = 1
        body = self._object(
            await self._call("POST", LIBERACAO_PROMESSA, params, endpoint="liberacaopromessa", idempotent=False),
            "liberacaopromessa",
        )
        return self._promise_result(contract_id, body, today=self._clock().date())

    @staticmethod
    def _promise_result(contract_id: str, body: Mapping[str, Any], *, today: date) -> PaymentPromiseResult:
        status = parse_int(body.get("status"))
        granted = parse_bool(body.get("liberado"))
        message = clean_str(body.get("msg"))
        if granted and status in (1, None):
            days = parse_int(body.get("liberado_dias"))
            until = parse_date(body.get("data_promessa"))
            if until is None and days is not None:
                until = today + timedelta(days=days)
            # The success msg carries the PPPoE login: never pass it on.
            return PaymentPromiseResult(
                contract_id=contract_id,
                outcome=PromiseOutcome.GRANTED,
                days=days,
                until=until,
                protocol=clean_str(body.get("protocolo")),
            )
        folded = fold(message)
        if status == 2:
            outcome = PromiseOutcome.QUOTA
        elif "nao encontrad" in folded:
            raise ContractNotFound(contract_id)
        elif "precisa estar" in folded or "nao permitid" in folded:
            outcome = PromiseOutcome.NOT_ELIGIBLE
        elif status == 0 and not message:
            outcome = PromiseOutcome.NOT_BLOCKED
        else:
            outcome = PromiseOutcome.ERROR
        return PaymentPromiseResult(
            contract_id=contract_id,
            outcome=outcome,
            protocol=clean_str(body.get("protocolo")),
            message=message,
        )

    # ---- connection and outages -----------------------------------------------------------------
    @_unreadable_is_unavailable
    async def connection_status(self, contract_id: str) -> ConnectionStatus:
        """verificaacesso; a contract it will not check without ``status_all`` is blocked."""
        contract = parse_int(contract_id)
        if contract is None:
            raise ContractNotFound(contract_id)
        body = self._object(
            await self._call(
                "POST", VERIFICA_ACESSO, {"contrato": contract}, endpoint="verificaacesso", idempotent=True
            ),
            "verificaacesso",
        )
        state = _access_state(body)
        if state is None:
            # Status 0: either unknown contract or one outside active/reduced (suspended).
            body = self._object(
                await self._call(
                    "POST",
                    VERIFICA_ACESSO,
                    {"contrato": contract, "status_all": 1},
                    endpoint="verificaacesso",
                    idempotent=True,
                ),
                "verificaacesso",
            )
            if _access_state(body) is None:
                raise ContractNotFound(contract_id)
            state = ConnectionState.BLOCKED
        return ConnectionStatus(contract_id=contract_id, state=state, protocol=clean_str(body.get("protocolo")))

    async def active_outages(self, pop_id: str | None = None) -> Sequence[Outage]:
        """manutencao/list, keeping entries active now (and covering ``pop_id`` when given)."""
        now = self._clock()
        outages = await self.list_outages()
        return [o for o in outages if o.is_active(now) and (pop_id is None or o.affects(pop_id))]

    @_unreadable_is_unavailable
    async def list_outages(self) -> Sequence[Outage]:
        """Every maintenance window SGP lists, active or not."""
        body = await self._call("GET", MANUTENCAO_LIST, {}, endpoint="manutencao_list", idempotent=True)
        if isinstance(body, dict):
            body = body.get("manutencoes") or body.get("results") or []
        outages = []
        for item in body if isinstance(body, list) else []:
            if not isinstance(item, dict) or parse_int(item.get("id")) is None:
                continue
            title = clean_str(item.get("descricao")) or ""
            raw_pops = item.get("pops")
            pops: list[Any] = raw_pops if isinstance(raw_pops, list) else []
            outages.append(
                Outage(
                    outage_id=str(parse_int(item.get("id"))),
                    title=title,
                    customer_message=clean_str(item.get("mensagem_ura"))
                    or clean_str(item.get("mensagem_central"))
                    or title,
                    starts_at=parse_datetime(item.get("data_inicial")),
                    ends_at=parse_datetime(item.get("data_final")),
                    severity=parse_int(item.get("severidade")) or 0,
                    active_flag=parse_bool(item.get("ativa")),
                    pop_ids=tuple(
                        str(parse_int(p.get("id")))
                        for p in pops
                        if isinstance(p, dict) and parse_int(p.get("id")) is not None
                    ),
                )
            )
        return outages

    # ---- tickets --------------------------------------------------------------------------------
    @_unreadable_is_unavailable
    async def open_ticket(self, contract_id: str, ticket: TicketRequest) -> TicketReceipt:
        """chamado (JSON, for the classification array); never retried."""
        contract = parse_int(contract_id)
        if contract is None:
            raise ContractNotFound(contract_id)
        payload: dict[str, Any] = {
            "contrato": contract,
            "conteudo": ticket.text,
            "conteudolimpo": 1,
            "ocorrenciatipo": ticket.type_code or self._ticket_type,
            "metodo": self._ticket_method,
            "desativa_os": 0 if ticket.create_work_order else 1,
        }
        if ticket.classification_ids:
            payload["tipoclassificacoes"] = list(ticket.classification_ids)
        if ticket.contact_name:
            payload["contato_nome"] = ticket.contact_name
        if ticket.contact_phone:
            payload["contato_telefone"] = ticket.contact_phone
        body = self._object(
            await self._call("POST", CHAMADO, payload, endpoint="chamado", idempotent=False, as_json=True),
            "chamado",
        )
        message = clean_str(body.get("msg"))
        if parse_int(body.get("status")) != 1:
            if "nao encontrad" in fold(message):
                raise ContractNotFound(contract_id)
            raise SgpProtocolError(f"SGP chamado refused: {message}")
        protocol = _protocol(body)
        if protocol is None:
            raise SgpBadResponse("SGP chamado: status 1 without a protocol")
        return TicketReceipt(contract_id=contract_id, protocol=protocol)


def _protocol(body: Mapping[str, Any]) -> str | None:
    """Some builds answer ``numero``/``os_protocolo`` or wrap the O.S. in a list."""
    for key in ("protocolo", "numero", "os_protocolo"):
        value = body.get(key)
        if isinstance(value, list) and value and isinstance(value[0], dict):
            value = value[0].get("protocolo") or value[0].get("numero")
        text = clean_str(value)
        if text:
            return text
    return None


def _contacts(value: Any) -> tuple[str, ...]:
    """Phones/e-mails come as plain strings (old builds) or ``{"contato": ...}`` objects."""
    out: list[str] = []
    for item in value if isinstance(value, list) else []:
        text = clean_str(item.get("contato")) if isinstance(item, dict) else clean_str(item)
        if text:
            out.append(text)
    return tuple(out)


def _access_state(body: Mapping[str, Any]) -> ConnectionState | None:
    """verificaacesso: 1 online / 2 offline in ``status`` (or the 2020 ``staus`` typo) plus ``msg``."""
    status = parse_int(body.get("status"))
    code = status if status in (1, 2) else parse_int(body.get("staus"))
    message = fold(clean_str(body.get("msg")))
    says = "online" if "online" in message else "offline" if "offline" in message else None
    if code in (1, 2):
        state = ConnectionState.ONLINE if code == 1 else ConnectionState.OFFLINE
        if says is not None and says != state.value:
            return ConnectionState.UNKNOWN  # the number and the text disagree
        return state
    if says is not None:
        return ConnectionState(says)
    return None
