"""Agents' presence and the automatic assignment of new handoffs.

    route                                              viewer  agent  supervisor  admin
    PUT  /operator/presence {status}                     -     yes      yes       yes
    GET  /operator/agents                                -      -       yes       yes

The PUT is the heartbeat (the web app repeats it every ~30 s); CONSOLE_PRESENCE_TTL_S without one
makes the agent offline. A status change is announced on the stream (`agents`: {user_id, status}).
With CONSOLE_AUTO_ASSIGN on, a new handoff goes to the next available agent in rotation as soon as it
is in the inbox: HandoffAccepted is published (the board announces `handoff` {conversation_id,
agent_id} to the assignee's browser) and the audit trail records it by "system"; with nobody available,
or the setting off, it waits in the shared queue.
"""

# No `from __future__ import annotations` here: FastAPI must see the route annotations as objects.
import logging
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel, ConfigDict, Field

from atende.conversation.v1 import conversation_pb2 as conv
from atende_core.audit import SYSTEM, AuditTrail
from atende_core.bus import Envelope, topics
from atende_gateway.console.board import board_key
from atende_gateway.console.changes import publish_change
from atende_gateway.console.presence import PresenceBoard

if TYPE_CHECKING:  # the console package imports this module to list its registrar
    from atende_gateway.console import ConsoleContext

log = logging.getLogger(__name__)
_ASSIGN_NAMESPACE = uuid.UUID("5f0d8a52-3c1b-4a8e-9d27-6e4b1c0f7a93")
SYSTEM_ACTOR = "system"


class PresenceUpdate(BaseModel):
    """A heartbeat with the agent's status."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"status": "available"}]})

    status: Literal["available", "away"]


class PresenceState(BaseModel):
    """The agent's status and since when."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "available", "since": 1764820000.5}]})

    status: Literal["available", "away"]
    since: float


class Agent(BaseModel):
    """One agent as the supervisors see them."""

    user_id: str
    username: str | None = None
    role: str
    status: Literal["available", "away", "offline"]
    last_seen: float
    open_conversations: int = Field(description="conversations the agent has claimed and not released")


class AgentList(BaseModel):
    """Everyone who was present in the last 7 days."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "user_id": "u-ana",
                            "username": "ana",
                            "role": "agent",
                            "status": "available",
                            "last_seen": 1764820090.2,
                            "open_conversations": 3,
                        }
                    ]
                }
            ]
        }
    )

    items: list[Agent]


def _now() -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(datetime.now(UTC))
    return stamp


def register(context: "ConsoleContext") -> None:
    """Add the presence routes and assign new handoffs round-robin."""
    settings = context.settings
    prefix = settings.kafka_topic_prefix
    presence = PresenceBoard(context.redis, prefix=prefix, ttl_s=settings.console_presence_ttl_s)
    audit = AuditTrail(context.bus, source="gateway")
    inbox = context.inbox

    async def assign(event: conv.HandoffRequested, envelope: Envelope) -> None:
        if not settings.console_auto_assign:
            return
        cid = event.conversation_id
        agent = await presence.assign(inbox.entry_key(cid), entry_ttl_s=inbox.ttl_s)
        if agent is None:
            return
        seed = f"{cid}|{envelope.id}|{agent}"
        accepted = conv.HandoffAccepted(conversation_id=cid, occurred_at=_now(), agent_id=agent)
        event_id = str(uuid.uuid5(_ASSIGN_NAMESPACE, seed))
        await context.bus.publish(topics.CONVERSATION_EVENTS, accepted, key=cid, event_id=event_id)
        await audit.record(
            actor_kind=SYSTEM,
            actor_id=SYSTEM_ACTOR,
            action="handoff.assign",
            target=cid,
            details={"agent_id": agent, "rule": "round_robin"},
            entry_id=str(uuid.uuid5(_ASSIGN_NAMESPACE, f"audit|{seed}")),
        )
        log.info("handoff assigned", extra={"agent.id": agent, "event.action": "handoff-assigned"})

    inbox.on_requested(assign)
    Actor, Overseer = context.actor, context.overseer  # noqa: N806 - type aliases, named like ones

    @context.router.put("/presence")
    async def heartbeat(body: PresenceUpdate, principal: Actor) -> PresenceState:
        """Say you are available for new conversations, or away; repeat it every ~30 s (agent+)."""
        state, changed = await presence.heartbeat(
            principal.user_id, status=body.status, role=str(principal.role), username=principal.name
        )
        if changed:
            await publish_change(context.redis, prefix, "agents", {"user_id": principal.user_id, "status": body.status})
        return PresenceState(status=body.status, since=state.since)

    @context.router.get("/agents")
    async def list_agents(principal: Overseer) -> AgentList:
        """Who is available, away or offline, with how many conversations each has (supervisor, admin)."""
        agents = await presence.agents()
        async with context.redis.pipeline(transaction=False) as pipe:
            for agent in agents:
                pipe.zcard(board_key(prefix, "agent", agent.user_id))
            counts = await pipe.execute()
        items = [
            Agent.model_validate(
                {
                    "user_id": agent.user_id,
                    "username": agent.username or None,
                    "role": agent.role,
                    "status": agent.status,
                    "last_seen": agent.last_seen,
                    "open_conversations": count,
                }
            )
            for agent, count in zip(agents, counts, strict=True)
        ]
        return AgentList(items=items)
