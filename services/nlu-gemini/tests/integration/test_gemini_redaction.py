"""Customer text reaches Gemini without documents, phone numbers or e-mails (real client, real simulator)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client import CollectorRegistry

from atende_nlu_gemini.adapters.gemini import GeminiNlu
from atende_nlu_gemini.domain.classifier import LocalNlu
from atende_nlu_gemini.domain.labels import EntityKind, Intent, ModelName
from atende_nlu_gemini.domain.policy import Policy
from atende_nlu_gemini.domain.results import Example, Turn
from atende_nlu_gemini.metrics import NluMetrics
from atende_nlu_gemini.use_cases import AnalyzeRequest, NluService

pytestmark = pytest.mark.integration

CPF_TYPED = "529.982.247-25"
CNPJ_ALNUM = "12.ABC.345/01DE-35"
SECRETS = (
    "529.982.247-25",
    "52998224725",
    "390 533 447 05",
    "39053344705",
    "11.222.333/0001-81",
    "11222333000181",
    "12.ABC.345/01DE-35",
    "12ABC34501DE35",
    "98765-4321",
    "987654321",
    "5511987654321",
    "5598985120338",
    "joao.silva@gmail.com",
    "maria@provedor.com.br",
)


class ListFeedback:
    def __init__(self, examples: list[Example]) -> None:
        self.examples = examples

    async def add(self, **_: object) -> Example:
        raise NotImplementedError

    def recent(self) -> list[Example]:
        return self.examples


@pytest.fixture
async def gemini(gemini_sim_url: str) -> AsyncIterator[GeminiNlu]:
    client = GeminiNlu(
        api_key="test-key",
        model="gemini-2.5-flash",
        base_url=gemini_sim_url,
        metrics=NluMetrics(CollectorRegistry()),
        timeout_s=1.0,
        budget_s=3.0,
        breaker_threshold=50,
        backoff_initial_s=0.05,
    )
    yield client
    await client.aclose()


async def test_the_body_gemini_receives_holds_no_document_phone_or_email(
    local_nlu: LocalNlu, gemini: GeminiNlu, sim: httpx.AsyncClient
) -> None:
    feedback = ListFeedback(
        [
            Example("meu cpf 390 533 447 05 manda a fatura no 5598985120338", Intent.SEGUNDA_VIA),
            Example("cnpj 11.222.333/0001-81 quero o boleto, email maria@provedor.com.br", Intent.SEGUNDA_VIA),
        ]
    )
    service = NluService(
        local=local_nlu, llm=gemini, feedback=feedback, metrics=NluMetrics(CollectorRegistry()), policy=Policy.LLM_FIRST
    )
    text = (
        f"quero a segunda via da fatura, cpf {CPF_TYPED}, empresa {CNPJ_ALNUM}, "
        "meu zap é (11) 98765-4321 e o email joao.silva@gmail.com, vence dia 10/12"
    )
    result = await service.analyze(
        AnalyzeRequest(
            text,
            conversation_id="106540352242922:5511987654321",
            context=[Turn("cliente", "oi, sou o 5511987654321"), Turn("bot", "Olá! Qual o seu CPF?")],
        )
    )

    (request,) = (await sim.get("/_sim/requests")).json()
    body = json.dumps(request, ensure_ascii=False)
    leaked = [secret for secret in SECRETS if secret in body]
    assert leaked == []
    assert "[CPF]" in request["message"]
    assert "[CNPJ]" in request["message"]
    assert "[TELEFONE]" in request["message"]
    assert "[EMAIL]" in request["message"]
    assert "[TELEFONE]" in body  # the context turn and the few-shot example too
    assert "vence dia 10/12" in request["message"]  # what is not personal data is untouched

    # Gemini answered, and the documents still come out of the NLU (from the local extraction).
    assert result.model is ModelName.GEMINI
    assert result.intent is Intent.SEGUNDA_VIA
    documents = {(e.kind, e.value) for e in result.entities if e.kind in (EntityKind.CPF, EntityKind.CNPJ)}
    assert documents == {(EntityKind.CPF, "52998224725"), (EntityKind.CNPJ, "12ABC34501DE35")}
