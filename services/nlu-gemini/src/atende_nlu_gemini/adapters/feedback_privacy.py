"""The NLU's side of LGPD erasure and export (docs/privacy.md): agents' corrections in the feedback file
carry the customer's text (documents already masked) and the conversation id; they are found by the
conversation ids of a resolved privacy command. The trained model keeps no text of anyone's, and an
erased correction leaves the next training too."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from atende_core.privacy import Subject
from atende_nlu_gemini.adapters.feedback_store import JsonlFeedbackStore


class FeedbackPrivacy:
    """Erases and exports a subject's corrections."""

    def __init__(self, store: JsonlFeedbackStore) -> None:
        self._store = store

    async def erase(self, subject: Subject) -> Mapping[str, int]:
        """Drop the corrections made in the subject's conversations."""
        dropped = await self._store.drop_conversations(set(subject.conversation_ids)) if subject.conversation_ids else 0
        return {"file.feedback": dropped}

    async def export(self, subject: Subject) -> dict[str, Any]:
        """The corrections made in the subject's conversations."""
        rows = await self._store.rows_of(set(subject.conversation_ids)) if subject.conversation_ids else []
        return {"intent_corrections": rows}
