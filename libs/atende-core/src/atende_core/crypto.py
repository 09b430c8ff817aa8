"""Keyed hashing for personal data: look a customer up by CPF or phone without storing either."""

from __future__ import annotations

import hashlib
import hmac

from atende_core.documents import document_key


def blind_index(value: str, key: bytes) -> str:
    """HMAC-SHA256 (128 bits, hex) of a document or phone number in its normal form (``document_key``).

    The same person always maps to the same index under one key, so it can be a cache key or a
    database lookup field; without the key it reveals nothing. The normal form keeps the letters of
    an alphanumeric CNPJ and is the plain digits for a CPF, a numeric CNPJ or a phone number.
    """
    return hmac.new(key, document_key(value).encode(), hashlib.sha256).hexdigest()[:32]
