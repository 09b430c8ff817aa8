"""Agents' actions for the customer: the bot's own flows (2ª via, trust unlock, ticket, closing), run by the
conversation service through the same SGP events as the bot, audited.

    route                                              viewer  agent  supervisor  admin
    POST /operator/conversations/{id}/actions             -     yes(1)   yes       yes
    (1) only in a conversation the agent has claimed; supervisors and admins act in any.

The route publishes AgentActionRequested on `conversation.commands` (keyed by conversation id; the
command id, also the event id, derives from the Idempotency-Key, so a retried click acts once) and
answers 202. The conversation service messages the customer and emits AgentActionCompleted, which
the board shows as a system turn and announces on the stream (`action`).
"""

# No `from __future__ import annotations` here: FastAPI must see the route annotations as objects.
import logging
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

from fastapi import Header, HTTPException, Request, status
from google.protobuf.timestamp_pb2 import Timestamp

from atende.conversation.v1 import conversation_pb2 as conv
from atende_core.bus import topics
from atende_core.identity import Principal, Role
from atende_core.pii import Keyring
from atende_gateway.console.action_models import ActionAccepted, ActionRequest
from atende_gateway.console.board import Board
from atende_gateway.inbox import HandoffInbox, NotInInbox
from atende_gateway.operator_models import ConversationId, problems

if TYPE_CHECKING:  # the console package imports this module to list its registrar
    from atende_gateway.console import ConsoleContext

log = logging.getLogger(__name__)

_NAMESPACE = uuid.UUID("2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5e7a")
OVERSEE = (Role.SUPERVISOR, Role.ADMIN)


def command_id(conversation_id: str, agent_id: str, idempotency_key: str | None) -> str:
    """The command's id: the same conversation, agent and Idempotency-Key give the same id."""
    seed = f"{conversation_id}|{agent_id}|{idempotency_key}" if idempotency_key else str(uuid.uuid4())
    return str(uuid.uuid5(_NAMESPACE, seed))


def action_requested(
    conversation_id: str, agent_id: str, command: str, body: ActionRequest
) -> conv.AgentActionRequested:
    """The bus command of a validated request."""
    stamp = Timestamp()
    stamp.FromDatetime(datetime.now(UTC))
    event = conv.AgentActionRequested(
        command_id=command, conversation_id=conversation_id, occurred_at=stamp, agent_id=agent_id
    )
    contract = body.contract_id or ""
    match body.action:
        case "send_bill":
            event.send_bill.CopyFrom(conv.SendBill(contract_id=contract))
        case "register_promise":
            event.register_promise.CopyFrom(conv.RegisterPromise(contract_id=contract))
        case "open_ticket":
            ticket = conv.OpenTicketForCustomer(
                contract_id=contract, kind=body.kind or "other", description=body.description or ""
            )
            event.open_ticket.CopyFrom(ticket)
        case "close":
            event.close.CopyFrom(conv.CloseConversation(reason=body.reason or ""))
    return event


async def may_act(inbox: HandoffInbox, conversation_id: str, principal: Principal) -> None:
    """409 unless the agent holds the conversation (supervisors and admins act in any)."""
    if principal.role in OVERSEE:
        return
    try:
        owner = await inbox.owner(conversation_id)
    except NotInInbox:
        owner = None
    if owner is None:
        raise HTTPException(status.HTTP_409_CONFLICT, "claim the conversation before acting in it")
    if owner != principal.user_id:
        raise HTTPException(status.HTTP_409_CONFLICT, "another agent has this conversation")


def register(context: "ConsoleContext") -> None:
    """Add the actions route."""
    settings = context.settings
    board = Board(context.redis, pii=Keyring.from_settings(settings), prefix=settings.kafka_topic_prefix)
    context.publishes_to.add(topics.CONVERSATION_COMMANDS)
    Actor = context.actor  # noqa: N806 - a type alias, named like one

    @context.router.post(
        "/conversations/{conversation_id}/actions",
        status_code=status.HTTP_202_ACCEPTED,
        responses=problems(404, 409, 422),
    )
    async def request_action(
        conversation_id: ConversationId,
        body: ActionRequest,
        principal: Actor,
        request: Request,
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> ActionAccepted:
        """Send the bill, register a payment promise, open a ticket or close, as the bot would (agent in a
        conversation they claimed; supervisor, admin in any). The result comes as a system turn."""
        if not await context.redis.exists(board.key("c", conversation_id)):
            raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown conversation")
        await may_act(context.inbox, conversation_id, principal)
        agent = principal.user_id
        command = command_id(conversation_id, agent, idempotency_key)
        event = action_requested(conversation_id, agent, command, body)
        await context.bus.publish(topics.CONVERSATION_COMMANDS, event, key=conversation_id, event_id=command)
        details = {"agent_action": body.action, "command_id": command}
        if body.contract_id:
            details["contract_id"] = body.contract_id
        if body.reason:
            details["reason"] = body.reason
        audit_id = str(uuid.uuid5(_NAMESPACE, f"audit|{command}"))
        await context.record(principal, "conversation.action", conversation_id, request, entry_id=audit_id, **details)
        log.info("agent action requested", extra={"agent.id": agent, "event.action": f"agent-{body.action}"})
        return ActionAccepted(command_id=command)
