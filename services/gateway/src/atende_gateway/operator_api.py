"""Operator API for agents: the handoff inbox, claim, reply as agent, release, reassign.

Who acts comes from the access token the auth service signed (atende_core.operator_auth), never
from the client: the agent id is the token's subject (`Principal.user_id`). Each route declares the
roles it allows:

    route                                              viewer  agent  supervisor  admin
    GET  /operator/handoffs?status=queued|claimed        yes    yes      yes       yes
    GET  /operator/handoffs/{conversation_id}            yes    yes      yes       yes
    POST /operator/handoffs/{conversation_id}/claim       -     yes      yes       yes
    POST /operator/handoffs/{conversation_id}/reply       -     yes(1)   yes(1)    yes(1)
    POST /operator/handoffs/{conversation_id}/release     -     yes(1)   yes(2)    yes(2)
    POST /operator/handoffs/{conversation_id}/reassign    -      -       yes       yes
    POST /operator/handoffs/{conversation_id}/corrections  -     yes      yes       yes
    (1) only the agent who claimed it; (2) also another agent's claimed conversation.

A text reply is refused (409) once the customer's last message is more than 24 hours old: WhatsApp
takes only approved templates then (POST /operator/conversations/{id}/template, console/sending.py).

A correction publishes IntentCorrected on `nlu.feedback` (keyed by conversation id; the event id
derives from the Idempotency-Key, so a retried click is one correction), which the NLU stores
(encrypted) and folds into training.

401 without a valid, unrevoked token; 403 for a role outside the route's list; 429 with
`Retry-After` above the per-address or per-user rate limit. Every action (claim, reply, release,
reassign) records an audit entry (actor = the user, target = the conversation, source address).

Every action publishes, keyed by conversation id: claim and reassign → HandoffAccepted, reply →
SendMessage on `whatsapp.outbound` then AgentReplied, release → HandoffReleased (all on
`conversation.events`). The conversation service listens and stays quiet until the release.
"""

# No `from __future__ import annotations` here: FastAPI must see the route annotations as objects,
# because they close over this factory's dependencies.
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, status
from google.protobuf.timestamp_pb2 import Timestamp
from redis.asyncio import Redis

from atende.conversation.v1 import conversation_pb2 as conv
from atende.security.v1.security_pb2 import SecurityEventRecorded
from atende.whatsapp.v1 import whatsapp_pb2 as wa
from atende_core import privacy
from atende_core.audit import OPERATOR, AuditTrail
from atende_core.bus import Bus, topics
from atende_core.http_security import client_address
from atende_core.identity import Principal, Role
from atende_core.operator_auth import OperatorGuard
from atende_core.ratelimit import RateLimiter
from atende_core.service import build_bus
from atende_core.stores import redis_client
from atende_gateway import metrics
from atende_gateway.console import ConsoleContext, register_all
from atende_gateway.console.board import window_closed
from atende_gateway.console.corrections import IntentFeedback
from atende_gateway.inbox import CLAIMED, QUEUED, ClaimedByAnother, HandoffInbox, NotInInbox
from atende_gateway.inbox_privacy import Eraser, InboxPrivacy
from atende_gateway.operator_models import (
    WINDOW_CLOSED,
    ConversationId,
    Correction,
    CorrectionAccepted,
    Handoff,
    HandoffList,
    Reassign,
    Released,
    Reply,
    ReplyAccepted,
    problems,
)
from atende_gateway.settings import GatewaySettings

log = logging.getLogger(__name__)

NAME = "gateway-operator"
SOURCE = "gateway"
_REPLY_NAMESPACE = uuid.UUID("0b8f3c1e-5d0a-4c57-8f0e-2a6b1f4e9d21")

READ = (Role.VIEWER, Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
ACT = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
OVERSEE = (Role.SUPERVISOR, Role.ADMIN)


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


# At most one security event per limit, identity and minute, however hard a client keeps pushing.
SECURITY_EVENT_RULE = "1/minute"


def _too_many(retry_after_s: int) -> HTTPException:
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS, "too many requests", headers={"Retry-After": str(retry_after_s)}
    )


def create_router(
    settings: GatewaySettings,
    *,
    guard: OperatorGuard,
    limiter: RateLimiter,
    bus: Bus | None = None,
    inbox: HandoffInbox | None = None,
    redis: Redis | None = None,
) -> APIRouter:
    """The operator API router. It brings its own Redis client and Bus (service `gateway-operator`)
    and starts/stops them in the router's lifespan, unless `bus` and `inbox` are passed (then the
    caller starts and stops the bus, after this call, which subscribes the inbox)."""
    owns_bus = bus is None
    client = redis if redis is not None else redis_client(settings.redis_url)
    owned_redis = None if redis is not None else client
    inbox = inbox or HandoffInbox.from_settings(client, settings)
    bus = bus or build_bus(settings, name=NAME, redis=client)
    inbox.subscribe(bus)
    # The inbox is the gateway's one store of personal data: the gateway answers privacy commands here.
    erasers: dict[str, Eraser] = {}
    privacy.subscribe(bus, service="gateway", store=InboxPrivacy(inbox, erasers))
    the_bus, the_inbox = bus, inbox
    audit = AuditTrail(the_bus, source=SOURCE)
    trusted = settings.trusted_proxies

    def _ip(request: Request) -> str:
        return client_address(request.scope, trusted)

    async def limited(scope: str, request: Request, retry_after_s: int, user_id: str = "") -> HTTPException:
        """Count a refusal, raise a security event (once a minute per identity), and build the 429."""
        metrics.OPERATOR_RATE_LIMITED.labels(scope).inc()
        ip = _ip(request)
        log.info("operator API rate limited", extra={"event.action": "rate-limited", "rate_limit.scope": scope})
        if (await limiter.hit(SECURITY_EVENT_RULE, "operator-rate-event", scope, user_id or ip)).allowed:
            event = SecurityEventRecorded(
                user_id=user_id,
                kind=SecurityEventRecorded.KIND_RATE_LIMITED,
                occurred_at=_now(),
                source_ip=ip,
                user_agent=request.headers.get("user-agent", "")[:200],
                details={"limit": scope, "api": "operator"},
            )
            await the_bus.publish(topics.SECURITY_EVENTS, event, key=user_id or ip)
        return _too_many(retry_after_s)

    publishes_to = {
        topics.WHATSAPP_OUTBOUND,
        topics.CONVERSATION_EVENTS,
        topics.AUDIT_EVENTS,
        topics.SECURITY_EVENTS,
        topics.NLU_FEEDBACK,
    }
    on_start: list[Callable[[], Awaitable[None]]] = []
    on_stop: list[Callable[[], Awaitable[None]]] = []

    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        if owns_bus:
            await the_bus.start(publishes_to=sorted(publishes_to))
        for start in on_start:
            await start()
        try:
            yield
        finally:
            for stop in reversed(on_stop):
                await stop()
            if owns_bus:
                await the_bus.stop()
            if owned_redis is not None:
                await owned_redis.aclose()

    async def per_address(request: Request) -> None:
        # Before authentication, so that guessing tokens is throttled too.
        decision = await limiter.hit(settings.operator_rate_limit_per_ip, "operator-ip", _ip(request))
        if not decision.allowed:
            raise await limited("ip", request, decision.retry_after_s)

    def allow(*roles: Role) -> Any:
        require = guard.require(*roles)

        async def dependency(principal: Annotated[Principal, Depends(require)], request: Request) -> Principal:
            decision = await limiter.hit(settings.operator_rate_limit_per_user, "operator-user", principal.user_id)
            if not decision.allowed:
                raise await limited("user", request, decision.retry_after_s, principal.user_id)
            return principal

        return Depends(dependency)

    async def record(principal: Principal, action: str, cid: str, request: Request, **extra: str) -> None:
        entry_id = extra.pop("entry_id", None)
        await audit.record(
            actor_kind=OPERATOR,
            actor_id=principal.user_id,
            action=action,
            target=cid,
            details={"role": str(principal.role), **extra},
            source_ip=_ip(request),
            entry_id=entry_id,
        )

    feedback = IntentFeedback(the_bus, record)
    router = APIRouter(
        prefix="/operator",
        tags=["operator"],
        dependencies=[Depends(per_address)],
        lifespan=lifespan,
        responses=problems(401, 403, 429),
    )
    Reader = Annotated[Principal, allow(*READ)]  # noqa: N806 - type aliases, named like ones
    Actor = Annotated[Principal, allow(*ACT)]  # noqa: N806
    Overseer = Annotated[Principal, allow(*OVERSEE)]  # noqa: N806
    context = ConsoleContext(
        settings=settings,
        router=router,
        bus=the_bus,
        redis=client,
        inbox=the_inbox,
        record=record,
        reader=Reader,
        actor=Actor,
        overseer=Overseer,
        publishes_to=publishes_to,
        erasers=erasers,
        on_start=on_start,
        on_stop=on_stop,
    )

    @router.get("/handoffs")
    async def list_handoffs(
        principal: Reader,
        state: Annotated[str | None, Query(alias="status", pattern=f"^({QUEUED}|{CLAIMED})$")] = None,
    ) -> HandoffList:
        """The inbox, oldest request first (every role)."""
        return HandoffList.model_validate({"items": [h.as_dict() for h in await the_inbox.list(status=state)]})

    @router.get("/handoffs/{conversation_id}", responses=problems(404))
    async def get_handoff(conversation_id: ConversationId, principal: Reader) -> Handoff:
        """One conversation of the inbox with its last lines (every role)."""
        handoff = await the_inbox.get(conversation_id)
        if handoff is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not in the inbox")
        return Handoff.model_validate(handoff.as_dict())

    @router.post("/handoffs/{conversation_id}/claim", responses=problems(404, 409))
    async def claim(conversation_id: ConversationId, principal: Actor, request: Request) -> Handoff:
        """Take the conversation; the bot stays quiet (agent, supervisor, admin)."""
        agent = principal.user_id
        try:
            handoff = await the_inbox.claim(conversation_id, agent)
        except NotInInbox:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not in the inbox") from None
        except ClaimedByAnother:
            raise HTTPException(status.HTTP_409_CONFLICT, "another agent has this conversation") from None
        event = conv.HandoffAccepted(conversation_id=conversation_id, occurred_at=_now(), agent_id=agent)
        await the_bus.publish(topics.CONVERSATION_EVENTS, event, key=conversation_id)
        await record(principal, "handoff.claim", conversation_id, request)
        log.info("handoff claimed", extra={"agent.id": agent})
        return Handoff.model_validate(handoff.as_dict())

    @router.post(
        "/handoffs/{conversation_id}/reply", status_code=status.HTTP_202_ACCEPTED, responses=problems(404, 409)
    )
    async def reply(
        conversation_id: ConversationId,
        body: Reply,
        principal: Actor,
        request: Request,
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> ReplyAccepted:
        """Send a text to the customer as the agent who claimed the conversation."""
        agent = principal.user_id
        phone_number_id, wa_id = await _recipient(the_inbox, conversation_id)
        try:
            owner = await the_inbox.owner(conversation_id)
        except NotInInbox:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not in the inbox") from None
        if owner != agent:
            raise HTTPException(status.HTTP_409_CONFLICT, "claim the conversation before replying")
        if await window_closed(client, settings.kafka_topic_prefix, conversation_id, time.time()):
            raise HTTPException(status.HTTP_409_CONFLICT, WINDOW_CLOSED)
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
        audit_id = str(uuid.uuid5(_REPLY_NAMESPACE, f"audit|{command_id}"))
        await record(principal, "handoff.reply", conversation_id, request, command_id=command_id, entry_id=audit_id)
        return ReplyAccepted(command_id=command_id)

    @router.post("/handoffs/{conversation_id}/release", responses=problems(404, 409))
    async def release(conversation_id: ConversationId, principal: Actor, request: Request) -> Released:
        """Give the conversation back to the bot: its agent, or a supervisor or admin for anyone's."""
        owner = principal.user_id
        if principal.role in OVERSEE:
            try:
                owner = await the_inbox.owner(conversation_id) or principal.user_id
            except NotInInbox:
                raise HTTPException(status.HTTP_404_NOT_FOUND, "not in the inbox") from None
        try:
            await the_inbox.release(conversation_id, owner)
        except NotInInbox:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not in the inbox") from None
        except ClaimedByAnother:
            raise HTTPException(status.HTTP_409_CONFLICT, "only the agent who claimed it can release it") from None
        event = conv.HandoffReleased(conversation_id=conversation_id, occurred_at=_now(), agent_id=principal.user_id)
        await the_bus.publish(topics.CONVERSATION_EVENTS, event, key=conversation_id)
        await record(principal, "handoff.release", conversation_id, request, previous_agent=owner)
        log.info("handoff released", extra={"agent.id": principal.user_id})
        return Released()

    @router.post("/handoffs/{conversation_id}/reassign", responses=problems(404, 409))
    async def reassign(
        conversation_id: ConversationId, body: Reassign, principal: Overseer, request: Request
    ) -> Handoff:
        """Move a claimed conversation to another agent (supervisor, admin)."""
        try:
            owner = await the_inbox.owner(conversation_id)
            if owner is None:
                raise HTTPException(status.HTTP_409_CONFLICT, "nobody has claimed this conversation")
            await the_inbox.reassign(conversation_id, owner, body.agent_id)
            handoff = await the_inbox.get(conversation_id)
        except NotInInbox:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not in the inbox") from None
        except ClaimedByAnother:
            raise HTTPException(status.HTTP_409_CONFLICT, "the conversation changed hands; try again") from None
        if handoff is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not in the inbox")
        event = conv.HandoffAccepted(conversation_id=conversation_id, occurred_at=_now(), agent_id=body.agent_id)
        await the_bus.publish(topics.CONVERSATION_EVENTS, event, key=conversation_id)
        await record(
            principal, "handoff.reassign", conversation_id, request, previous_agent=owner, agent_id=body.agent_id
        )
        return Handoff.model_validate(handoff.as_dict())

    @router.post(
        "/handoffs/{conversation_id}/corrections",
        status_code=status.HTTP_202_ACCEPTED,
        responses=problems(404, 422),
    )
    async def correct_intent(
        conversation_id: ConversationId,
        body: Correction,
        principal: Actor,
        request: Request,
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> CorrectionAccepted:
        """Tell the NLU what a customer's turn meant (agent, supervisor, admin); it learns from it."""
        handoff = await the_inbox.get(conversation_id)
        if handoff is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "not in the inbox")
        text = body.text
        if body.line is not None:
            if body.line >= len(handoff.lines) or handoff.lines[body.line].get("role") != "customer":
                raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "no customer line at that index")
            text = str(handoff.lines[body.line].get("text", ""))
        return await feedback.publish(
            principal,
            request,
            conversation_id,
            text=text or "",
            intent=body.intent,
            wrong_intent=body.wrong_intent or "",
            idempotency_key=idempotency_key,
        )

    register_all(context)
    return router
