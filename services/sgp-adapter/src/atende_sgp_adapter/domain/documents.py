"""CPF/CNPJ helpers for the billing domain, on top of ``atende_core.documents``."""

from __future__ import annotations

from enum import StrEnum

from atende_core.documents import (
    digits_only,
    format_cnpj,
    format_cpf,
    is_valid_cnpj,
    is_valid_cpf,
    mask_document,
)

__all__ = ["DocumentKind", "digits_only", "document_kind", "format_document", "mask_document"]


class DocumentKind(StrEnum):
    """Brazilian taxpayer document kinds."""

    CPF = "cpf"
    CNPJ = "cnpj"


def document_kind(value: str) -> DocumentKind | None:
    """CPF or CNPJ when the check digits are valid, else None."""
    if is_valid_cpf(value):
        return DocumentKind.CPF
    if is_valid_cnpj(value):
        return DocumentKind.CNPJ
    return None


def format_document(value: str) -> str:
    """SGP's stored mask: ``000.000.000-00`` or ``00.000.000/0000-00``."""
    digits = digits_only(value)
    if len(digits) == 14:
        return format_cnpj(digits)
    return format_cpf(digits) if len(digits) == 11 else digits
