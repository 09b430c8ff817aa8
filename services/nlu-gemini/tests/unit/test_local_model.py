from __future__ import annotations

import time

import numpy as np
import pytest
from sklearn.metrics import f1_score

from atende_nlu_gemini.domain.classifier import LocalNlu
from atende_nlu_gemini.domain.fastpath import CompiledClassifier
from atende_nlu_gemini.domain.labels import Intent, ModelName, Sentiment
from atende_nlu_gemini.evaluation import read_eval_rows
from atende_nlu_gemini.settings import PACKAGE_DIR
from atende_nlu_gemini.training import Artifact

DEV_PATH = PACKAGE_DIR / "data" / "dev.jsonl"

pytestmark = pytest.mark.unit


def dev_rows() -> list[dict[str, object]]:
    return read_eval_rows(DEV_PATH)


def test_compiled_path_matches_sklearn(artifact: Artifact) -> None:
    texts = [str(r["text"]) for r in dev_rows()] + ["", "🙂", "???"]
    for pipeline in (artifact.intent_pipeline, artifact.sentiment_pipeline):
        compiled = CompiledClassifier(pipeline)
        assert list(compiled.classes_) == list(pipeline.classes_)
        np.testing.assert_allclose(compiled.predict_proba(texts), pipeline.predict_proba(texts), atol=1e-9)


def test_dev_set_quality(local_nlu: LocalNlu) -> None:
    rows = dev_rows()
    gold = [str(r["intent"]) for r in rows]
    predicted = [local_nlu.analyze(str(r["text"])).intent.value for r in rows]
    assert f1_score(gold, predicted, average="macro") >= 0.93


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("PRECISO DA 2 VIA DO BOLETO PFV", Intent.SEGUNDA_VIA),
        ("ja paguei ontem, segue o comprovante", Intent.INFORMAR_PAGAMENTO),
        ("libera em confiança q eu pago dia 10", Intent.PROMESSA_PAGAMENTO),
        ("a luz LOS ta vermelha, sem net", Intent.SEM_CONEXAO),
        ("a net ta lenta e caindo toda hora", Intent.CONEXAO_LENTA),
        ("quero cancelar a visita do tecnico", Intent.AGENDAMENTO),
        ("vou me mudar, quero levar a internet", Intent.MUDANCA_ENDERECO),
    ],
)
def test_confusable_pairs(local_nlu: LocalNlu, text: str, intent: Intent) -> None:
    result = local_nlu.analyze(text)
    assert result.intent is intent
    assert result.model is ModelName.LOCAL


def test_result_carries_entities_sentiment_and_secondary(local_nlu: LocalNlu) -> None:
    result = local_nlu.analyze("absurdo, to sem internet faz 3 dias! cpf 529.982.247-25")
    assert result.intent is Intent.SEM_CONEXAO
    assert result.sentiment is Sentiment.NEGATIVO
    assert [e.value for e in result.entities] == ["52998224725"]
    assert result.secondary_intent is None or result.secondary_confidence < result.confidence


def test_confidence_is_calibrated(local_nlu: LocalNlu) -> None:
    """Confidence tracks accuracy on unseen text: no overconfidence, right ranking of cases."""
    rows = dev_rows()
    results = [(local_nlu.analyze(str(r["text"])), str(r["intent"])) for r in rows]
    confidences = np.array([res.confidence for res, _ in results])
    correct = np.array([res.intent.value == gold for res, gold in results], dtype=float)
    # Brier score of the top label: low when confidences are both sharp and honest.
    assert float(np.mean((confidences - correct) ** 2)) < 0.1
    # Mean confidence should not exceed accuracy by much (not overconfident).
    assert confidences.mean() <= correct.mean() + 0.05
    # Clear messages get high confidence, messages mixing two requests low.
    assert local_nlu.analyze("quero cancelar meu contrato").confidence > 0.7
    assert local_nlu.analyze("tecnico e boleto").confidence < 0.6
    total = sum(local_nlu.analyze("preciso do boleto").scores.values())
    assert total <= 1.0 + 1e-9


def test_empty_message_is_out_of_scope(local_nlu: LocalNlu) -> None:
    assert local_nlu.analyze("   ").intent is Intent.FORA_ESCOPO


def test_cpu_cost_per_message_is_well_under_5ms(local_nlu: LocalNlu) -> None:
    texts = [str(r["text"]) for r in dev_rows()]
    for text in texts[:20]:
        local_nlu.analyze(text)
    start = time.process_time()
    for text in texts:
        local_nlu.analyze(text)
    per_message_ms = (time.process_time() - start) / len(texts) * 1000
    assert per_message_ms < 5
