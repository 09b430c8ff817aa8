"""PII masking for logs and traces: CPF/CNPJ, phone numbers, e-mails and secrets never leave a process in clear.

Two kinds of replacement:
- ``mask_text``/``mask_value`` (logs, spans): keep what helps debugging and nothing that identifies
  someone: ``*********4321`` for a phone, ``***.***.***-**`` for a CPF, ``***@example.com`` for an
  e-mail, ``***`` for any credential (bearer tokens, ``token=``, ``user:pass@`` inside URLs);
- ``redact_text`` (text sent to third parties such as Gemini): typed placeholders ``[CPF]``,
  ``[CNPJ]``, ``[TELEFONE]``, ``[EMAIL]`` so the meaning of the sentence survives.

Masking sits on the logging hot path: every pattern is anchored on a cheap literal check first (no
digit → no document or phone; no ``@`` → no e-mail or URL credential).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from atende_core.documents import is_valid_cnpj

# --- patterns -------------------------------------------------------------------------------------
# Conversation ids of the old form `<phone_number_id>:<wa_id>` (the opaque keyed hash has no such
# shape and is left alone): the business number id is kept, the customer's number masked.
_CONVERSATION_ID = re.compile(r"(\d(?<![\w.]\d)\d{5,19})(:|%3[Aa])(\+?\d{10,15})(?!\d)")
# Numeric CNPJ, then an alphanumeric one (0-9/A-Z, two numeric check digits; checked before masking
# so an ordinary word followed by two digits is left alone).
_CNPJ = re.compile(r"\d(?<!\d\d)\d[.\s]?\d{3}[.\s]?\d{3}[/\s]?\d{4}[-.\s]?\d{2}(?!\d)")
_CNPJ_ALNUM = re.compile(
    r"[0-9A-Za-z](?<![0-9A-Za-z]{2})[0-9A-Za-z][.\s]?[0-9A-Za-z]{3}[.\s]?[0-9A-Za-z]{3}[/\s]?[0-9A-Za-z]{4}[-.\s]?\d{2}"
    r"(?![0-9A-Za-z])"
)
# CPF with dots, dashes, spaces or nothing between the groups: 529.982.247-25, 529 982 247 25.
_CPF = re.compile(r"\d(?<!\d\d)\d{2}[.\s-]?\d{3}[.\s-]?\d{3}[.\s/-]?\d{2}(?!\d)")
# E.164 in the wa_id form (55 + DDD + number, 12 or 13 digits, with or without +), any +international
# number, and national numbers as people write them: (11) 98765-4321, 11 98765 4321, 98765-4321.
_E164 = re.compile(r"(?:\+(?<![\w.]\+)\d{10,15}|5(?<![\w.]5)5\d{10,11})(?!\d)")
_PHONE = re.compile(r"(?<![\w.])(?:(?:\+\d{1,3}[\s-]?)?\(?\d{2,3}\)?[\s-]?\d{4,5}[\s-]?\d{4}|9\d{4}-\d{4})(?!\d)")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@((?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,24})\b")
# Credentials: `scheme://user:pass@host`, `scheme://token@host`, bearer tokens, `token=…` pairs and
# secret-looking query parameters.
_URL_USERINFO = re.compile(r"://[^/\s@:]*(?::[^/\s@]*)?@")
_BEARER = re.compile(r"(?i)\b((?:bearer|basic)\s+)[\w\-.~+/=]+")
# Any `key=value` / `key: value` pair (possessive, so linear), masked when the key ends in a secret's name
# (token, SGP_TOKEN, hub.verify_token, client_secret, api_key, password…); `https://` is not a pair, and a
# value stops at `?` so `host:port/path?token=…` still reaches the token.
_PAIR = re.compile(r"\b([\w.-]++)([\"']?\s*+[:=](?!//)\s*+[\"']?)([^\s\"'&,;?]++)")
_SECRET_KEY_ENDINGS = (
    "token",
    "client_secret",
    "app_secret",
    "appsecret_proof",
    "api_key",
    "apikey",
    "password",
    "passwd",
    "senha",
    "secret",
)
_SECRET_QUERY = re.compile(r"(?i)([?&](?:key|sig|signature|x-amz-signature|x-goog-signature|auth|hash)=)[^&\s#\"']+")

_SECRET_WORDS = ("token", "secret", "pass", "senha", "api")
SENSITIVE_KEYS = frozenset(
    {
        "token",
        "access_token",
        "refresh_token",
        "authorization",
        "password",
        "senha",
        "secret",
        "api_key",
        "app_secret",
        "appsecret_proof",
        "client_secret",
        "x-goog-api-key",
        "cookie",
        "set-cookie",
    }
)
_PHONE_KEYS = frozenset({"phone", "wa_id", "from", "to", "telefone", "recipient_id"})
_DOCUMENT_KEYS = frozenset({"cpf", "cnpj", "document", "cpfcnpj"})
_EMAIL_KEYS = frozenset({"email", "e-mail", "e_mail"})
_CPF_MASK = "***.***.***-**"
_CNPJ_MASK = "**.***.***/****-**"


def mask_phone(value: str) -> str:
    """Keep the last four digits of a phone number: 5511987654321 → *********4321."""
    digits = "".join(c for c in value if c.isdigit())
    return "*" * max(len(digits) - 4, 0) + digits[-4:]


def _phone(match: re.Match[str]) -> str:
    return mask_phone(match.group(0))


def _conversation_id(match: re.Match[str]) -> str:
    return f"{match.group(1)}{match.group(2)}{mask_phone(match.group(3))}"


def _secret_pair(match: re.Match[str]) -> str:
    if match.group(1).lower().endswith(_SECRET_KEY_ENDINGS):
        return f"{match.group(1)}{match.group(2)}***"
    return match.group(0)


def _email(match: re.Match[str]) -> str:
    return f"***@{match.group(1)}"


def _alnum_cnpj(replacement: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        return replacement if is_valid_cnpj(match.group(0)) else match.group(0)

    return replace


_MASK_ALNUM_CNPJ = _alnum_cnpj(_CNPJ_MASK)
_REDACT_ALNUM_CNPJ = _alnum_cnpj("[CNPJ]")


def _mask_credentials(text: str) -> str:
    if "://" in text and "@" in text:
        text = _URL_USERINFO.sub("://***@", text)
    lowered = text.lower()
    if "bearer" in lowered or "basic" in lowered:
        text = _BEARER.sub(r"\1***", text)
    if any(word in lowered for word in _SECRET_WORDS):
        text = _PAIR.sub(_secret_pair, text)
    if "=" in text and ("?" in text or "&" in text):
        text = _SECRET_QUERY.sub(r"\1***", text)
    return text


def _has_digit(text: str) -> bool:
    return any(c.isdigit() for c in text) if len(text) < 64 else re.search(r"\d", text) is not None


def mask_text(text: str) -> str:
    """Replace documents, phone numbers, e-mails and secrets found anywhere in free text."""
    text = _mask_credentials(text)
    if "@" in text:
        text = _EMAIL.sub(_email, text)
    if not _has_digit(text):
        return text
    if ":" in text or "%3" in text:
        text = _CONVERSATION_ID.sub(_conversation_id, text)
    text = _E164.sub(_phone, text)
    text = _CNPJ.sub(_CNPJ_MASK, text)
    text = _CNPJ_ALNUM.sub(_MASK_ALNUM_CNPJ, text)
    text = _CPF.sub(_CPF_MASK, text)
    return _PHONE.sub(_phone, text)


def redact_text(text: str) -> str:
    """Customer text for a third party (the LLM): documents, phones, e-mails and credentials become placeholders."""
    text = _mask_credentials(text)
    if "@" in text:
        text = _EMAIL.sub("[EMAIL]", text)
    if not _has_digit(text):
        return text
    text = _E164.sub("[TELEFONE]", text)
    text = _CNPJ.sub("[CNPJ]", text)
    text = _CNPJ_ALNUM.sub(_REDACT_ALNUM_CNPJ, text)
    text = _CPF.sub("[CPF]", text)
    return _PHONE.sub("[TELEFONE]", text)


def mask_value(key: str, value: Any) -> Any:
    """Mask one structured log field by its name first, then by its content."""
    lowered = key.lower().rsplit(".", 1)[-1]
    if lowered in SENSITIVE_KEYS:
        return "***"
    if isinstance(value, str):
        if lowered in _PHONE_KEYS and _has_digit(value):
            return mask_phone(value)
        if lowered in _DOCUMENT_KEYS:
            return "***"
        if lowered in _EMAIL_KEYS:
            return _EMAIL.sub(_email, value) if "@" in value else "***"
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: mask_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(key, v) for v in value]
    return value
