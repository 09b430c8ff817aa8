"""Kafka subscribers: ``nlu.requests`` → analyze → ``nlu.results``; ``nlu.feedback`` → store."""

from __future__ import annotations

import logging
import time

from atende.nlu.v1 import nlu_pb2 as pb
from atende_core.bus import Bus, Envelope, PermanentError, topics
from atende_nlu_gemini.domain.labels import Intent
from atende_nlu_gemini.domain.results import NluResult, Turn
from atende_nlu_gemini.use_cases import AnalyzeRequest, NluService

logger = logging.getLogger(__name__)
GROUP = "nlu-gemini"


def to_event(result: NluResult, request: pb.AnalyzeText, *, latency_ms: float) -> pb.TextAnalyzed:
    """The ``TextAnalyzed`` event for one result."""
    return pb.TextAnalyzed(
        request_id=request.request_id,
        conversation_id=request.conversation_id,
        message_id=request.message_id,
        intent=result.intent.value,
        confidence=result.confidence,
        secondary_intent=result.secondary_intent.value if result.secondary_intent else "",
        secondary_confidence=result.secondary_confidence,
        entities=[pb.Entity(type=e.kind.value, value=e.value, raw=e.text, valid=e.valid) for e in result.entities],
        sentiment=result.sentiment.value,
        sentiment_score=result.sentiment_confidence,
        sentiment_intensity=result.sentiment_intensity,
        model=result.model.value,
        latency_ms=latency_ms,
    )


def subscribe(bus: Bus, service: NluService, *, concurrency: int = 1) -> None:
    """Register the NLU's two subscribers on ``bus``."""

    async def on_request(request: pb.AnalyzeText, envelope: Envelope) -> None:
        start = time.perf_counter()
        result = await service.analyze(
            AnalyzeRequest(
                text=request.text,
                conversation_id=request.conversation_id or None,
                message_id=request.message_id or None,
                context=[Turn(t.role, t.text) for t in request.context],
            )
        )
        latency_ms = (time.perf_counter() - start) * 1000
        await bus.publish(
            topics.NLU_RESULTS,
            to_event(result, request, latency_ms=latency_ms),
            key=request.conversation_id or envelope.key or request.request_id,
        )
        logger.info(
            "nlu request answered",
            extra={
                "intent": result.intent.value,
                "model": result.model.value,
                "confidence": round(result.confidence, 3),
                "fallback_reason": result.fallback_reason,
            },
        )

    async def on_feedback(event: pb.IntentCorrected, envelope: Envelope) -> None:
        try:
            intent = Intent(event.corrected_intent)
            predicted = Intent(event.predicted_intent) if event.predicted_intent else None
        except ValueError as exc:
            msg = f"unknown intent in correction: {event.corrected_intent!r}"
            raise PermanentError(msg) from exc
        await service.record_feedback(
            text=event.text,
            intent=intent,
            conversation_id=event.conversation_id or None,
            predicted_intent=predicted,
            event_id=envelope.id,
        )

    bus.subscribe(topics.NLU_REQUESTS, on_request, group=GROUP, concurrency=concurrency)
    # Its own group: corrections are stored in order, one at a time.
    bus.subscribe(topics.NLU_FEEDBACK, on_feedback, group=f"{GROUP}-feedback")
