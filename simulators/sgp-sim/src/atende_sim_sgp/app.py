"""FastAPI application of the SGP simulator: URA routes, bill PDFs and ``/_sim`` admin routes."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, JSONResponse, Response

from atende_core.documents import document_key
from atende_sim_sgp import ura
from atende_sim_sgp.base import DEMO_CUSTOMERS, ISP_NAME, SgpBase
from atende_sim_sgp.docs import format_document
from atende_sim_sgp.faults import FaultMiddleware, FaultsPatch, SimState
from atende_sim_sgp.pdf import render_text_pdf
from atende_sim_sgp.settings import SimSettings

logger = logging.getLogger(__name__)

NOT_PROVIDED = "As credenciais de autenticação não foram fornecidas."
INCORRECT = "Credenciais de autenticação incorretas."
DJANGO_404 = (
    '<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n'
    "  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n"
)
_HIDDEN_PARAMS = {"token", "app", "senha"}

Handler = Callable[[SgpBase, dict[str, Any], ura.Ctx], tuple[int, Any]]


class _BadBodyError(Exception):
    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


async def _read_params(request: Request) -> tuple[dict[str, Any], bool]:
    """Merge the query string (GET only) and the body (JSON or form-urlencoded) like DRF does."""
    params: dict[str, Any] = dict(request.query_params) if request.method == "GET" else {}
    raw = await request.body()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    form = False
    if raw:
        if content_type == "application/json":
            try:
                data = json.loads(raw)
            except ValueError as exc:
                raise _BadBodyError(400, f"JSON parse error - {exc}") from exc
            if not isinstance(data, dict):
                raise _BadBodyError(400, "JSON parse error - expected an object")
            params.update(data)
        elif content_type in ("application/x-www-form-urlencoded", ""):
            params.update(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
            form = True
        else:
            raise _BadBodyError(415, f'Tipo de mídia "{content_type}" não suportado na requisição.')
    return params, form


def create_app(settings: SimSettings | None = None, *, clock: Callable[[], datetime] | None = None) -> FastAPI:
    """Build the simulator app; ``clock`` overrides "now" (tests pin it)."""
    settings = settings or SimSettings()
    now_fn = clock or datetime.now
    state = SimState(seed=settings.sgp_sim_seed, timeout_hold_s=settings.sgp_sim_timeout_hold_s)

    def build_base(seed: int) -> SgpBase:
        now = now_fn()
        today = settings.sgp_sim_today or now.date()
        return SgpBase(seed=seed, customers=settings.sgp_sim_customers, today=today, now=now)

    holder: dict[str, SgpBase] = {"base": build_base(settings.sgp_sim_seed)}
    app = FastAPI(title="SGP simulator", docs_url="/_sim/docs", openapi_url="/_sim/openapi.json")
    app.router.redirect_slashes = False
    app.state.sim = state
    app.state.settings = settings

    def public_url(request: Request) -> str:
        return (settings.sgp_sim_public_url or str(request.base_url)).rstrip("/")

    def authenticate(params: dict[str, Any]) -> str | None:
        token, app_name = params.get("token"), params.get("app")
        if not token or not app_name:
            return NOT_PROVIDED
        if str(token) != settings.sgp_token.get_secret_value() or str(app_name) != settings.sgp_app:
            return INCORRECT  # the app name is compared case-sensitively, like SGP
        return None

    def endpoint(handler: Handler | None, allow: str) -> Callable[[Request], Awaitable[Response]]:
        async def run(request: Request) -> Response:
            headers = {"Allow": allow, "Vary": "Accept"}
            safe: dict[str, Any] = {}
            try:
                params, form = await _read_params(request)
                safe = {k: v for k, v in params.items() if k not in _HIDDEN_PARAMS}
                problem = authenticate(params)
                if problem is not None:
                    status_code, body = 403, {"detail": problem}
                else:
                    ctx = ura.Ctx(
                        now=now_fn(),
                        public_url=public_url(request),
                        form_encoded=form,
                        promise_days=settings.sgp_sim_promise_days,
                        promise_limit=settings.sgp_sim_promise_limit_per_month,
                    )
                    fatura = request.path_params.get("fatura")
                    if fatura is not None:
                        status_code, body = ura.pagamento_pix(holder["base"], params, ctx, fatura)
                    else:
                        assert handler is not None
                        status_code, body = handler(holder["base"], params, ctx)
            except _BadBodyError as exc:
                status_code, body = exc.status_code, {"detail": exc.detail}
            state.record(method=request.method, path=request.url.path, status_code=status_code, params=safe)
            return JSONResponse(body, status_code=status_code, headers=headers)

        return run

    def route(path: str, handler: Handler | None, method: str) -> None:
        allow = f"{method}, OPTIONS"
        run = endpoint(handler, allow)
        for variant in {path, path.rstrip("/")}:  # SGP also answers without the trailing slash
            app.add_api_route(variant, run, methods=[method], include_in_schema=False)

    route("/api/ura/consultacliente/", ura.consultacliente, "POST")
    route("/api/ura/titulos/", ura.titulos, "POST")
    route("/api/ura/clientes/", ura.clientes, "POST")
    route("/api/ura/fatura2via/", ura.fatura2via, "POST")
    route("/api/ura/pagamento/pix/{fatura}", None, "POST")
    route("/api/ura/liberacaopromessa/", ura.liberacaopromessa, "POST")
    route("/api/ura/verificaacesso/", ura.verificaacesso, "POST")
    route("/api/ura/chamado/", ura.chamado, "POST")
    route("/api/ura/manutencao/list/", ura.manutencao_list, "GET")

    @app.get("/boleto/{ref}/", include_in_schema=False)
    async def boleto(ref: str, request: Request) -> Response:
        base = holder["base"]
        invoice_id, _, token = ref.partition("-")
        invoice = base.invoice(int(invoice_id)) if invoice_id.isdigit() else None
        if invoice is None or invoice.token != token:
            state.record(method="GET", path=request.url.path, status_code=404)
            return HTMLResponse(DJANGO_404, status_code=404)
        contract = base.contracts[invoice.contract_id]
        customer = base.customers[contract.customer_id]
        _, line = invoice.codes
        pdf = render_text_pdf(
            [
                f"Beneficiário: {ISP_NAME}",
                f"Pagador: {customer.name} - {format_document(customer.document)}",
                f"Contrato: {contract.id}   Fatura: {invoice.id}",
                f"Vencimento: {invoice.due.strftime('%d/%m/%Y')}",
                f"Valor: R$ {invoice.amount_cents / 100:.2f}".replace(".", ","),
                f"Linha digitável: {line}",
                f"Situação: {invoice.status}",
            ],
            title="Boleto bancário - 2a via",
        )
        state.record(method="GET", path=request.url.path, status_code=200)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="boleto-{invoice.id}.pdf"'},
        )

    @app.get("/public/cobranca/{token}/", include_in_schema=False)
    async def cobranca(token: str) -> Response:
        return HTMLResponse(f"<html><body><h1>Pagamento</h1><p>Cobrança {token}</p></body></html>")

    # ---- admin --------------------------------------------------------------------------------
    @app.post("/_sim/faults")
    async def set_faults(patch: FaultsPatch) -> dict[str, Any]:
        """Change latency, error rate or failure mode (omitted fields are kept)."""
        state.faults = state.faults.model_copy(update=patch.model_dump(exclude_none=True))
        logger.info("faults changed", extra={"faults": state.faults.model_dump()})
        return state.faults.model_dump()

    @app.get("/_sim/faults")
    async def get_faults() -> dict[str, Any]:
        """Current fault configuration."""
        return state.faults.model_dump()

    @app.get("/_sim/requests")
    async def get_requests(path: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        """Recorded requests, newest last (token and app never recorded)."""
        items = [r for r in state.records if path is None or path in r["path"]]
        return items[-limit:]

    @app.post("/_sim/reset")
    async def reset(seed: int | None = None) -> dict[str, Any]:
        """Rebuild the base from the seed, clear faults and the request log."""
        state.faults = state.faults.model_copy(update={"latency_ms": 0, "error_rate": 0.0, "mode": "ok"})
        state.records.clear()
        holder["base"] = build_base(seed if seed is not None else settings.sgp_sim_seed)
        return {"customers": len(holder["base"].customers), "contracts": len(holder["base"].contracts)}

    @app.get("/_sim/demo")
    async def demo() -> list[dict[str, Any]]:
        """The demo customers and their contracts."""
        base = holder["base"]
        out = []
        for item in DEMO_CUSTOMERS:
            customer = base.by_document[document_key(item.cpf)]
            out.append(
                {"cpf": item.cpf, "name": customer.name, "scenario": item.scenario, "contracts": customer.contract_ids}
            )
        return out

    @app.get("/_sim/contracts/{contract_id}")
    async def contract_state(contract_id: int) -> Response:
        """Internal state of one contract (status, promises, tickets)."""
        data = ura.contract_state(holder["base"], contract_id)
        if data is None:
            return JSONResponse({"detail": "not found"}, status_code=404)
        return JSONResponse(data)

    @app.get("/_sim/healthz")
    async def healthz() -> dict[str, Any]:
        """Liveness plus the base's size and "today"."""
        base = holder["base"]
        return {"ok": True, "customers": len(base.customers), "today": date.isoformat(base.today)}

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            state.record(method=request.method, path=request.url.path, status_code=404)
            return HTMLResponse(DJANGO_404, status_code=404)
        if exc.status_code == 405:
            return JSONResponse({"detail": f'Método "{request.method}" não é permitido.'}, status_code=405)
        return JSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code)

    app.add_middleware(FaultMiddleware, state=state)
    return app
