"""Outcomes a use case hands to the message handler: a result, not found, or unavailable."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class UnavailableReason(StrEnum):
    """Why the billing system could not answer."""

    DOWN = "down"  # timeouts, connection errors, 5xx, garbage bodies
    CIRCUIT_OPEN = "circuit_open"
    MISCONFIGURED = "misconfigured"  # credentials or endpoint: operators must act


class Unavailable(BaseModel):
    """The billing system cannot answer now; the conversation says so and offers alternatives."""

    model_config = ConfigDict(frozen=True)
    reason: UnavailableReason


class NotFound(BaseModel):
    """The customer, contract or invoice does not exist in the billing system."""

    model_config = ConfigDict(frozen=True)
    what: str
