"""Agents' NLU corrections: `nlu.feedback` events the NLU folds into its training, audited.

    route                                              viewer  agent  supervisor  admin
    POST /operator/conversations/{id}/corrections         -     yes      yes       yes

The board's route corrects one customer turn by its id (any conversation, with the bot or an agent,
open or closed); the handoff inbox's route (operator_api) corrects a line of a handoff. Both publish
through `IntentFeedback`. The text sent for training is the board's, masked: no CPF or number in it.
"""

# No `from __future__ import annotations` here: FastAPI must see the route annotations as objects.
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated

from fastapi import Header, HTTPException, Request, status

from atende.nlu.v1 import nlu_pb2 as nlu
from atende_core.bus import Bus, topics
from atende_core.identity import Principal
from atende_gateway.console.board import Board
from atende_gateway.console.board_models import TurnCorrection
from atende_gateway.operator_models import ConversationId, CorrectionAccepted, problems

if TYPE_CHECKING:  # the console package imports this module to list its registrar
    from atende_gateway.console import ConsoleContext

log = logging.getLogger(__name__)

_NAMESPACE = uuid.UUID("6d2a9c4e-1f3b-4e8a-9c7d-5b0e2f1a3c48")


class IntentFeedback:
    """Publishes one correction (the same event id for the same Idempotency-Key) and audits it."""

    def __init__(self, bus: Bus, record: Callable[..., Awaitable[None]]) -> None:
        self._bus = bus
        self._record = record

    async def publish(
        self,
        principal: Principal,
        request: Request,
        conversation_id: str,
        *,
        text: str,
        intent: str,
        wrong_intent: str,
        idempotency_key: str | None,
    ) -> CorrectionAccepted:
        agent = principal.user_id
        seed = f"{conversation_id}|{agent}|{idempotency_key}" if idempotency_key else str(uuid.uuid4())
        event_id = str(uuid.uuid5(_NAMESPACE, seed))
        event = nlu.IntentCorrected(
            conversation_id=conversation_id,
            text=text,
            predicted_intent=wrong_intent,
            corrected_intent=intent,
            agent_id=agent,
        )
        await self._bus.publish(topics.NLU_FEEDBACK, event, key=conversation_id, event_id=event_id)
        audit_id = str(uuid.uuid5(_NAMESPACE, f"audit|{event_id}"))
        details = {"intent": intent, "wrong_intent": wrong_intent, "event_id": event_id}
        await self._record(principal, "nlu.correction", conversation_id, request, entry_id=audit_id, **details)
        log.info("intent corrected", extra={"agent.id": agent, "event.action": "nlu-correction"})
        return CorrectionAccepted(event_id=event_id, intent=intent)


def register(context: "ConsoleContext", board: Board) -> None:
    """Add the board's correction route."""
    feedback = IntentFeedback(context.bus, context.record)
    context.publishes_to.add(topics.NLU_FEEDBACK)
    Actor = context.actor  # noqa: N806 - a type alias, named like one

    @context.router.post(
        "/conversations/{conversation_id}/corrections",
        status_code=status.HTTP_202_ACCEPTED,
        responses=problems(404, 422),
    )
    async def correct_turn(
        conversation_id: ConversationId,
        body: TurnCorrection,
        principal: Actor,
        request: Request,
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> CorrectionAccepted:
        """Tell the NLU what a customer's turn meant (agent, supervisor, admin); the turn shows it."""
        found = await board.customer_turn(conversation_id, body.turn_id)
        if found is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no customer turn with that id")
        turn, result = found
        accepted = await feedback.publish(
            principal,
            request,
            conversation_id,
            text=turn.get("text", ""),
            intent=body.intent,
            wrong_intent=result.get("intent") or "",
            idempotency_key=idempotency_key,
        )
        await board.mark_corrected(conversation_id, turn, body.intent, principal.user_id)
        return accepted
