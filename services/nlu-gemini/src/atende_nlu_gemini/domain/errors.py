"""Errors the NLU use cases understand.

LlmError                 the LLM gave no usable answer; the caller falls back to the local model
├── LlmTimeoutError           no answer within the per-call timeout or the total budget
├── LlmThrottledError         429 / RESOURCE_EXHAUSTED after the retries the budget allowed
├── LlmServerError       5xx or a broken connection, after retries
├── LlmClientError       other 4xx (bad key, bad request): not retried
├── LlmMalformedError         not JSON, or JSON outside the response schema
└── LlmCircuitOpenError       the circuit breaker is open: not even tried
"""

from __future__ import annotations


class LlmError(Exception):
    """Base class; ``kind`` is the metric/log label."""

    kind = "error"


class LlmTimeoutError(LlmError):
    """No answer in time."""

    kind = "timeout"


class LlmThrottledError(LlmError):
    """Rate limited."""

    kind = "throttled"


class LlmServerError(LlmError):
    """Server-side or transport failure."""

    kind = "server_error"


class LlmClientError(LlmError):
    """Request rejected (4xx other than 429)."""

    kind = "client_error"


class LlmMalformedError(LlmError):
    """Answer is not valid JSON in our schema."""

    kind = "malformed"


class LlmCircuitOpenError(LlmError):
    """Breaker open."""

    kind = "circuit_open"
