"""The console's live stream: GET /operator/stream, server-sent events for every role.

    event: conversation   data {conversation_id, state}        a turn, a tick, a state change
    event: handoff        data {conversation_id, customer_name, reason, agent_id}
    event: action         data {conversation_id, command_id, action, outcome, agent_id}   an agent's action ended
    event: agents         data {user_id, status}                an agent chose available or away (lapses are silent)
    event: resync         data {}                               changes were missed: reload
    event: reauth         data {}                               the stream ends: reconnect with a fresh token
    : ping                                                      every CONSOLE_STREAM_PING_S

The UI reads it with fetch streaming and a bearer header (EventSource cannot send one). A stream
lasts at most CONSOLE_STREAM_MAX_S, so a revoked session or a demoted role loses it within that
time: the reconnection goes through the guard again.
"""

# No `from __future__ import annotations` here: FastAPI must see the route annotations as objects.
import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from fastapi import HTTPException, status
from fastapi.responses import StreamingResponse

from atende_gateway.console.changes import Change, ChangeHub
from atende_gateway.operator_models import problems

if TYPE_CHECKING:  # the console package imports this module to list its registrar
    from atende_gateway.console import ConsoleContext

_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_EXAMPLE = (
    "retry: 3000\n: connected\n\n"
    'event: conversation\ndata: {"conversation_id": "c_MqbVzzMZYO72", "state": "queued"}\n\n'
    'event: handoff\ndata: {"conversation_id": "c_MqbVzzMZYO72", "customer_name": "Maria Souza", '
    '"reason": "customer_asked", "agent_id": null}\n\n'
    ": ping\n\n"
)


def _event(change: Change) -> str:
    return f"event: {change.kind}\ndata: {json.dumps(change.data, ensure_ascii=False)}\n\n"


async def _events(hub: ChangeHub, *, ping_s: float, max_s: float) -> AsyncIterator[str]:
    ends = time.monotonic() + max_s
    with hub.listen() as changes:
        yield "retry: 3000\n: connected\n\n"
        while (left := ends - time.monotonic()) > 0:
            try:
                change = await asyncio.wait_for(changes.get(), timeout=min(ping_s, left))
            except TimeoutError:
                yield ": ping\n\n"
                continue
            yield _event(change)
        yield _event(Change("reauth", {}))


def register(context: "ConsoleContext") -> None:
    """Subscribe to the deployment's changes and add the stream route."""
    settings = context.settings
    hub = ChangeHub(context.redis, settings.kafka_topic_prefix, max_clients=settings.console_stream_max_clients)
    context.on_start.append(hub.start)
    context.on_stop.append(hub.stop)
    Reader = context.reader  # noqa: N806 - a type alias, named like one

    @context.router.get(
        "/stream",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {"example": _EXAMPLE}}}, **problems(503)},
    )
    async def stream(principal: Reader) -> StreamingResponse:
        """Live changes of the inbox as server-sent events (every role)."""
        if hub.clients >= hub.max_clients:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE, "too many open streams", headers={"Retry-After": "5"}
            )
        events = _events(hub, ping_s=settings.console_stream_ping_s, max_s=settings.console_stream_max_s)
        return StreamingResponse(events, media_type="text/event-stream", headers=_HEADERS)
