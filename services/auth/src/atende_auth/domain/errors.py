"""The refusals of the auth service, each with a stable `code` the API answers with.

AuthError                 a refused request (its `code` picks the HTTP status at the edge)
└── RetryLater            locked out or rate limited: carries `retry_after_s`
"""

from __future__ import annotations


class AuthError(Exception):
    """A refused auth request; `code` is part of the API contract."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class RetryLater(AuthError):
    """Refused for now: come back after `retry_after_s` seconds."""

    def __init__(self, code: str, detail: str, *, retry_after_s: int) -> None:
        super().__init__(code, detail)
        self.retry_after_s = max(1, retry_after_s)


INVALID_CREDENTIALS = "invalid_credentials"
OTP_REQUIRED = "otp_required"
OTP_INVALID = "otp_invalid"
IP_NOT_ALLOWED = "ip_not_allowed"
LOCKED = "locked"
RATE_LIMITED = "rate_limited"
INVALID_REFRESH = "invalid_refresh"
INVALID_TOKEN = "invalid_token"  # noqa: S105 - an error code, not a credential
FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
USERNAME_TAKEN = "username_taken"
WEAK_PASSWORD = "weak_password"  # noqa: S105 - an error code, not a credential
TWO_FACTOR_MANDATORY = "two_factor_mandatory"
TWO_FACTOR_NOT_ENABLED = "two_factor_not_enabled"
TWO_FACTOR_ALREADY_ENABLED = "two_factor_already_enabled"
NO_PENDING_ENROLMENT = "no_pending_enrolment"
