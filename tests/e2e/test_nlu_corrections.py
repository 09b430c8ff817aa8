"""An agent corrects the NLU from the handoff inbox: the correction travels gateway → `nlu.feedback` →
nlu-gemini, which writes it (text encrypted) into the feedback file `make nlu-train` folds in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from atende_core.identity import Role
from atende_core.ids import conversation_id as conversation_id_of
from atende_core.ids import conversation_id_key
from atende_core.pii import development_keyring, is_ciphertext
from atende_core.settings import ServiceSettings
from atende_nlu_gemini.domain.labels import Intent
from atende_nlu_gemini.training import read_examples
from atende_testing import wait_until
from atende_testing.operators import wait_for_handoff

pytestmark = pytest.mark.e2e
ID_KEY = conversation_id_key(ServiceSettings())


async def test_an_agents_correction_reaches_the_nlus_feedback_store(platform: Any, tmp_path: Path) -> None:
    # The platform fixture gives the NLU `tmp_path / "feedback.jsonl"` (the same per-test tmp_path).
    store = tmp_path / "feedback.jsonl"
    customer = platform.customer("5511955554444", "Rita")
    conversation_id = conversation_id_of(phone_number_id="106540352242922", wa_id=customer.phone, key=ID_KEY)
    await customer.taps("menu:agent", "Falar com atendente")
    await customer.reads("Vou te transferir para um atendente")
    headers = {"Authorization": f"Bearer {platform.tokens.mint('ana', Role.AGENT)}", "Idempotency-Key": "fix-1"}
    async with httpx.AsyncClient(base_url=platform.gateway, headers=headers) as operator:
        await wait_for_handoff(operator, conversation_id)
        body = {"text": "a fibra rompeu aqui na rua", "intent": "sem_conexao", "wrong_intent": "mudanca_endereco"}
        url = f"/operator/handoffs/{conversation_id}/corrections"
        first = await operator.post(url, json=body)
        again = await operator.post(url, json=body)  # a retried click
        assert first.status_code == again.status_code == 202

        def rows() -> list[dict[str, Any]] | None:
            if not store.exists():
                return None
            found = [json.loads(line) for line in store.read_text(encoding="utf-8").splitlines() if line.strip()]
            return found or None

        stored = await wait_until(rows, timeout=60) or []
    (row,) = [r for r in stored if r["conversation_id"] == conversation_id]
    assert row["event_id"] == first.json()["event_id"]
    assert (row["intent"], row["predicted_intent"]) == ("sem_conexao", "mudanca_endereco")
    # The customer's words are personal data: encrypted in the file, and training opens them.
    assert is_ciphertext(row["text"])
    assert "fibra" not in store.read_text(encoding="utf-8")
    examples = read_examples(store, pii=development_keyring())
    assert [(e.text, e.intent) for e in examples] == [(body["text"], Intent.SEM_CONEXAO)]
