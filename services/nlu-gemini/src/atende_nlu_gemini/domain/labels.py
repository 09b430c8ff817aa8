"""The label sets shared with the rest of Atende (see shared/reference/nlu-intents.md)."""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    """What the customer wants; one main intent per message."""

    SAUDACAO = "saudacao"
    SEGUNDA_VIA = "segunda_via"
    INFORMAR_PAGAMENTO = "informar_pagamento"
    PROMESSA_PAGAMENTO = "promessa_pagamento"
    SEM_CONEXAO = "sem_conexao"
    CONEXAO_LENTA = "conexao_lenta"
    FALAR_ATENDENTE = "falar_atendente"
    CANCELAMENTO = "cancelamento"
    PLANOS = "planos"
    AGENDAMENTO = "agendamento"
    MUDANCA_ENDERECO = "mudanca_endereco"
    AGRADECIMENTO = "agradecimento"
    FORA_ESCOPO = "fora_escopo"


class Sentiment(StrEnum):
    """Tone of the message."""

    NEGATIVO = "negativo"
    NEUTRO = "neutro"
    POSITIVO = "positivo"


class ModelName(StrEnum):
    """Which model produced a result."""

    LOCAL = "local"
    GEMINI = "gemini"


class EntityKind(StrEnum):
    """Entity types the NLU extracts."""

    CPF = "cpf"
    CNPJ = "cnpj"
    DATE = "date"
    MONEY = "money"
    CONTRACT = "contract"


INTENTS: tuple[str, ...] = tuple(i.value for i in Intent)
SENTIMENTS: tuple[str, ...] = tuple(s.value for s in Sentiment)
