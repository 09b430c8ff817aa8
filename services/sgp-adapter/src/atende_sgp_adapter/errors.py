"""Exceptions raised through the ``IspBillingSystem`` port.

Use cases translate them once into outcomes (``Unavailable`` / ``NotFound``)::

    BillingError                      any failure talking to the ISP billing system
    ├── BillingUnavailable            cannot answer now; answer "unavailable" fast, retry later
    │   └── SgpUnavailable            SGP flavour
    │       ├── SgpTimeout            connect/read timeout
    │       ├── SgpConnectError       refused / DNS / TLS / reset
    │       ├── SgpServerError        5xx or a proxy error page
    │       ├── SgpBadResponse        HTTP 200 whose body is not the JSON object expected
    │       └── SgpCircuitOpen        the breaker is open: SGP was not called
    ├── BillingMisconfigured          operators must act; retrying will not help
    │   ├── SgpAuthError              HTTP 403 {"detail": ...}: wrong token or app (case-sensitive)
    │   ├── SgpEndpointMissing        HTTP 404 HTML / 405: module not exposed on this installation
    │   └── SgpProtocolError          HTTP 400/415, or a status-0 answer we cannot act on
    └── BillingNotFound               the thing asked for does not exist
        ├── ContractNotFound
        └── InvoiceNotFound
"""

from __future__ import annotations


class BillingError(Exception):
    """Root of every error raised by an ``IspBillingSystem``."""


class BillingUnavailable(BillingError):
    """The billing system cannot answer now (transient)."""


class BillingMisconfigured(BillingError):
    """Credentials, permissions or endpoints are wrong; an operator must act."""


class BillingNotFound(BillingError):
    """The requested contract or invoice does not exist."""


class ContractNotFound(BillingNotFound):
    """No contract with that id."""


class InvoiceNotFound(BillingNotFound):
    """No open invoice with that id on that contract."""


class SgpUnavailable(BillingUnavailable):
    """SGP is down, slow, misbehaving, or the circuit breaker is open."""


class SgpTimeout(SgpUnavailable):
    """SGP did not answer within the configured timeout."""


class SgpConnectError(SgpUnavailable):
    """The connection to SGP failed."""


class SgpServerError(SgpUnavailable):
    """SGP (or its proxy) answered 5xx."""

    def __init__(self, message: str, *, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


class SgpBadResponse(SgpUnavailable):
    """SGP answered 200 with a body that is not the expected JSON (login page, empty, string)."""


class SgpCircuitOpen(SgpUnavailable):
    """The circuit breaker is open; SGP was not called."""


class SgpAuthError(BillingMisconfigured):
    """SGP refused the token/app pair (HTTP 403)."""


class SgpEndpointMissing(BillingMisconfigured):
    """The route is not exposed by this SGP installation (HTTP 404 HTML or 405)."""


class SgpProtocolError(BillingMisconfigured):
    """SGP rejected the request's shape, or answered in a shape the adapter does not understand."""


class InvalidQuery(ValueError):
    """The caller asked for something no billing system serves (a programming error, not SGP failing)."""
