from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from atende_nlu_gemini.adapters.model_store import save_artifact
from atende_nlu_gemini.cli import app
from atende_nlu_gemini.settings import PACKAGE_DIR
from atende_nlu_gemini.training import Artifact

pytestmark = pytest.mark.unit

DEV_PATH = PACKAGE_DIR / "data" / "dev.jsonl"


@pytest.fixture
def model_env(artifact: Artifact, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "model.joblib"
    save_artifact(artifact, path)
    monkeypatch.setenv("NLU_MODEL_PATH", str(path))
    monkeypatch.setenv("NLU_FEEDBACK_PATH", str(tmp_path / "feedback.jsonl"))
    return tmp_path


def test_eval_prints_metrics_and_ends_with_macro_f1(model_env: Path) -> None:
    png = model_env / "confusion.png"
    result = CliRunner().invoke(app, ["eval", str(DEV_PATH), "--png", str(png)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("macro_f1=")
    assert float(lines[-1].split("=")[1]) >= 0.9
    for needle in ("accuracy:", "sentiment accuracy:", "confusion matrix", "p50", "p99"):
        assert needle in result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_eval_builds_the_model_when_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = tmp_path / "small.jsonl"
    small.write_text(DEV_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("NLU_TRAIN_PATH", str(small))  # a small training set keeps this fast
    monkeypatch.setenv("NLU_MODEL_PATH", str(tmp_path / "built.joblib"))
    monkeypatch.setenv("NLU_FEEDBACK_PATH", str(tmp_path / "none.jsonl"))
    result = CliRunner().invoke(app, ["eval", str(small)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "built.joblib").exists()
    assert (tmp_path / "small.confusion.png").exists()


def test_export_tuning_writes_gemini_jsonl(model_env: Path) -> None:
    (model_env / "feedback.jsonl").write_text(
        json.dumps({"text": "a fatura de R$ 99,90 veio errada", "intent": "segunda_via"}) + "\n",
        encoding="utf-8",
    )
    out = model_env / "tuning.jsonl"
    result = CliRunner().invoke(app, ["export-tuning", str(out), "--corrections-only"])
    assert result.exit_code == 0, result.output
    (line,) = out.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    user, model = record["contents"]
    assert user["role"] == "user"
    assert user["parts"][0]["text"].endswith("a fatura de R$ 99,90 veio errada")
    assert model["role"] == "model"
    answer = json.loads(model["parts"][0]["text"])
    assert answer["intent"] == "segunda_via"
    assert answer["entities"] == {"money": ["R$ 99,90"]}
    assert "systemInstruction" in record
