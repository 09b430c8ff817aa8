"""What the use cases need from the outside world."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from atende_nlu_gemini.domain.labels import Intent, Sentiment
from atende_nlu_gemini.domain.results import Example, LlmAnswer, Turn


class LlmClassifier(Protocol):
    """An LLM that classifies one message; raises ``domain.errors.LlmError`` subclasses."""

    async def classify(self, text: str, *, context: Sequence[Turn], examples: Sequence[Example]) -> LlmAnswer:
        """Classify ``text`` given recent turns and few-shot examples."""
        ...


class FeedbackStore(Protocol):
    """Where agents' corrections are kept."""

    async def add(
        self,
        *,
        text: str,
        intent: Intent,
        sentiment: Sentiment | None = None,
        conversation_id: str | None = None,
        predicted_intent: Intent | None = None,
        event_id: str | None = None,
    ) -> Example:
        """Store one correction."""
        ...

    def recent(self) -> list[Example]:
        """Most recent corrections, oldest first."""
        ...
