"""Agents' corrections stored as JSON lines (the file `make nlu-train` folds into the model).

CPF and CNPJ digits are replaced by ``<cpf>``/``<cnpj>`` before writing: the classifier only
needs to know a document number was there (see ``text.normalize``), and the file stays free of
customer documents. The text (customer words: names, numbers) is then stored encrypted
(atende_core.pii); training and exports open it with the same keyring.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from atende_core.documents import CNPJ_IN_TEXT, is_valid_cnpj
from atende_core.pii import Keyring, is_ciphertext
from atende_nlu_gemini.domain.labels import Intent, Sentiment
from atende_nlu_gemini.domain.results import Example
from atende_nlu_gemini.training import FEEDBACK_TEXT_PURPOSE, read_examples

_CNPJ = re.compile(r"(?<!\d)\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}(?!\d)")
_CPF = re.compile(r"(?<!\d)\d{3}[.\s]?\d{3}[.\s]?\d{3}[-.\s]?\d{2}(?!\d)")


def mask_documents(text: str) -> str:
    """Replace CPF/CNPJ-shaped numbers (and alphanumeric CNPJs with valid check digits) by placeholders."""
    text = CNPJ_IN_TEXT.sub(lambda m: "<cnpj>" if is_valid_cnpj(m.group(0)) else m.group(0), text)
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

    # --- LGPD (adapters/feedback_privacy.py) ---------------------------------------------------------

    async def rows_of(self, conversation_ids: set[str]) -> list[dict[str, Any]]:
        """The stored corrections made in these conversations (texts opened)."""
        async with self._lock:
            rows = [
                row for row in await asyncio.to_thread(self._rows) if row.get("conversation_id") in conversation_ids
            ]
        return [{**row, "text": self._open(row.get("text"))} for row in rows]

    def _open(self, text: Any) -> str:
        value = str(text or "")
        return self._pii.decrypt_str(value, purpose=FEEDBACK_TEXT_PURPOSE) if is_ciphertext(value) else value

    async def drop_conversations(self, conversation_ids: set[str]) -> int:
        """Rewrite the file without the corrections of these conversations; how many went.

        Atomic (a temporary file replaces the old one); the in-memory few-shot window is rebuilt from
        what remains, so an erased text is not sent to Gemini as an example either.
        """
        async with self._lock:
            rows = await asyncio.to_thread(self._rows)
            kept = [row for row in rows if row.get("conversation_id") not in conversation_ids]
            if len(kept) == len(rows):
                return 0
            await asyncio.to_thread(self._rewrite, kept)
            self._recent = deque(read_examples(self._path, pii=self._pii), maxlen=self._recent.maxlen)
            return len(rows) - len(kept)

    def _rows(self) -> list[dict[str, Any]]:
        if not self._path.exists():
            return []
        with self._path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]

    def _rewrite(self, rows: list[dict[str, Any]]) -> None:
        partial = self._path.with_name(self._path.name + ".erasing")
        with partial.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(self._path)
