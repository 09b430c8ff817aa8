"""The operator console: the web inbox and the operator-API modules under it.

Each module adds its routes and bus subscriptions to the operator router through `register(context)`;
`REGISTRARS` lists them, in the order their routes are added. They share the operator router's bus,
Redis client, handoff inbox, guards and audit trail through `ConsoleContext`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from redis.asyncio import Redis

from atende_core.bus import Bus
from atende_gateway.console import (
    actions_api,
    board_api,
    canned,
    customer_panel,
    metrics_api,
    presence_api,
    sending,
    stream,
)
from atende_gateway.inbox import HandoffInbox
from atende_gateway.inbox_privacy import Eraser
from atende_gateway.settings import GatewaySettings

# record(principal, action, target, request, **details): one audit entry for an operator's action.
AuditRecorder = Callable[..., Awaitable[None]]


@dataclass
class ConsoleContext:
    """What a console module needs from the operator router."""

    settings: GatewaySettings
    router: APIRouter
    bus: Bus
    redis: Redis
    inbox: HandoffInbox
    record: AuditRecorder
    # Annotated[Principal, ...] dependencies: any role, those who act (agent+), supervisors and admins.
    reader: Any
    actor: Any
    overseer: Any
    # Topics the router's bus publishes to; a module adds the ones it publishes.
    publishes_to: set[str] = field(default_factory=set)
    # Store name → forgets one conversation: LGPD erasure reaches every console read model.
    erasers: dict[str, Eraser] = field(default_factory=dict)
    # Started after the bus and stopped before it, in the router's lifespan.
    on_start: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    on_stop: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


Registrar = Callable[[ConsoleContext], None]

REGISTRARS: tuple[Registrar, ...] = (
    board_api.register,
    stream.register,
    sending.register,
    canned.register,
    actions_api.register,
    customer_panel.register,
    metrics_api.register,
    presence_api.register,
)


def register_all(context: ConsoleContext) -> None:
    """Add every console module's routes and subscriptions."""
    for registrar in REGISTRARS:
        registrar(context)
