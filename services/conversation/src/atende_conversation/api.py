"""Internal HTTP: a conversation's current step and its transcript (for the operator dashboard)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query

from atende_conversation.adapters.mongo_store import MongoTranscriptStore
from atende_conversation.engine import ConversationEngine
from atende_conversation.ports import StateStore


def conversation_router(
    *, engine: ConversationEngine, states: StateStore, transcripts: MongoTranscriptStore
) -> APIRouter:
    """Routes under /conversations (never a phone number or document in clear in the answers)."""
    router = APIRouter(prefix="/conversations", tags=["conversations"])

    @router.get("/{conversation_id}")
    async def current(conversation_id: str) -> dict[str, Any]:
        """Where the conversation is now."""
        snapshot = await states.load(conversation_id)
        if snapshot is None:
            raise HTTPException(404, "no open conversation")
        state = snapshot.state
        customer = state.customer
        return {
            "step": state.step.value,
            "session_id": state.session_id,
            "goal": state.goal.value if state.goal else None,
            "intents": state.intents,
            "handed_off": state.handed_off,
            "agent_id": state.agent_id or None,
            "waiting_for": state.pending.kind.value if state.pending else None,
            "customer": None
            if customer is None
            else {"customer_id": customer.customer_id, "document_masked": customer.document_masked},
            "contract_id": state.contract_id or None,
            "version": snapshot.version,
        }

    @router.get("/{conversation_id}/transcript")
    async def transcript(conversation_id: str, limit: int = Query(200, ge=1, le=1000)) -> dict[str, Any]:
        """The last lines (customer texts masked) and the last sessions."""
        key = engine.conversation_key(conversation_id)
        lines = await transcripts.transcript(key, limit=limit)
        sessions = await transcripts.sessions(key)
        return {"lines": [_jsonable(line) for line in lines], "sessions": [_jsonable(s) for s in sessions]}

    return router


def _jsonable(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in doc.items()}
