"""CPF/CNPJ helpers for the billing domain, on top of ``atende_core.documents`` (the one validator)."""

from __future__ import annotations

from enum import StrEnum

from atende_core.documents import digits_only, document_key, document_type, format_document, mask_document

__all__ = ["DocumentKind", "digits_only", "document_key", "document_kind", "format_document", "mask_document"]


class DocumentKind(StrEnum):
    """Brazilian taxpayer document kinds."""

    CPF = "cpf"
    CNPJ = "cnpj"


def document_kind(value: str) -> DocumentKind | None:
    """CPF or CNPJ (numeric or alphanumeric) when the check digits are valid, else None."""
    kind = document_type(value)
    return DocumentKind(kind) if kind else None
