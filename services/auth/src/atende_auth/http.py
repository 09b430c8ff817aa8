"""HTTP edges shared by the auth routes: error answers, security headers, the caller's address."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from atende_auth.domain import errors as e
from atende_auth.domain.network import Network, client_address
from atende_auth.use_cases.context import Caller

STATUS = {
    e.INVALID_CREDENTIALS: 401,
    e.OTP_REQUIRED: 401,
    e.OTP_INVALID: 401,
    e.INVALID_REFRESH: 401,
    e.INVALID_TOKEN: 401,
    e.IP_NOT_ALLOWED: 403,
    e.FORBIDDEN: 403,
    e.TWO_FACTOR_MANDATORY: 403,
    e.NOT_FOUND: 404,
    e.USERNAME_TAKEN: 409,
    e.TWO_FACTOR_ALREADY_ENABLED: 409,
    e.TWO_FACTOR_NOT_ENABLED: 409,
    e.NO_PENDING_ENROLMENT: 409,
    e.WEAK_PASSWORD: 422,
    e.LOCKED: 423,
    e.RATE_LIMITED: 429,
}
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def install(app: FastAPI) -> None:
    """Answer AuthError with its status and code, and add security headers to every answer."""

    @app.exception_handler(e.AuthError)
    async def auth_error(_: Request, exc: e.AuthError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if STATUS.get(exc.code, 400) == 401 else {}
        if isinstance(exc, e.RetryLater):
            headers["Retry-After"] = str(exc.retry_after_s)
        return JSONResponse({"detail": exc.detail, "code": exc.code}, STATUS.get(exc.code, 400), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_body(_: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's default echoes the offending input: never send a password or token back.
        errors = [
            {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
            for err in exc.errors()
        ]
        return JSONResponse({"detail": errors, "code": "invalid_request"}, 422)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def caller_of(trusted_proxies: Sequence[Network]) -> Callable[[Request], Caller]:
    """A dependency giving the request's caller, X-Forwarded-For believed only from trusted proxies."""

    def caller(request: Request) -> Caller:
        peer = request.client.host if request.client else ""
        ip = client_address(peer, request.headers.getlist("x-forwarded-for"), trusted_proxies)
        return Caller(ip=ip, user_agent=request.headers.get("user-agent", "")[:256])

    return caller
