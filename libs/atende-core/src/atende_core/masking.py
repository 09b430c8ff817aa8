"""PII masking for logs and traces: CPF/CNPJ, phone numbers and secrets never leave a process in clear."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Documents, with or without punctuation; phone numbers of 10 to 13 digits (BR with or without +55).
_CNPJ = re.compile(r"(?<!\d)\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}(?!\d)")
_CPF = re.compile(r"(?<!\d)\d{3}\.?\d{3}\.?\d{3}-?\d{2}(?!\d)")
_PHONE = re.compile(r"(?<![\w.])\+?\(?\d{2,3}\)?[\s-]?\d{4,5}[\s-]?\d{4}(?!\d)")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[\w\-.~+/=]+")
_SECRET_PAIR = re.compile(
    r"(?i)\b(token|access_token|app_secret|api_key|password|senha|secret)(\"?\s*[:=]\s*\"?)([^\s\"&,;]+)"
)
SENSITIVE_KEYS = frozenset(
    {"token", "access_token", "authorization", "password", "senha", "secret", "api_key", "app_secret"}
)
_PII_KEYS = frozenset({"cpf", "cnpj", "document", "cpfcnpj", "phone", "wa_id", "from", "to", "telefone"})


def mask_phone(value: str) -> str:
    """Keep the last four digits of a phone number: 55119****4321 → ********4321."""
    digits = re.sub(r"\D", "", value)
    return "*" * max(len(digits) - 4, 0) + digits[-4:]


def mask_text(text: str) -> str:
    """Replace documents, phone numbers and secrets found anywhere in free text."""
    text = _BEARER.sub(r"\1***", text)
    text = _SECRET_PAIR.sub(r"\1\2***", text)
    text = _CNPJ.sub("**.***.***/****-**", text)
    text = _CPF.sub("***.***.***-**", text)
    return _PHONE.sub(lambda m: mask_phone(m.group(0)), text)


def mask_value(key: str, value: Any) -> Any:
    """Mask one structured log field by its name first, then by its content."""
    lowered = key.lower().rsplit(".", 1)[-1]
    if lowered in SENSITIVE_KEYS:
        return "***"
    if isinstance(value, str):
        if lowered in _PII_KEYS:
            return mask_phone(value) if lowered in {"phone", "wa_id", "from", "to", "telefone"} else "***"
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: mask_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(key, v) for v in value]
    return value
