"""Result types produced by the NLU, whichever model answered."""

from __future__ import annotations

from dataclasses import dataclass, field

from atende_nlu_gemini.domain.entities import Entity
from atende_nlu_gemini.domain.labels import Intent, ModelName, Sentiment


@dataclass(frozen=True, slots=True)
class NluResult:
    """Intent, confidence, optional secondary intent, entities and sentiment for one message."""

    intent: Intent
    confidence: float
    sentiment: Sentiment
    entities: tuple[Entity, ...]
    model: ModelName
    secondary_intent: Intent | None = None
    secondary_confidence: float = 0.0
    sentiment_confidence: float = 0.0
    # 0..1, how strongly it is expressed (domain.intensity); >= 0.6 is an upset customer.
    sentiment_intensity: float = 0.0
    # Why the LLM was not used when it could have been ("timeout", "throttled", ...), if any.
    fallback_reason: str | None = None
    # Under the "both" policy, the local model's opinion is kept for comparison.
    local_intent: Intent | None = None
    local_confidence: float | None = None
    scores: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Example:
    """A labelled message: a training line or an agent's correction."""

    text: str
    intent: Intent
    sentiment: Sentiment = Sentiment.NEUTRO


@dataclass(frozen=True, slots=True)
class Turn:
    """One earlier turn of the conversation, used as context for the LLM."""

    role: str  # "customer" | "bot" | "agent"
    text: str


@dataclass(frozen=True, slots=True)
class LlmAnswer:
    """A validated answer from the LLM, before it is merged with local entities."""

    intent: Intent
    confidence: float
    sentiment: Sentiment
    secondary_intent: Intent | None = None
    secondary_confidence: float = 0.0
    entities: dict[str, tuple[str, ...]] = field(default_factory=dict)
    prompt_tokens: int = 0
    output_tokens: int = 0
