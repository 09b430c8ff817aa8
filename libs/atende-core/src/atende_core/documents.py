"""Brazilian taxpayer documents (CPF, CNPJ): normalisation, check digits and masking."""

from __future__ import annotations

import re

_NON_DIGITS = re.compile(r"\D")


def digits_only(value: str) -> str:
    """Keep only the digits of a document as typed (dots, dashes, slashes and spaces dropped)."""
    return _NON_DIGITS.sub("", value)


def _check_digit(digits: str, weights: range | list[int]) -> str:
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=False))
    rest = total % 11
    return "0" if rest < 2 else str(11 - rest)


def is_valid_cpf(value: str) -> bool:
    """True when `value` has 11 digits, is not one repeated digit, and both check digits match."""
    cpf = digits_only(value)
    if len(cpf) != 11 or cpf == cpf[0] * 11:
        return False
    first = _check_digit(cpf[:9], range(10, 1, -1))
    second = _check_digit(cpf[:9] + first, range(11, 1, -1))
    return cpf[9:] == first + second


_CNPJ_FIRST = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
_CNPJ_SECOND = [6, *_CNPJ_FIRST]


def is_valid_cnpj(value: str) -> bool:
    """True when `value` has 14 digits, is not one repeated digit, and both check digits match."""
    cnpj = digits_only(value)
    if len(cnpj) != 14 or cnpj == cnpj[0] * 14:
        return False
    first = _check_digit(cnpj[:12], _CNPJ_FIRST)
    second = _check_digit(cnpj[:12] + first, _CNPJ_SECOND)
    return cnpj[12:] == first + second


def cpf_with_check_digits(base9: str) -> str:
    """Complete nine digits into a valid CPF (used by simulators and tests to seed customers)."""
    first = _check_digit(base9, range(10, 1, -1))
    return base9 + first + _check_digit(base9 + first, range(11, 1, -1))


def cnpj_with_check_digits(base12: str) -> str:
    """Complete twelve digits into a valid CNPJ."""
    first = _check_digit(base12, _CNPJ_FIRST)
    return base12 + first + _check_digit(base12 + first, _CNPJ_SECOND)


def mask_document(value: str) -> str:
    """Mask a CPF as ***.456.789-** and a CNPJ as **.345.678/0001-**, the form shown to people."""
    doc = digits_only(value)
    if len(doc) == 11:
        return f"***.{doc[3:6]}.{doc[6:9]}-**"
    if len(doc) == 14:
        return f"**.{doc[2:5]}.{doc[5:8]}/{doc[8:12]}-**"
    return "***"


def format_cpf(value: str) -> str:
    """Format eleven digits the way SGP stores a masked CPF: 123.456.789-09."""
    doc = digits_only(value)
    return f"{doc[:3]}.{doc[3:6]}.{doc[6:9]}-{doc[9:]}"


def format_cnpj(value: str) -> str:
    """Format fourteen digits as 12.345.678/0001-95."""
    doc = digits_only(value)
    return f"{doc[:2]}.{doc[2:5]}.{doc[5:8]}/{doc[8:12]}-{doc[12:]}"
