"""What we send to the LLM and what we expect back (shared by the adapter and the tuning export).

The prompt format used at inference and in the tuning dataset is the same, so a tuned model sees
at serving time exactly what it was trained on.

Customer text never reaches the LLM in clear: CPFs, CNPJs, phone numbers, e-mails and credentials
become ``[CPF]``, ``[CNPJ]``, ``[TELEFONE]``, ``[EMAIL]`` (``atende_core.masking.redact_text``) in the
message, the recent turns and the few-shot examples. Document entities are taken from the local
extraction of the original text (``use_cases.merge_entities``), so nothing the NLU returns is lost.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from atende_core.masking import redact_text
from atende_nlu_gemini.domain.entities import extract_entities
from atende_nlu_gemini.domain.labels import INTENTS, SENTIMENTS, EntityKind
from atende_nlu_gemini.domain.results import Example, Turn

SYSTEM_INSTRUCTION = (
    "Você classifica mensagens de clientes de um provedor de internet brasileiro (WhatsApp). "
    "Responda só com JSON no esquema pedido. Intenções: "
    "saudacao (só cumprimenta, sem pedido); segunda_via (boleto, PIX, linha digitável, valor ou "
    "vencimento da fatura); informar_pagamento (diz que pagou, manda comprovante, pagamento não "
    "reconhecido); promessa_pagamento (desbloqueio em confiança: liberar agora e pagar depois); "
    "sem_conexao (sem internet nenhuma, luz LOS vermelha, cabo rompido); conexao_lenta (lenta, "
    "instável, caindo e voltando, Wi-Fi fraco, ping alto); falar_atendente (quer um humano); "
    "cancelamento (cancelar contrato ou saber a multa); planos (planos, preços, upgrade, "
    "contratar, cobertura); agendamento (visita técnica ou instalação: marcar, confirmar, "
    "remarcar, quando); mudanca_endereco (levar o serviço para outro endereço); agradecimento "
    "(agradece ou se despede); fora_escopo (assunto alheio ou mensagem sem sentido). "
    "Use o contexto da conversa só para desambiguar a última mensagem do cliente. "
    "confidence é a sua probabilidade (0 a 1) de a intenção estar certa. "
    "Sentimento: negativo, neutro ou positivo. Entidades como escritas na mensagem. "
    "Dados pessoais já vêm substituídos por [CPF], [CNPJ], [TELEFONE] e [EMAIL]."
)

ENTITY_KINDS: tuple[str, ...] = tuple(k.value for k in EntityKind)

# JSON Schema for structured output (response_json_schema); kept to the subset Gemini accepts.
RESPONSE_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "intent": {"type": "string", "enum": list(INTENTS)},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "secondary_intent": {"type": ["string", "null"], "enum": [*INTENTS, None]},
        "secondary_confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "sentiment": {"type": "string", "enum": list(SENTIMENTS)},
        "entities": {
            "type": "object",
            "properties": {kind: {"type": "array", "items": {"type": "string"}} for kind in ENTITY_KINDS},
        },
    },
    "required": ["intent", "confidence", "sentiment"],
}

MESSAGE_MARKER = "Mensagem do cliente:"


def user_prompt(text: str, context: Sequence[Turn] = ()) -> str:
    """The user turn: recent conversation (if any) then the message to classify, personal data redacted."""
    lines: list[str] = []
    if context:
        lines.append("Conversa recente:")
        lines.extend(f"{turn.role}: {redact_text(turn.text)}" for turn in context)
        lines.append("")
    lines.append(f"{MESSAGE_MARKER} {redact_text(text)}")
    return "\n".join(lines)


def answer_json(example: Example) -> str:
    """The model turn for a labelled example, as compact JSON (entities of the redacted text)."""
    entities: dict[str, list[str]] = {}
    for entity in extract_entities(redact_text(example.text)):
        if entity.valid:
            entities.setdefault(entity.kind.value, []).append(entity.text)
    answer = {
        "intent": example.intent.value,
        "confidence": 1.0,
        "secondary_intent": None,
        "secondary_confidence": 0.0,
        "sentiment": example.sentiment.value,
        "entities": entities,
    }
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":"))


def tuning_record(example: Example, *, with_system: bool = True) -> dict[str, Any]:
    """One line of a Gemini supervised tuning dataset (Vertex AI JSONL format)."""
    record: dict[str, Any] = {
        "contents": [
            {"role": "user", "parts": [{"text": user_prompt(example.text)}]},
            {"role": "model", "parts": [{"text": answer_json(example)}]},
        ]
    }
    if with_system:
        record = {"systemInstruction": {"parts": [{"text": SYSTEM_INSTRUCTION}]}, **record}
    return record
