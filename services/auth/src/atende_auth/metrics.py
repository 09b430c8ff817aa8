"""The auth service's Prometheus metrics."""

from __future__ import annotations

from prometheus_client import Counter

LOGINS = Counter(
    "atende_auth_logins_total",
    "Login attempts by outcome (success, invalid_credentials, otp_required, otp_invalid, locked, "
    "rate_limited, ip_not_allowed, enrolment_required).",
    ["outcome"],
)
LOCKOUTS = Counter("atende_auth_lockouts_total", "Locks imposed after repeated failures, by scope.", ["scope"])
REFRESHES = Counter("atende_auth_refreshes_total", "Refresh attempts by outcome.", ["outcome"])
REFRESH_REUSE = Counter("atende_auth_refresh_reuse_total", "Retired refresh tokens presented (family revoked).")
RATE_LIMITED = Counter("atende_auth_rate_limited_total", "Requests refused by a rate limit, by rule.", ["rule"])
SESSIONS_REVOKED = Counter("atende_auth_sessions_revoked_total", "Sessions revoked, by reason.", ["reason"])
KEY_ROTATIONS = Counter("atende_auth_key_rotations_total", "Signing keys created.")
TWO_FACTOR = Counter("atende_auth_two_factor_total", "Second-factor changes, by action.", ["action"])
SECURITY_EVENTS = Counter("atende_auth_security_events_total", "Security events published, by kind.", ["kind"])
SECURITY_EVENTS_FAILED = Counter(
    "atende_auth_security_events_failed_total", "Security events that could not be published, by kind.", ["kind"]
)
AUDIT_ENTRIES_FAILED = Counter(
    "atende_auth_audit_entries_failed_total",
    "Audit entries of auth's own changes not published, by action.",
    ["action"],
)
REDIS_UNAVAILABLE = Counter(
    "atende_auth_redis_unavailable_total",
    "Lockout or revocation steps skipped because Redis failed, by step.",
    ["action"],
)
