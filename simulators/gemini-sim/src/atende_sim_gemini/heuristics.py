"""A keyword heuristic standing in for the model: good enough for flows and tests."""

from __future__ import annotations

import re
import unicodedata

# First match wins; order puts the specific intents before the generic ones.
_RULES: tuple[tuple[str, str], ...] = (
    ("promessa_pagamento", r"confian|libera|desbloque|pago (dia|amanha|sexta|semana)|prazo"),
    ("informar_pagamento", r"paguei|comprovante|ja pag|pix feito|quitei"),
    ("segunda_via", r"boleto|fatura|2a? ?via|segunda via|pix|vencimento|codigo de barras"),
    ("cancelamento", r"cancel|rescis|encerrar|multa"),
    ("mudanca_endereco", r"mudar|mudanca|me mudei|endereco|casa nova"),
    ("agendamento", r"tecnico|visita|agend|instala|remarc"),
    ("conexao_lenta", r"lent|devagar|trav|oscil|ping|lag|caindo|wifi fraco|fraco"),
    ("sem_conexao", r"sem internet|sem net|caiu|los|luz vermelha|fora do ar|sem sinal"),
    ("falar_atendente", r"atendente|humano|pessoa|robo"),
    ("planos", r"plano|mega|giga|upgrade|preco|cobertura|contratar"),
    ("agradecimento", r"obrigad|valeu|vlw|tchau|ate mais"),
    ("saudacao", r"^(oi|ola|opa|bom dia|boa tarde|boa noite|e ai)\b"),
)
_NEGATIVE = re.compile(r"absurd|pessim|horrivel|lixo|raiva|cansad|ninguem|nao funciona|sem internet")
_POSITIVE = re.compile(r"obrigad|valeu|otim|excelente|perfeit|adorei")


def fold(text: str) -> str:
    """Lowercase without accents."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def classify(text: str) -> tuple[str, float, str]:
    """(intent, confidence, sentiment) for a customer message."""
    folded = fold(text)
    intent, confidence = "fora_escopo", 0.55
    for label, pattern in _RULES:
        if re.search(pattern, folded):
            intent, confidence = label, 0.9
            break
    sentiment = "negativo" if _NEGATIVE.search(folded) else "positivo" if _POSITIVE.search(folded) else "neutro"
    return intent, confidence, sentiment
