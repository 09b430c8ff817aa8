"""nlu.requests → nlu.results and nlu.feedback → store, on the real broker."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from atende.nlu.v1 import nlu_pb2 as pb
from atende_core.bus import Bus, Envelope, topics
from atende_core.ids import conversation_id
from atende_core.pii import development_keyring
from atende_nlu_gemini.adapters.feedback_store import JsonlFeedbackStore
from atende_nlu_gemini.domain.classifier import LocalNlu
from atende_nlu_gemini.handlers import subscribe
from atende_nlu_gemini.metrics import NluMetrics
from atende_nlu_gemini.use_cases import NluService
from atende_testing.waiting import wait_until

pytestmark = pytest.mark.integration
CID = conversation_id(phone_number_id="pn", wa_id="5511999999999", key=b"test-id-key")


async def test_requests_are_answered_and_corrections_stored(
    make_bus: Callable[..., Bus], local_nlu: LocalNlu, tmp_path: Path
) -> None:
    feedback_path = tmp_path / "feedback.jsonl"
    service = NluService(
        local=local_nlu,
        feedback=JsonlFeedbackStore(feedback_path, pii=development_keyring()),
        metrics=NluMetrics(CollectorRegistry()),
    )
    nlu_bus = make_bus("nlu-gemini")
    subscribe(nlu_bus, service)
    results: list[pb.TextAnalyzed] = []

    async def on_result(event: pb.TextAnalyzed, envelope: Envelope) -> None:
        results.append(event)

    conversation = make_bus("conversation")
    conversation.subscribe(topics.NLU_RESULTS, on_result, group="conversation-test")
    await nlu_bus.start(publishes_to=(topics.NLU_RESULTS,))
    await conversation.start(publishes_to=(topics.NLU_REQUESTS, topics.NLU_FEEDBACK))

    await conversation.publish(
        topics.NLU_REQUESTS,
        pb.AnalyzeText(
            request_id="r-1",
            conversation_id=CID,
            text="preciso da 2a via, cpf 529.982.247-26",
            context=[pb.Turn(role="bot", text="Olá! Como posso ajudar?")],
        ),
        key=CID,
    )
    await wait_until(lambda: results, timeout=60)
    (result,) = results
    assert result.request_id == "r-1"
    assert result.intent == "segunda_via"
    assert result.model == "local"
    assert [(e.type, e.valid) for e in result.entities] == [("cpf", False)]

    await conversation.publish(
        topics.NLU_FEEDBACK,
        pb.IntentCorrected(
            conversation_id=CID,
            text="quero trocar a senha do wifi",
            predicted_intent="conexao_lenta",
            corrected_intent="agendamento",
            agent_id="agent-1",
        ),
        key=CID,
    )
    await wait_until(feedback_path.exists, timeout=60)
    row = json.loads(feedback_path.read_text(encoding="utf-8"))
    assert row["intent"] == "agendamento"
    # The file line lands (in a thread) just before the in-memory example: wait for both.
    await wait_until(lambda: service_recent_has(service, "quero trocar a senha do wifi"), timeout=10)


def service_recent_has(service: NluService, text: str) -> bool:
    return any(e.text == text for e in service._feedback.recent())
