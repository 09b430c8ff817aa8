"""Operator API for agents: the handoff inbox, claim, reply as agent, release.

How to wire it (gateway `app.py`)
---------------------------------
`create_router(settings)` is all the gateway needs; `app._operator_router` already finds it::

    router = operator_api.create_router(settings)          # settings: GatewaySettings (any ServiceSettings)
    api.include_router(router, dependencies=[Depends(require_bearer(settings.operator_api_token))])

- The router brings its own Redis client (`settings.redis_url`) and its own Bus (service name
  `gateway-operator`, `settings.kafka_topic_prefix`), and starts/stops them through the router's
  lifespan, which FastAPI merges into the app's when the router is included. Redis keys of the inbox
  are prefixed with `settings.kafka_topic_prefix` too (empty in production; unique per test).
- Protection: the bearer-token dependency is passed by the gateway at `include_router` time (as above);
  `create_router(..., auth=[Depends(...)])` applies it inside the router instead.
- The acting agent comes from `current_agent`, a FastAPI dependency returning the agent id. Default:
  the `X-Agent-Id` header (required) — fine while operators share the gateway token. When the auth
  service issues JWTs, pass `current_agent=<dependency returning the token's subject>`.
- Tests or a composition root that already own a started-later Bus and an inbox pass `bus=` and
  `inbox=`; then the caller starts/stops the bus (after `create_router`, which subscribes the inbox).

Routes (JSON):
    GET  /operator/handoffs?status=queued|claimed      the inbox, oldest request first
    GET  /operator/handoffs/{conversation_id}          one entry with its recent lines
    POST /operator/handoffs/{conversation_id}/claim    200 (yours now) | 404 | 409 (another agent has it)
    POST /operator/handoffs/{conversation_id}/reply    {"text": "..."}; optional Idempotency-Key header;
                                                       202 {"command_id"} | 404 | 409 (claim it first)
    POST /operator/handoffs/{conversation_id}/release  200 (the bot resumes) | 404 | 409

Every action publishes, keyed by conversation id: claim → HandoffAccepted, reply → SendMessage on
`whatsapp.outbound` then AgentReplied, release → HandoffReleased (all on `conversation.events`). The
conversation service listens to those and stays quiet until the release.
"""

# No `from __future__ import annotations` here: FastAPI must see the route annotations as objects,
# because they close over this factory's `current_agent`.
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, status
from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel, Field
from redis.asyncio import Redis

from atende.conversation.v1 import conversation_pb2 as conv
from atende.whatsapp.v1 import whatsapp_pb2 as wa
from atende_core.bus import Bus, topics
from atende_core.service import build_bus
from atende_core.settings import ServiceSettings
from atende_core.stores import redis_client
from atende_gateway.inbox import CLAIMED, QUEUED, ClaimedByAnother, HandoffInbox, NotInInbox

log = logging.getLogger(__name__)

NAME = "gateway-operator"
_REPLY_NAMESPACE = uuid.UUID("0b8f3c1e-5d0a-4c57-8f0e-2a6b1f4e9d21")
MAX_TEXT = 4096

AgentDependency = Callable[..., Awaitable[str]]


async def agent_from_header(x_agent_id: Annotated[str | None, Header()] = None) -> str:
    """The acting agent from `X-Agent-Id` (until operators authenticate individually)."""
    agent = (x_agent_id or "").strip()
    if not agent:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "X-Agent-Id header required")
    return agent


class Reply(BaseModel):
    """An agent's message to the customer."""

    text: str = Field(min_length=1, max_length=MAX_TEXT)


def _now() -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(datetime.now(UTC))
    return stamp


async def _recipient(inbox: HandoffInbox, conversation_id: str) -> tuple[str, str]:
    """(phone_number_id, wa_id) of a conversation in the inbox: conversation ids are pseudonymous, so
    the number comes from the (encrypted) inbox entry, never from the id."""
    try:
        return await inbox.recipient(conversation_id)
    except NotInInbox:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown conversation") from None


def create_router(
    settings: ServiceSettings,
    *,
    bus: Bus | None = None,
    inbox: HandoffInbox | None = None,
    redis: Redis | None = None,
    current_agent: AgentDependency = agent_from_header,
    auth: Sequence[Any] = (),
) -> APIRouter:
    """The operator API router (see the module docstring for wiring)."""
    owns_bus = bus is None
    owned_redis: Redis | None = None
    if inbox is None or bus is None:
        client = redis if redis is not None else redis_client(settings.redis_url)
        owned_redis = None if redis is not None else client
        inbox = inbox or HandoffInbox.from_settings(client, settings)
        bus = bus or build_bus(settings, name=NAME, redis=client)
    inbox.subscribe(bus)
    the_bus, the_inbox = bus, inbox

    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        if owns_bus:
            await the_bus.start(publishes_to=[topics.WHATSAPP_OUTBOUND, topics.CONVERSATION_EVENTS])
        try:
            yield
        finally:
            if owns_bus:
                await the_bus.stop()
            if owned_redis is not None:
                await owned_redis.aclose()

    router = APIRouter(prefix="/operator", tags=["operator"], dependencies=list(auth), lifespan=lifespan)
    Agent = Annotated[str, Depends(current_agent)]  # noqa: N806 - a type alias, named like one

    @router.get("/handoffs")
    async def list_handoffs(
        agent: Agent, state: Annotated[str | None, Query(alias="status", pattern=f"^({QUEUED}|{CLAIMED})$")] = None
    ) -> dict[str, Any]:
        """The inbox, oldest request first."""
        return {"items": [h.as_dict() for h in await the_inbox.list(status=state)]}

    @router.get("/handoffs/{conversation_id}")
    async def get_handoff(conversation_id: str, agent: Agent) -> dict[str, Any]:
        """One conversation of the inbox with its last lines."""
        handoff = await the_inbox.get(conversation_id)
        if handoff is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not in the inbox")
        return handoff.as_dict()

    @router.post("/handoffs/{conversation_id}/claim")
    async def claim(conversation_id: str, agent: Agent) -> dict[str, Any]:
        """Take the conversation; the bot stays quiet."""
        try:
            handoff = await the_inbox.claim(conversation_id, agent)
        except NotInInbox:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not in the inbox") from None
        except ClaimedByAnother:
            raise HTTPException(status.HTTP_409_CONFLICT, "another agent has this conversation") from None
        event = conv.HandoffAccepted(conversation_id=conversation_id, occurred_at=_now(), agent_id=agent)
        await the_bus.publish(topics.CONVERSATION_EVENTS, event, key=conversation_id)
        log.info("handoff claimed", extra={"agent.id": agent})
        return handoff.as_dict()

    @router.post("/handoffs/{conversation_id}/reply", status_code=status.HTTP_202_ACCEPTED)
    async def reply(
        conversation_id: str,
        body: Reply,
        agent: Agent,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> dict[str, str]:
        """Send a text to the customer as the agent (claim first)."""
        phone_number_id, wa_id = await _recipient(the_inbox, conversation_id)
        try:
            owner = await the_inbox.owner(conversation_id)
        except NotInInbox:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not in the inbox") from None
        if owner != agent:
            raise HTTPException(status.HTTP_409_CONFLICT, "claim the conversation before replying")
        # The same Idempotency-Key gives the same command id: the connector sends it once.
        seed = f"{conversation_id}|{agent}|{idempotency_key}" if idempotency_key else str(uuid.uuid4())
        command_id = str(uuid.uuid5(_REPLY_NAMESPACE, seed))
        command = wa.SendMessage(
            command_id=command_id,
            conversation_id=conversation_id,
            phone_number_id=phone_number_id,
            to=wa_id,
            text=wa.Text(body=body.text),
        )
        await the_bus.publish(topics.WHATSAPP_OUTBOUND, command, key=conversation_id, event_id=command_id)
        replied = conv.AgentReplied(conversation_id=conversation_id, occurred_at=_now(), agent_id=agent, text=body.text)
        event_id = str(uuid.uuid5(_REPLY_NAMESPACE, command_id))
        await the_bus.publish(topics.CONVERSATION_EVENTS, replied, key=conversation_id, event_id=event_id)
        return {"command_id": command_id}

    @router.post("/handoffs/{conversation_id}/release")
    async def release(conversation_id: str, agent: Agent) -> dict[str, str]:
        """Give the conversation back to the bot."""
        try:
            await the_inbox.release(conversation_id, agent)
        except NotInInbox:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not in the inbox") from None
        except ClaimedByAnother:
            raise HTTPException(status.HTTP_409_CONFLICT, "only the agent who claimed it can release it") from None
        event = conv.HandoffReleased(conversation_id=conversation_id, occurred_at=_now(), agent_id=agent)
        await the_bus.publish(topics.CONVERSATION_EVENTS, event, key=conversation_id)
        log.info("handoff released", extra={"agent.id": agent})
        return {"status": "released"}

    return router
