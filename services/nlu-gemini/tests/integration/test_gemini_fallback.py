"""The real google-genai client against the real simulator over a socket."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client import CollectorRegistry

from atende_nlu_gemini.adapters.gemini import GeminiNlu
from atende_nlu_gemini.domain.classifier import LocalNlu
from atende_nlu_gemini.domain.labels import Intent, ModelName
from atende_nlu_gemini.domain.policy import Policy
from atende_nlu_gemini.domain.results import Example, Turn
from atende_nlu_gemini.metrics import NluMetrics
from atende_nlu_gemini.use_cases import AnalyzeRequest, NluService

pytestmark = pytest.mark.integration


class ListFeedback:
    def __init__(self, examples: list[Example]) -> None:
        self.examples = examples

    async def add(self, **_: object) -> Example:
        raise NotImplementedError

    def recent(self) -> list[Example]:
        return self.examples


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


@pytest.fixture
async def gemini(gemini_sim_url: str, registry: CollectorRegistry) -> AsyncIterator[GeminiNlu]:
    client = GeminiNlu(
        api_key="test-key",
        model="gemini-2.5-flash",
        base_url=gemini_sim_url,
        metrics=NluMetrics(registry),
        timeout_s=0.5,
        budget_s=1.5,
        max_attempts=3,
        breaker_threshold=50,
        backoff_initial_s=0.05,
    )
    yield client
    await client.aclose()


def make_service(local: LocalNlu, gemini: GeminiNlu, registry: CollectorRegistry) -> NluService:
    return NluService(
        local=local,
        llm=gemini,
        feedback=ListFeedback([Example("a fatura veio errada", Intent.SEGUNDA_VIA)]),
        metrics=NluMetrics(CollectorRegistry()),
        policy=Policy.LLM_FIRST,
    )


async def test_normal_mode_answers_from_gemini_with_context_fewshot_and_tokens(
    local_nlu: LocalNlu, gemini: GeminiNlu, registry: CollectorRegistry, sim: httpx.AsyncClient
) -> None:
    service = make_service(local_nlu, gemini, registry)
    result = await service.analyze(
        AnalyzeRequest(
            "minha fatura veio errada, manda o boleto certo",
            context=[Turn("bot", "Olá! Como posso ajudar?")],
        )
    )
    assert result.model is ModelName.GEMINI
    assert result.intent is Intent.SEGUNDA_VIA
    (request,) = (await sim.get("/_sim/requests")).json()
    assert request["has_api_key"]
    assert request["generation_config"]["responseMimeType"] == "application/json"
    assert "intent" in request["generation_config"]["responseJsonSchema"]["properties"]
    roles = [c["role"] for c in request["contents"]]
    assert roles == ["user", "model", "user"]  # one few-shot pair, then the message
    assert "Olá! Como posso ajudar?" in request["contents"][-1]["parts"][0]["text"]
    assert registry.get_sample_value("nlu_gemini_tokens_total", {"type": "total"}) > 0


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("slow", "timeout"),
        ("throttled", "throttled"),
        ("server_error", "server_error"),
        ("unavailable", "server_error"),
        ("malformed", "malformed"),
        ("out_of_schema", "malformed"),
    ],
)
async def test_each_failure_mode_falls_back_to_local(
    local_nlu: LocalNlu,
    gemini: GeminiNlu,
    registry: CollectorRegistry,
    sim: httpx.AsyncClient,
    mode: str,
    reason: str,
) -> None:
    (await sim.post("/_sim/mode", json={"mode": mode, "delay_s": 2.0})).raise_for_status()
    service = make_service(local_nlu, gemini, registry)
    result = await service.analyze(AnalyzeRequest("preciso da segunda via do boleto"))
    assert result.model is ModelName.LOCAL
    assert result.intent is Intent.SEGUNDA_VIA
    assert result.fallback_reason == reason
    attempts = len((await sim.get("/_sim/requests")).json())
    if reason in {"malformed"}:
        assert attempts == 1  # not retried: the service answered, the answer is unusable
    else:
        assert 1 <= attempts <= 3  # retried within the budget
    assert registry.get_sample_value("nlu_gemini_errors_total", {"kind": reason}) >= 1


async def test_transient_throttling_is_retried_and_succeeds(
    local_nlu: LocalNlu, gemini: GeminiNlu, registry: CollectorRegistry, sim: httpx.AsyncClient
) -> None:
    (await sim.post("/_sim/mode", json={"mode": "throttled", "count": 1})).raise_for_status()
    result = await make_service(local_nlu, gemini, registry).analyze(AnalyzeRequest("quero cancelar"))
    assert result.model is ModelName.GEMINI
    assert [r["mode"] for r in (await sim.get("/_sim/requests")).json()] == ["throttled", "normal"]


async def test_circuit_opens_and_stops_calling(
    local_nlu: LocalNlu, gemini_sim_url: str, sim: httpx.AsyncClient
) -> None:
    registry = CollectorRegistry()
    gemini = GeminiNlu(
        api_key="test-key",
        model="gemini-2.5-flash",
        base_url=gemini_sim_url,
        metrics=NluMetrics(registry),
        max_attempts=1,
        breaker_threshold=2,
        breaker_reset_s=60,
    )
    try:
        (await sim.post("/_sim/mode", json={"mode": "server_error"})).raise_for_status()
        service = make_service(local_nlu, gemini, registry)
        reasons = [(await service.analyze(AnalyzeRequest("sem internet"))).fallback_reason for _ in range(4)]
    finally:
        await gemini.aclose()
    assert reasons[:2] == ["server_error", "server_error"]
    assert reasons[2:] == ["circuit_open", "circuit_open"]
    assert len((await sim.get("/_sim/requests")).json()) == 2
