"""Document helpers on top of ``atende_core.documents`` (SGP masks documents in responses)."""

from __future__ import annotations

from atende_core.documents import digits_only, format_cnpj, format_cpf


def format_document(value: str) -> str:
    """SGP's stored mask for a CPF (11 digits) or CNPJ (14 digits)."""
    digits = digits_only(value)
    if len(digits) == 14:
        return format_cnpj(digits)
    return format_cpf(digits) if len(digits) == 11 else digits
