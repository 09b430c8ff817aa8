"""Small pure readers of customer text that need no NLU: documents, numbers, yes/no, asking for a human."""

from __future__ import annotations

import re
import unicodedata

from atende_core.documents import document_in_text

# Asking for a human works at any point, even when the NLU is down, so it is matched here first.
_AGENT = re.compile(
    r"\b(atendente|atendimento humano|humano|operador|operadora|falar com (alguem|uma pessoa|gente|voces))\b"
)
_MENU = re.compile(r"^(menu|inicio|voltar|opcoes|menu principal)$")
_YES = re.compile(r"^(sim|s|ss|isso|ok|okay|claro|pode|pode sim|quero|confirmo|confirmar|voltou|resolveu|melhorou)\b")
_NO = re.compile(r"^(nao|n|agora nao|ainda nao|continua|nada|negativo)\b")
_NUMBER = re.compile(r"^\s*#?(\d{1,6})\s*[.)]?\s*$")


def normalize(text: str) -> str:
    """Lower-case, accents removed, spaces collapsed: how the matchers compare text."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", " ", stripped).split())


def asks_for_agent(text: str) -> bool:
    """True when the customer plainly asks for a person."""
    return bool(_AGENT.search(normalize(text)))


def asks_for_menu(text: str) -> bool:
    """True when the text is just 'menu', 'voltar' and the like."""
    return bool(_MENU.match(normalize(text)))


def yes_or_no(text: str) -> bool | None:
    """True for a plain yes, False for a plain no, None otherwise (then the NLU reads it)."""
    norm = normalize(text)
    if _NO.match(norm):
        return False
    if _YES.match(norm):
        return True
    return None


def small_number(text: str) -> int | None:
    """The number when the whole message is one (e.g. '5', '2.', '#3'), else None."""
    match = _NUMBER.match(text)
    return int(match.group(1)) if match else None


def document_digits(text: str) -> str:
    """The document typed in any form ('123.456.789-09', 'cpf 12345678909', '12.ABC.345/01DE-35') as its
    normal key (an alphanumeric CNPJ keeps its letters); the digits typed when no document is valid."""
    return document_in_text(text)
