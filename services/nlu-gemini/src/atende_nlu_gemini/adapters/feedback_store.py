"""Agents' corrections stored as JSON lines (the file `make nlu-train` folds into the model).

CPF and CNPJ digits are replaced by ``<cpf>``/``<cnpj>`` before writing: the classifier only
needs to know a document number was there (see ``text.normalize``), and the file stays free of
customer documents. The text (customer words: names, numbers) is then stored encrypted
(atende_core.pii); training and exports open it with the same keyring.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import deque
from datetime import UTC, datetime
from pathlib import Path

from atende_core.pii import Keyring
from atende_nlu_gemini.domain.labels import Intent, Sentiment
from atende_nlu_gemini.domain.results import Example
from atende_nlu_gemini.training import FEEDBACK_TEXT_PURPOSE, read_examples

_CNPJ = re.compile(r"(?<!\d)\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}(?!\d)")
_CPF = re.compile(r"(?<!\d)\d{3}[.\s]?\d{3}[.\s]?\d{3}[-.\s]?\d{2}(?!\d)")


def mask_documents(text: str) -> str:
    """Replace CPF/CNPJ-shaped numbers by placeholders."""
    return _CPF.sub("<cpf>", _CNPJ.sub("<cnpj>", text))


class JsonlFeedbackStore:
    """Append-only corrections file; keeps the most recent ones in memory for few-shot prompts."""

    def __init__(self, path: Path, *, pii: Keyring, keep_in_memory: int = 500) -> None:
        self._path = path
        self._pii = pii
        self._lock = asyncio.Lock()
        self._recent: deque[Example] = deque(read_examples(path, pii=pii), maxlen=keep_in_memory)
        self._ids: deque[str] = deque(maxlen=5000)

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
        """Store one correction (idempotent on ``event_id`` within the in-memory window)."""
        example = Example(mask_documents(text), intent, sentiment or Sentiment.NEUTRO)
        row = {
            "text": self._pii.encrypt_str(example.text, purpose=FEEDBACK_TEXT_PURPOSE),
            "intent": intent.value,
            "sentiment": example.sentiment.value,
            "predicted_intent": predicted_intent.value if predicted_intent else None,
            "conversation_id": conversation_id,
            "event_id": event_id,
            "corrected_at": datetime.now(UTC).isoformat(),
        }
        async with self._lock:
            if event_id is not None and event_id in self._ids:
                return example
            await asyncio.to_thread(self._append, json.dumps(row, ensure_ascii=False))
            self._recent.append(example)
            if event_id is not None:
                self._ids.append(event_id)
        return example

    def _append(self, line: str) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with self._path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    def recent(self) -> list[Example]:
        """Corrections kept in memory, oldest first."""
        return list(self._recent)
