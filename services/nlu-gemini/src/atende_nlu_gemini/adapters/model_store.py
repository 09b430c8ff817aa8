"""Load and save the local model artifact (joblib).

joblib unpickles code: only load artifacts this service built (the path comes from settings,
never from a request).
"""

from __future__ import annotations

import logging
from pathlib import Path

import joblib

from atende_core.pii import Keyring
from atende_nlu_gemini.training import ARTIFACT_FORMAT, Artifact, build_artifact

logger = logging.getLogger(__name__)


def save_artifact(artifact: Artifact, path: Path) -> None:
    """Write the artifact atomically (write to a temp file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    joblib.dump(
        {
            "intent_pipeline": artifact.intent_pipeline,
            "sentiment_pipeline": artifact.sentiment_pipeline,
            "metadata": artifact.metadata,
        },
        tmp,
        compress=3,
    )
    tmp.replace(path)


def load_artifact(path: Path) -> Artifact:
    """Read an artifact written by :func:`save_artifact`."""
    data = joblib.load(path)
    if data.get("metadata", {}).get("format") != ARTIFACT_FORMAT:
        msg = f"{path} has an unknown artifact format"
        raise ValueError(msg)
    return Artifact(data["intent_pipeline"], data["sentiment_pipeline"], data["metadata"])


def load_or_build(
    *, model_path: Path, train_path: Path, feedback_path: Path, seed: int, pii: Keyring | None = None
) -> Artifact:
    """Load the artifact, building and saving it first when it is missing."""
    if model_path.exists():
        return load_artifact(model_path)
    logger.info("nlu model missing, building it", extra={"model_path": str(model_path)})
    artifact = build_artifact(train_path=train_path, feedback_path=feedback_path, seed=seed, pii=pii)
    save_artifact(artifact, model_path)
    return artifact
