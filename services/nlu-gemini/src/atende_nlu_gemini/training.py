"""Build the local model artifact, reproducibly, from the dataset and agents' corrections.

``build_artifact`` is deterministic for a given dataset, corrections file and seed: the
metadata records a SHA-256 of both inputs so two artifacts can be compared without retraining.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline

from atende_core.pii import Keyring, PiiDecryptError, is_ciphertext
from atende_nlu_gemini.domain.classifier import (
    LocalNlu,
    build_intent_pipeline,
    build_sentiment_pipeline,
)
from atende_nlu_gemini.domain.fastpath import CompiledClassifier
from atende_nlu_gemini.domain.labels import Intent, Sentiment
from atende_nlu_gemini.domain.results import Example
from atende_nlu_gemini.domain.text import normalize

logger = logging.getLogger(__name__)

ARTIFACT_FORMAT = 1
# A correction is worth more than one hand-written line: an agent saw the model get it wrong.
CORRECTION_WEIGHT = 3.0
# Associated data of the encrypted texts of agents' corrections (the feedback file).
FEEDBACK_TEXT_PURPOSE = "nlu-feedback.text"


def read_examples(path: Path, *, pii: Keyring | None = None) -> list[Example]:
    """Read ``{"text", "intent", "sentiment"?}`` JSON lines; unknown labels are an error, and so is an
    encrypted text (the feedback file's) that `pii` cannot open."""
    examples: list[Example] = []
    if not path.exists():
        return examples
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            try:
                examples.append(
                    Example(
                        text=_text(row["text"], pii),
                        intent=Intent(row["intent"]),
                        sentiment=Sentiment(row.get("sentiment") or Sentiment.NEUTRO),
                    )
                )
            except (KeyError, ValueError, PiiDecryptError) as exc:
                msg = f"{path}:{number}: invalid example ({exc})"
                raise ValueError(msg) from exc
    return examples


def _sha256(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def merge_corrections(base: list[Example], corrections: list[Example]) -> tuple[list[Example], list[float]]:
    """Training rows and weights; a correction replaces base lines with the same normalised text."""
    corrected: dict[str, Example] = {}
    for example in corrections:  # later corrections win
        corrected[normalize(example.text)] = example
    rows = [e for e in base if normalize(e.text) not in corrected]
    weights = [1.0] * len(rows)
    rows.extend(corrected.values())
    weights.extend([CORRECTION_WEIGHT] * len(corrected))
    return rows, weights


@dataclass(frozen=True)
class Artifact:
    """The fitted pipelines plus metadata, as stored on disk."""

    intent_pipeline: Pipeline
    sentiment_pipeline: Pipeline
    metadata: dict[str, Any] = field(default_factory=dict)

    def local_nlu(self) -> LocalNlu:
        """The domain object that serves predictions (through the compiled fast path)."""
        return LocalNlu(CompiledClassifier(self.intent_pipeline), CompiledClassifier(self.sentiment_pipeline))


def _text(value: Any, pii: Keyring | None) -> str:
    text = str(value)
    if not is_ciphertext(text):
        return text
    if pii is None:
        msg = "encrypted text and no PII keyring to open it"
        raise ValueError(msg)
    return pii.decrypt_str(text, purpose=FEEDBACK_TEXT_PURPOSE)


def build_artifact(*, train_path: Path, feedback_path: Path, seed: int = 13, pii: Keyring | None = None) -> Artifact:
    """Fit intent and sentiment pipelines on the dataset plus corrections (opened with `pii`)."""
    base = read_examples(train_path)
    corrections = read_examples(feedback_path, pii=pii)
    if not base:
        msg = f"no training examples in {train_path}"
        raise ValueError(msg)
    rows, weights = merge_corrections(base, corrections)
    texts = [e.text for e in rows]
    sample_weight = np.asarray(weights)

    intent = build_intent_pipeline(seed)
    intent.fit(texts, [e.intent.value for e in rows], clf__sample_weight=sample_weight)
    sentiment = build_sentiment_pipeline(seed)
    sentiment.fit(texts, [e.sentiment.value for e in rows], clf__sample_weight=sample_weight)

    metadata = {
        "format": ARTIFACT_FORMAT,
        "dataset_sha256": _sha256(train_path, feedback_path),
        "train_examples": len(base),
        "corrections": len(corrections),
        "seed": seed,
        "sklearn_version": sklearn.__version__,
        "intents": sorted(str(c) for c in intent.classes_),
    }
    logger.info(
        "nlu model built",
        extra={"examples": len(rows), "corrections": len(corrections), "seed": seed},
    )
    return Artifact(intent, sentiment, metadata)


def cross_validate(*, train_path: Path, seed: int = 13, folds: int = 5) -> dict[str, float]:
    """Stratified k-fold macro-F1 (intent) and accuracy (sentiment) on the hand-written dataset."""
    examples = read_examples(train_path)
    texts = [e.text for e in examples]
    intents = [e.intent.value for e in examples]
    sentiments = [e.sentiment.value for e in examples]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    predicted = cross_val_predict(build_intent_pipeline(seed), texts, intents, cv=splitter)
    predicted_sent = cross_val_predict(build_sentiment_pipeline(seed), texts, sentiments, cv=splitter)
    return {
        "intent_macro_f1": float(f1_score(intents, predicted, average="macro")),
        "intent_accuracy": float(np.mean(np.asarray(predicted) == np.asarray(intents))),
        "sentiment_accuracy": float(np.mean(np.asarray(predicted_sent) == np.asarray(sentiments))),
    }
