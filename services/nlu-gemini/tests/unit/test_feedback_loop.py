from __future__ import annotations

import json
from pathlib import Path

import pytest

from atende_core.pii import development_keyring
from atende_nlu_gemini.adapters.feedback_store import JsonlFeedbackStore
from atende_nlu_gemini.domain.classifier import LocalNlu
from atende_nlu_gemini.domain.labels import Intent
from atende_nlu_gemini.settings import PACKAGE_DIR
from atende_nlu_gemini.training import FEEDBACK_TEXT_PURPOSE, build_artifact, read_examples

pytestmark = pytest.mark.unit

TRAIN_PATH = PACKAGE_DIR / "data" / "train.jsonl"
PII = development_keyring()


async def test_correction_changes_prediction_after_retraining(local_nlu: LocalNlu, tmp_path: Path) -> None:
    # Not in the taxonomy's examples; agents decide what it means for this ISP.
    text = "quero trocar a senha do wifi"
    before = local_nlu.analyze(text).intent
    target = Intent.AGENDAMENTO if before is not Intent.AGENDAMENTO else Intent.FALAR_ATENDENTE

    store = JsonlFeedbackStore(tmp_path / "feedback.jsonl", pii=PII)
    await store.add(text=text, intent=target, predicted_intent=before, event_id="e1")
    await store.add(text=text, intent=target, event_id="e1")  # redelivered event
    assert len((tmp_path / "feedback.jsonl").read_text().splitlines()) == 1

    retrained = build_artifact(train_path=TRAIN_PATH, feedback_path=tmp_path / "feedback.jsonl", seed=13, pii=PII)
    assert retrained.metadata["corrections"] == 1
    assert retrained.local_nlu().analyze(text).intent is target


async def test_feedback_store_masks_documents(tmp_path: Path) -> None:
    store = JsonlFeedbackStore(tmp_path / "f.jsonl", pii=PII)
    await store.add(
        text="Maria: cpf 529.982.247-25 cnpj 11.222.333/0001-81 e 12.abc.345/01de-35", intent=Intent.SEGUNDA_VIA
    )
    raw = (tmp_path / "f.jsonl").read_text()
    assert "Maria" not in raw  # the text is encrypted at rest
    opened = PII.decrypt_str(json.loads(raw)["text"], purpose=FEEDBACK_TEXT_PURPOSE)
    assert opened == "Maria: cpf <cpf> cnpj <cnpj> e <cnpj>"
    reopened = JsonlFeedbackStore(tmp_path / "f.jsonl", pii=PII).recent()[0]
    assert (reopened.text, reopened.intent) == (opened, Intent.SEGUNDA_VIA)
    # Without the keyring the corrections cannot be read, and training says so instead of learning ciphertexts.
    with pytest.raises(ValueError, match="encrypted"):
        read_examples(tmp_path / "f.jsonl")


def test_training_is_reproducible(tmp_path: Path) -> None:
    small = tmp_path / "train.jsonl"
    lines = TRAIN_PATH.read_text(encoding="utf-8").splitlines()[::3]
    small.write_text("\n".join(lines) + "\n", encoding="utf-8")
    none = tmp_path / "none.jsonl"
    first = build_artifact(train_path=small, feedback_path=none, seed=13)
    second = build_artifact(train_path=small, feedback_path=none, seed=13)
    assert first.metadata == second.metadata
    probe = ["paguei ontem", "quero cancelar", "oi"]
    assert (first.intent_pipeline.predict_proba(probe) == second.intent_pipeline.predict_proba(probe)).all()
