"""Keyed hashing for personal data: look a customer up by CPF or phone without storing either."""

from __future__ import annotations

import hashlib
import hmac

from atende_core.documents import digits_only


def blind_index(value: str, key: bytes) -> str:
    """HMAC-SHA256 (128 bits, hex) of the digits of a document or phone number.

    The same person always maps to the same index under one key, so it can be a cache key or a
    database lookup field; without the key it reveals nothing.
    """
    return hmac.new(key, digits_only(value).encode(), hashlib.sha256).hexdigest()[:32]
