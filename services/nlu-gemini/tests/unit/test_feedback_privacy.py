"""LGPD on the feedback file: a subject's corrections are exported, then erased from the file and from
the few-shot window; everyone else's stay."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atende_core.pii import development_keyring
from atende_core.privacy import Subject
from atende_nlu_gemini.adapters.feedback_privacy import FeedbackPrivacy
from atende_nlu_gemini.adapters.feedback_store import JsonlFeedbackStore
from atende_nlu_gemini.domain.labels import Intent

pytestmark = pytest.mark.unit


async def test_a_subjects_corrections_are_exported_then_erased(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    store = JsonlFeedbackStore(path, pii=development_keyring())
    await store.add(text="Maria quer a fatura", intent=Intent.SEGUNDA_VIA, conversation_id="c-maria", event_id="e1")
    await store.add(text="sem internet aqui", intent=Intent.SEM_CONEXAO, conversation_id="c-joao", event_id="e2")
    privacy = FeedbackPrivacy(store)
    subject = Subject("r1", "ab" * 16, conversation_ids=("c-maria",))

    exported = await privacy.export(subject)
    assert [row["text"] for row in exported["intent_corrections"]] == ["Maria quer a fatura"]

    assert await privacy.erase(subject) == {"file.feedback": 1}
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert [row["conversation_id"] for row in rows] == ["c-joao"]
    assert [example.text for example in store.recent()] == ["sem internet aqui"]
    assert not path.with_name("feedback.jsonl.erasing").exists()

    # Replayed: nothing left to erase, the file is not rewritten.
    before = path.stat().st_mtime_ns
    assert await privacy.erase(subject) == {"file.feedback": 0}
    assert path.stat().st_mtime_ns == before
    assert await privacy.export(subject) == {"intent_corrections": []}
    # A command resolved to no conversation touches nothing.
    assert await privacy.erase(Subject("r2", "ab" * 16)) == {"file.feedback": 0}
