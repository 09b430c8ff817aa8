"""Entity extraction: CPF and CNPJ (check digits validated, alphanumeric CNPJs too), dates as written,
money, contracts.

An invalid CPF is still reported (``valid=False``) so the bot can say "this number looks wrong"
instead of "customer not found". A bare 11-digit run that fails the CPF check but looks like a
mobile number (DDD + 9) is not reported unless the word "cpf" is right before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from atende_core.documents import CNPJ_IN_TEXT, document_key, is_valid_cnpj, is_valid_cpf
from atende_nlu_gemini.domain.labels import EntityKind
from atende_nlu_gemini.domain.text import fold


@dataclass(frozen=True, slots=True)
class Entity:
    """One entity found in a message; ``text`` is as written, ``value`` is canonical."""

    kind: EntityKind
    text: str
    value: str
    start: int
    end: int
    valid: bool = True


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


# The platform's one validator (numeric and alphanumeric CNPJs); the names stay for this package's callers.
cpf_is_valid = is_valid_cpf
cnpj_is_valid = is_valid_cnpj


_CNPJ_RE = re.compile(r"(?<![\d.])\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}(?![\d])")
_CPF_RE = re.compile(r"(?<![\d.])\d{3}[.\s]?\d{3}[.\s]?\d{3}[-.\s]?\d{2}(?![\d])")
_CPF_KEYWORD_RE = re.compile(r"\bcpf\b\D{0,12}?((?:\d[.\-\s]?){8,13}\d)(?!\d)")
_MOBILE_RE = re.compile(r"[1-9]{2}9\d{8}")

_MONEY_RE = re.compile(
    r"r\$\s*\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?"
    r"|r\$\s*\d+(?:[.,]\d{1,2})?"
    r"|(?<![\d,./])\d+(?:[.,]\d{1,2})?\s*(?:reais|real|conto|contos|pila|pilas)\b"
    r"|(?<![\d,./])\d{1,4},\d{2}(?![\d/])"
)

_MONTHS = "janeiro|fevereiro|marco|abril|maio|junho|julho|agosto|setembro|outubro|novembro|dezembro"
_DATE_RES: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?<![\d/,.])(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\d/])"),
    re.compile(r"(?<![\d/,.])(\d{1,2})/(\d{4})(?![\d/])"),
    re.compile(rf"\bdia\s+(\d{{1,2}})(?:\s+de\s+(?:{_MONTHS}))?(?!\d)"),
    re.compile(rf"\b(\d{{1,2}})\s+de\s+(?:{_MONTHS})\b"),
    re.compile(
        r"\b(?:segunda|terca|quarta|quinta|sexta)(?:[-\s]feira)?\b"
        r"(?!\s*(?:via|vez|opcao|parcela|fatura|conta))"
    ),
    re.compile(r"\b(?:sabado|domingo)\b"),
    re.compile(
        r"\b(?:depois de amanha|amanha|hoje|ontem|anteontem|semana que vem|proxima semana"
        r"|mes que vem|proximo mes|fim do mes|final do mes|comeco do mes|inicio do mes)\b"
    ),
    re.compile(rf"\b(?:{_MONTHS})\b"),
)

_CONTRACT_RE = re.compile(r"\bcontrato\s*(?:de\s+)?(?:n(?:umero|um|o|º|°)?\.?\s*|#\s*|:\s*)?(\d{3,12})(?!\d)")


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(start < t_end and t_start < end for t_start, t_end in taken)


def _money_value(raw: str) -> str | None:
    number = re.sub(r"[^\d.,]", "", raw)
    if "," in number:
        number = number.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+", number):
        number = number.replace(".", "")
    try:
        return str(Decimal(number).quantize(Decimal("0.01")))
    except InvalidOperation:
        return None


def _valid_numeric_date(match: re.Match[str]) -> bool:
    first, second = int(match.group(1)), int(match.group(2))
    if len(match.group(2)) == 4:  # mm/yyyy
        return 1 <= first <= 12
    return 1 <= first <= 31 and 1 <= second <= 12


class _Found:
    """Entities collected so far, and the spans they cover (the first match wins)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.entities: list[Entity] = []
        self.taken: list[tuple[int, int]] = []

    def free(self, start: int, end: int) -> bool:
        return not _overlaps(start, end, self.taken)

    def add(self, kind: EntityKind, start: int, end: int, value: str, *, valid: bool = True) -> None:
        self.entities.append(Entity(kind, self.text[start:end], value, start, end, valid))
        self.taken.append((start, end))


def _documents(lowered: str, found: _Found) -> None:
    for m in _CNPJ_RE.finditer(lowered):
        found.add(EntityKind.CNPJ, *m.span(), _digits(m.group()), valid=cnpj_is_valid(m.group()))
    # Alphanumeric CNPJs (12 characters 0-9/a-z, 2 check digits): only reported when the check digits
    # match, since ordinary words followed by two digits have the same shape.
    for m in CNPJ_IN_TEXT.finditer(lowered):
        if found.free(*m.span()) and is_valid_cnpj(m.group()):
            found.add(EntityKind.CNPJ, *m.span(), document_key(m.group()))
    for m in _CPF_RE.finditer(lowered):
        if not found.free(*m.span()):
            continue
        digits = _digits(m.group())
        valid = cpf_is_valid(digits)
        near_keyword = "cpf" in lowered[max(0, m.start() - 15) : m.start()]
        if not valid and m.group().isdigit() and _MOBILE_RE.fullmatch(digits) and not near_keyword:
            continue  # most likely a phone number
        found.add(EntityKind.CPF, *m.span(), digits, valid=valid)
    # "cpf 123.456.789-0": a number right after the word CPF with the wrong length.
    for m in _CPF_KEYWORD_RE.finditer(lowered):
        if found.free(*m.span(1)):
            found.add(EntityKind.CPF, *m.span(1), _digits(m.group(1)), valid=False)


def _date_ok(index: int, match: re.Match[str]) -> bool:
    if index in (0, 1):
        return _valid_numeric_date(match)
    if index == 2:
        return 1 <= int(match.group(1)) <= 31
    return True


def extract_entities(text: str) -> tuple[Entity, ...]:
    """Find CPF, CNPJ, money, dates and contract numbers in ``text``, in order of appearance."""
    lowered = fold(text)
    found = _Found(text)
    _documents(lowered, found)
    for m in _CONTRACT_RE.finditer(lowered):
        if found.free(*m.span(1)):
            found.add(EntityKind.CONTRACT, *m.span(1), m.group(1))
    for m in _MONEY_RE.finditer(lowered):
        value = _money_value(m.group())
        if value is not None and found.free(*m.span()):
            found.add(EntityKind.MONEY, *m.span(), value)
    for index, pattern in enumerate(_DATE_RES):
        for m in pattern.finditer(lowered):
            if found.free(*m.span()) and _date_ok(index, m):
                found.add(EntityKind.DATE, *m.span(), m.group())
    return tuple(sorted(found.entities, key=lambda e: e.start))
