"""Brazilian taxpayer documents (CPF, CNPJ): normalisation, check digits and masking.

The one CPF/CNPJ validator of the platform. CNPJs come in two forms, both valid everywhere:
- numeric: 14 digits (12.345.678/0001-95);
- alphanumeric (Receita Federal, from July 2026): 12 characters 0-9 or A-Z, then 2 numeric check
  digits (12.ABC.345/01DE-35). Each character is worth ``ord(c) - 48`` (so digits keep their value,
  A=17 … Z=42) under the same modulo-11 weights, so numeric CNPJs keep their check digits.

``document_key`` is the normal form of a document (upper case, punctuation and spaces dropped):
use it wherever a CNPJ may be read; ``digits_only`` would drop an alphanumeric CNPJ's letters and is
for phone numbers.
"""

from __future__ import annotations

import re
from typing import Literal

_NON_DIGITS = re.compile(r"\D")
_NON_ALNUM = re.compile(r"[^0-9A-Z]")
_CPF_SHAPE = re.compile(r"\d{11}")
_CNPJ_SHAPE = re.compile(r"[0-9A-Z]{12}\d{2}")
# A CNPJ of either form inside free text (groups optionally separated by dots, slashes, dashes, spaces).
CNPJ_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])[0-9A-Za-z]{2}[.\s]?[0-9A-Za-z]{3}[.\s]?[0-9A-Za-z]{3}[/\s]?[0-9A-Za-z]{4}[-.\s]?\d{2}"
    r"(?![0-9A-Za-z])"
)

DocumentType = Literal["cpf", "cnpj"]


def digits_only(value: str) -> str:
    """Keep only the digits (phone numbers; never a CNPJ, whose letters matter)."""
    return _NON_DIGITS.sub("", value)


def document_key(value: str) -> str:
    """The normal form of a CPF/CNPJ as typed: upper case, only 0-9 and A-Z (dots, slashes, spaces dropped)."""
    return _NON_ALNUM.sub("", value.upper())


def _value(char: str) -> int:
    return ord(char) - 48


def _check_digit(body: str, weights: range | list[int]) -> str:
    total = sum(_value(c) * w for c, w in zip(body, weights, strict=False))
    rest = total % 11
    return "0" if rest < 2 else str(11 - rest)


def is_valid_cpf(value: str) -> bool:
    """True when `value` has 11 digits, is not one repeated digit, and both check digits match."""
    cpf = document_key(value)
    if not _CPF_SHAPE.fullmatch(cpf) or cpf == cpf[0] * 11:
        return False
    first = _check_digit(cpf[:9], range(10, 1, -1))
    second = _check_digit(cpf[:9] + first, range(11, 1, -1))
    return cpf[9:] == first + second


_CNPJ_FIRST = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
_CNPJ_SECOND = [6, *_CNPJ_FIRST]


def is_valid_cnpj(value: str) -> bool:
    """True for a numeric or alphanumeric CNPJ (any case, any punctuation) whose check digits match."""
    cnpj = document_key(value)
    if not _CNPJ_SHAPE.fullmatch(cnpj) or cnpj == cnpj[0] * 14:
        return False
    first = _check_digit(cnpj[:12], _CNPJ_FIRST)
    second = _check_digit(cnpj[:12] + first, _CNPJ_SECOND)
    return cnpj[12:] == first + second


def document_type(value: str) -> DocumentType | None:
    """``"cpf"`` or ``"cnpj"`` when the check digits are valid, else None."""
    if is_valid_cpf(value):
        return "cpf"
    if is_valid_cnpj(value):
        return "cnpj"
    return None


def is_valid_document(value: str) -> bool:
    """A valid CPF or CNPJ (numeric or alphanumeric)."""
    return document_type(value) is not None


def document_in_text(text: str) -> str:
    """The document a customer typed, as its key: the whole message ('529.982.247-25', '12.abc.345/01de-35'),
    or a valid CPF/CNPJ inside it ('cpf 52998224725', 'o cnpj é 12ABC34501DE35'). When none is valid, the
    digits typed (so the caller can say the number looks wrong)."""
    key = document_key(text)
    if is_valid_document(key):
        return key
    digits = digits_only(text)
    if is_valid_document(digits):
        return digits
    for match in CNPJ_IN_TEXT.finditer(text):
        if is_valid_cnpj(match.group(0)):
            return document_key(match.group(0))
    return digits


def cpf_with_check_digits(base9: str) -> str:
    """Complete nine digits into a valid CPF (used by simulators and tests to seed customers)."""
    first = _check_digit(base9, range(10, 1, -1))
    return base9 + first + _check_digit(base9 + first, range(11, 1, -1))


def cnpj_with_check_digits(base12: str) -> str:
    """Complete twelve characters (digits, or 0-9/A-Z for an alphanumeric CNPJ) into a valid CNPJ."""
    body = document_key(base12)
    first = _check_digit(body, _CNPJ_FIRST)
    return body + first + _check_digit(body + first, _CNPJ_SECOND)


def mask_document(value: str) -> str:
    """Mask a CPF as ***.456.789-** and a CNPJ as **.345.678/0001-**, the form shown to people."""
    doc = document_key(value)
    if len(doc) == 11:
        return f"***.{doc[3:6]}.{doc[6:9]}-**"
    if len(doc) == 14:
        return f"**.{doc[2:5]}.{doc[5:8]}/{doc[8:12]}-**"
    return "***"


def format_cpf(value: str) -> str:
    """Format eleven digits the way SGP stores a masked CPF: 123.456.789-09."""
    doc = document_key(value)
    return f"{doc[:3]}.{doc[3:6]}.{doc[6:9]}-{doc[9:]}"


def format_cnpj(value: str) -> str:
    """Format a CNPJ as 12.345.678/0001-95 (or 12.ABC.345/01DE-35)."""
    doc = document_key(value)
    return f"{doc[:2]}.{doc[2:5]}.{doc[5:8]}/{doc[8:12]}-{doc[12:]}"


def format_document(value: str) -> str:
    """SGP's stored mask: ``000.000.000-00`` or ``00.000.000/0000-00``; anything else as its key."""
    doc = document_key(value)
    if len(doc) == 14:
        return format_cnpj(doc)
    return format_cpf(doc) if len(doc) == 11 else doc
