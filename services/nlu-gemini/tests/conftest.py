"""Fixtures shared by unit and integration tests: one artifact trained per session."""

from __future__ import annotations

import pytest

from atende_nlu_gemini.domain.classifier import LocalNlu
from atende_nlu_gemini.settings import PACKAGE_DIR
from atende_nlu_gemini.training import Artifact, build_artifact

TRAIN_PATH = PACKAGE_DIR / "data" / "train.jsonl"
DEV_PATH = PACKAGE_DIR / "data" / "dev.jsonl"


@pytest.fixture(scope="session")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> Artifact:
    """The model built from the repository dataset, without corrections."""
    empty = tmp_path_factory.mktemp("feedback") / "none.jsonl"
    return build_artifact(train_path=TRAIN_PATH, feedback_path=empty, seed=13)


@pytest.fixture(scope="session")
def local_nlu(artifact: Artifact) -> LocalNlu:
    """The compiled local model."""
    return artifact.local_nlu()
