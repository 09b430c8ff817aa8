from __future__ import annotations

from collections.abc import Sequence

import pytest
from prometheus_client import CollectorRegistry

from atende_nlu_gemini.domain.classifier import LocalNlu
from atende_nlu_gemini.domain.errors import LlmError, LlmThrottledError, LlmTimeoutError
from atende_nlu_gemini.domain.labels import Intent, ModelName, Sentiment
from atende_nlu_gemini.domain.policy import Policy, should_ask_llm
from atende_nlu_gemini.domain.results import Example, LlmAnswer, Turn
from atende_nlu_gemini.metrics import NluMetrics
from atende_nlu_gemini.use_cases import AnalyzeRequest, NluService

pytestmark = pytest.mark.unit


class FakeLlm:
    """Records calls; answers with a fixed intent or raises a given error."""

    def __init__(self, answer: LlmAnswer | None = None, error: LlmError | None = None) -> None:
        self.answer = answer or LlmAnswer(Intent.PLANOS, 0.8, Sentiment.NEUTRO)
        self.error = error
        self.calls: list[tuple[str, list[Turn], list[Example]]] = []

    async def classify(self, text: str, *, context: Sequence[Turn], examples: Sequence[Example]) -> LlmAnswer:
        self.calls.append((text, list(context), list(examples)))
        if self.error:
            raise self.error
        return self.answer


class FakeFeedback:
    def __init__(self, examples: list[Example] | None = None) -> None:
        self.examples = examples or []

    async def add(self, *, text: str, intent: Intent, sentiment: Sentiment | None = None, **_: object) -> Example:
        example = Example(text, intent, sentiment or Sentiment.NEUTRO)
        self.examples.append(example)
        return example

    def recent(self) -> list[Example]:
        return list(self.examples)


def service(local: LocalNlu, llm: FakeLlm | None, policy: Policy, **kwargs: object) -> NluService:
    return NluService(
        local=local,
        llm=llm,
        feedback=kwargs.pop("feedback", FakeFeedback()),  # type: ignore[arg-type]
        metrics=NluMetrics(CollectorRegistry()),
        policy=policy,
        threshold=0.6,
        **kwargs,  # type: ignore[arg-type]
    )


def test_policy_parse_accepts_spellings() -> None:
    assert Policy.parse("LOCAL_FIRST") is Policy.LOCAL_FIRST
    assert Policy.parse("llm-first") is Policy.LLM_FIRST
    assert should_ask_llm(Policy.BOTH, local_confidence=0.99, threshold=0.6)
    assert not should_ask_llm(Policy.LOCAL_FIRST, local_confidence=0.9, threshold=0.6)


async def test_local_first_skips_llm_when_local_is_sure(local_nlu: LocalNlu) -> None:
    llm = FakeLlm()
    result = await service(local_nlu, llm, Policy.LOCAL_FIRST).analyze(AnalyzeRequest("quero cancelar meu contrato"))
    assert result.model is ModelName.LOCAL
    assert result.intent is Intent.CANCELAMENTO
    assert llm.calls == []


async def test_local_first_asks_llm_when_local_is_unsure(local_nlu: LocalNlu) -> None:
    llm = FakeLlm()
    text = "tecnico e boleto"  # two requests at once: the local model is torn
    assert local_nlu.analyze(text).confidence < 0.6
    result = await service(local_nlu, llm, Policy.LOCAL_FIRST).analyze(AnalyzeRequest(text))
    assert result.model is ModelName.GEMINI
    assert result.intent is Intent.PLANOS
    assert len(llm.calls) == 1


@pytest.mark.parametrize("policy", [Policy.LLM_FIRST, Policy.BOTH])
async def test_llm_first_and_both_always_ask(local_nlu: LocalNlu, policy: Policy) -> None:
    llm = FakeLlm()
    result = await service(local_nlu, llm, policy).analyze(AnalyzeRequest("quero cancelar meu contrato"))
    assert result.model is ModelName.GEMINI
    assert result.local_intent is Intent.CANCELAMENTO
    assert len(llm.calls) == 1


@pytest.mark.parametrize("error", [LlmTimeoutError("t"), LlmThrottledError("x")])
async def test_llm_failure_falls_back_to_local(local_nlu: LocalNlu, error: LlmError) -> None:
    result = await service(local_nlu, FakeLlm(error=error), Policy.LLM_FIRST).analyze(
        AnalyzeRequest("preciso da segunda via")
    )
    assert result.model is ModelName.LOCAL
    assert result.intent is Intent.SEGUNDA_VIA
    assert result.fallback_reason == error.kind


async def test_no_llm_configured_means_local(local_nlu: LocalNlu) -> None:
    result = await service(local_nlu, None, Policy.LLM_FIRST).analyze(AnalyzeRequest("oi"))
    assert result.model is ModelName.LOCAL


async def test_context_and_fewshot_reach_the_llm(local_nlu: LocalNlu) -> None:
    feedback = FakeFeedback(
        [
            Example("a fatura veio errada", Intent.SEGUNDA_VIA),
            Example("quero falar com alguem", Intent.FALAR_ATENDENTE),
        ]
    )
    llm = FakeLlm()
    context = [Turn("customer", f"msg {i}") for i in range(10)]
    await service(local_nlu, llm, Policy.LLM_FIRST, feedback=feedback, context_turns=3).analyze(
        AnalyzeRequest("minha fatura veio com valor errado", context=context)
    )
    (_, sent_context, examples) = llm.calls[0]
    assert [t.text for t in sent_context] == ["msg 7", "msg 8", "msg 9"]
    assert examples[0].text == "a fatura veio errada"


async def test_llm_entities_only_when_present_in_text(local_nlu: LocalNlu) -> None:
    answer = LlmAnswer(
        Intent.PROMESSA_PAGAMENTO,
        0.9,
        Sentiment.NEUTRO,
        entities={"date": ("semana que vem", "dia 31"), "cpf": ("52998224725",)},
    )
    result = await service(local_nlu, FakeLlm(answer), Policy.LLM_FIRST).analyze(
        AnalyzeRequest("pago la pela Semana que vem")
    )
    # local extraction finds "semana que vem" already; the made-up "dia 31" and CPF are dropped
    assert [(e.kind.value, e.text) for e in result.entities] == [("date", "Semana que vem")]


async def test_record_feedback_feeds_fewshot(local_nlu: LocalNlu) -> None:
    feedback = FakeFeedback()
    svc = service(local_nlu, FakeLlm(), Policy.LLM_FIRST, feedback=feedback)
    await svc.record_feedback(text="a conta ta errada", intent=Intent.SEGUNDA_VIA)
    assert feedback.recent() == [Example("a conta ta errada", Intent.SEGUNDA_VIA)]
