"""Behaviours the simulator can be switched into."""

from __future__ import annotations

from enum import StrEnum


class Mode(StrEnum):
    """How the next requests are answered."""

    NORMAL = "normal"
    SLOW = "slow"  # answers correctly after `delay_s`
    THROTTLED = "throttled"  # 429 RESOURCE_EXHAUSTED
    SERVER_ERROR = "server_error"  # 500 INTERNAL
    UNAVAILABLE = "unavailable"  # 503 UNAVAILABLE
    MALFORMED = "malformed"  # 200 with text that is not JSON
    OUT_OF_SCHEMA = "out_of_schema"  # 200 with JSON that breaks the response schema
