"""Use cases the Kafka handlers (and the HTTP API) call: analyse a message, record a correction."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from atende_nlu_gemini.domain.classifier import LocalNlu
from atende_nlu_gemini.domain.entities import Entity
from atende_nlu_gemini.domain.errors import LlmError
from atende_nlu_gemini.domain.fewshot import select_examples
from atende_nlu_gemini.domain.labels import EntityKind, Intent, ModelName, Sentiment
from atende_nlu_gemini.domain.policy import Policy, should_ask_llm
from atende_nlu_gemini.domain.results import LlmAnswer, NluResult, Turn
from atende_nlu_gemini.metrics import NluMetrics
from atende_nlu_gemini.ports import FeedbackStore, LlmClassifier

logger = logging.getLogger(__name__)

# Document numbers are only ever taken from our own validated extraction, never from the LLM.
_LLM_ENTITY_KINDS = (EntityKind.DATE, EntityKind.MONEY, EntityKind.CONTRACT)


@dataclass(frozen=True, slots=True)
class AnalyzeRequest:
    """One customer message to analyse, with the recent conversation."""

    text: str
    conversation_id: str | None = None
    message_id: str | None = None
    context: Sequence[Turn] = ()


def merge_entities(text: str, local: tuple[Entity, ...], answer: LlmAnswer) -> tuple[Entity, ...]:
    """Local entities plus LLM dates/money/contracts that appear verbatim in the text."""
    merged = list(local)
    lowered = text.lower()
    for kind in _LLM_ENTITY_KINDS:
        if any(e.kind is kind for e in local):
            continue
        for value in answer.entities.get(kind.value, ()):
            start = lowered.find(value.lower())
            if value and start >= 0:  # ignore anything the model made up
                end = start + len(value)
                merged.append(Entity(kind, text[start:end], value, start, end))
    return tuple(sorted(merged, key=lambda e: e.start))


class NluService:
    """Runs the configured policy over the local model and the LLM."""

    def __init__(
        self,
        *,
        local: LocalNlu,
        feedback: FeedbackStore,
        metrics: NluMetrics,
        llm: LlmClassifier | None = None,
        policy: Policy = Policy.LOCAL_FIRST,
        threshold: float = 0.6,
        fewshot_examples: int = 4,
        context_turns: int = 6,
    ) -> None:
        self._local = local
        self._llm = llm
        self._feedback = feedback
        self._metrics = metrics
        self.policy = policy
        self._threshold = threshold
        self._fewshot = fewshot_examples
        self._context_turns = context_turns

    def replace_local_model(self, local: LocalNlu) -> None:
        """Swap in a retrained local model."""
        self._local = local

    async def analyze(self, request: AnalyzeRequest) -> NluResult:
        """Classify one message under the policy; local answers whenever the LLM cannot."""
        start = time.perf_counter()
        local = self._local.analyze(request.text)
        self._metrics.local_latency.observe(time.perf_counter() - start)

        if self._llm is None or not should_ask_llm(
            self.policy, local_confidence=local.confidence, threshold=self._threshold
        ):
            self._metrics.results.labels(model=ModelName.LOCAL.value).inc()
            return local

        examples = select_examples(request.text, self._feedback.recent(), self._fewshot)
        context = list(request.context)[-self._context_turns :] if self._context_turns else []
        try:
            answer = await self._llm.classify(request.text, context=context, examples=examples)
        except LlmError as exc:
            self._metrics.fallbacks.labels(reason=exc.kind).inc()
            self._metrics.results.labels(model=ModelName.LOCAL.value).inc()
            logger.info(
                "llm unavailable, local answer used",
                extra={"reason": exc.kind, "conversation_id": request.conversation_id},
            )
            return replace(local, fallback_reason=exc.kind)

        if self.policy is Policy.BOTH:
            agree = answer.intent is local.intent
            self._metrics.agreement.labels(agree=str(agree).lower()).inc()
        self._metrics.results.labels(model=ModelName.GEMINI.value).inc()
        return NluResult(
            intent=answer.intent,
            confidence=answer.confidence,
            secondary_intent=answer.secondary_intent,
            secondary_confidence=answer.secondary_confidence,
            sentiment=answer.sentiment,
            sentiment_confidence=answer.confidence,
            sentiment_intensity=local.sentiment_intensity,
            entities=merge_entities(request.text, local.entities, answer),
            model=ModelName.GEMINI,
            local_intent=local.intent,
            local_confidence=local.confidence,
        )

    async def record_feedback(
        self,
        *,
        text: str,
        intent: Intent,
        sentiment: Sentiment | None = None,
        conversation_id: str | None = None,
        predicted_intent: Intent | None = None,
        event_id: str | None = None,
    ) -> None:
        """Store a correction: a few-shot example now, training data at the next `nlu-train`."""
        await self._feedback.add(
            text=text,
            intent=intent,
            sentiment=sentiment,
            conversation_id=conversation_id,
            predicted_intent=predicted_intent,
            event_id=event_id,
        )
        logger.info(
            "nlu correction stored",
            extra={
                "conversation_id": conversation_id,
                "intent": intent.value,
                "predicted_intent": predicted_intent.value if predicted_intent else None,
            },
        )


__all__ = ["AnalyzeRequest", "NluService", "merge_entities"]
