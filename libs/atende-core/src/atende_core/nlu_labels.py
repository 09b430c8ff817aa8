"""The NLU's intent labels, for services that validate them without importing the NLU.

The NLU's `domain.labels.Intent` enum is the source of these values; a unit test
(tests/unit/test_intent_labels.py) fails when the two lists differ.
"""

from __future__ import annotations

INTENTS: tuple[str, ...] = (
    "saudacao",
    "segunda_via",
    "informar_pagamento",
    "promessa_pagamento",
    "sem_conexao",
    "conexao_lenta",
    "falar_atendente",
    "cancelamento",
    "planos",
    "agendamento",
    "mudanca_endereco",
    "agradecimento",
    "fora_escopo",
)
