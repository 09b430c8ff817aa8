"""Graph API error codes → what the sender does about them (reference §5.3). Branch on `code` only:
titles vary and `error_subcode` is deprecated.
"""

from __future__ import annotations

from enum import StrEnum

THROUGHPUT = 130429
PAIR_RATE = 131056
REENGAGEMENT = 131047
TOKEN_EXPIRED = 190
MAINTENANCE = 131057


class ErrorClass(StrEnum):
    """How to react to one Graph error."""

    THROTTLED = "throttled"  # number throughput reached: back off with jitter, requeue
    PAIR_RATE = "pair_rate"  # same recipient too fast: wait 4^n seconds, that recipient only
    TRANSIENT = "transient"  # Meta-side trouble: exponential backoff, capped
    REENGAGEMENT = "reengagement"  # 24-hour window closed: send the fallback template instead
    TOKEN = "token"  # noqa: S105 - access token expired or invalid: alert, stop until it is rotated
    PERMANENT = "permanent"  # our payload, the user or the account: report, never retry


_CLASSES: dict[int, ErrorClass] = {
    THROUGHPUT: ErrorClass.THROTTLED,
    4: ErrorClass.THROTTLED,  # app call-rate limit
    80007: ErrorClass.THROTTLED,  # WABA call-rate limit
    PAIR_RATE: ErrorClass.PAIR_RATE,
    1: ErrorClass.TRANSIENT,
    2: ErrorClass.TRANSIENT,
    131000: ErrorClass.TRANSIENT,
    131016: ErrorClass.TRANSIENT,
    133004: ErrorClass.TRANSIENT,
    MAINTENANCE: ErrorClass.TRANSIENT,
    REENGAGEMENT: ErrorClass.REENGAGEMENT,
    TOKEN_EXPIRED: ErrorClass.TOKEN,
}


def classify(code: int, *, http_status: int = 0) -> ErrorClass:
    """The class of Graph error `code`; an unknown code on a 5xx answer counts as transient."""
    known = _CLASSES.get(code)
    if known is not None:
        return known
    if http_status >= 500:
        return ErrorClass.TRANSIENT
    return ErrorClass.PERMANENT


def retry_delay(error: ErrorClass, *, attempt: int, initial: float, maximum: float) -> float:
    """Seconds to wait before retry `attempt` (1-based), before jitter.

    Pair rate follows Meta's advice of 4^n seconds (1, 4, 16…); the others double from `initial`;
    a number in maintenance (131057) is handled as transient and capped like it.
    """
    if error is ErrorClass.PAIR_RATE:
        return float(min(4 ** (attempt - 1), maximum))
    return float(min(initial * 2 ** (attempt - 1), maximum))
