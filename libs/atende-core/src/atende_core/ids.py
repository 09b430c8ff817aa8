"""Identifiers with one constructor each: the pseudonymous conversation id (and `keyed_token` for
other ids that must not reveal personal data where they are stored).

    conversation_id(phone_number_id="106540352242922", wa_id="5511987654321", key=k) → "c_3q2-…" (24 chars)

The id is ``"c_"`` + base64url (no padding) of the first 16 bytes (128 bits) of
HMAC-SHA256(key, ``"<phone_number_id>:<wa_id>"``). It is deterministic, so the gateway, the
connector and every service compute the same id for the same customer of the same number, and it
never contains (nor, without the key, reveals) the phone number: Redis keys, MongoDB records and
Kafka record keys carry it in place of the number. A send takes the number from the event or from
an encrypted field, never from the id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from atende_core.errors import ConfigurationError
from atende_core.settings import Environment, ServiceSettings

CONVERSATION_PREFIX = "c_"
_DIGEST_BYTES = 16


@lru_cache(maxsize=16)
def _keyed(key: bytes) -> hmac.HMAC:
    # HMAC's key schedule once per key; each id then costs a copy and one update.
    return hmac.new(key, digestmod=hashlib.sha256)


def conversation_id(*, phone_number_id: str, wa_id: str, key: bytes) -> str:
    """The pseudonymous id of one customer (`wa_id`, a leading "+" ignored) on one of our numbers."""
    mac = _keyed(key).copy()
    mac.update(f"{phone_number_id}:{wa_id.lstrip('+')}".encode())
    return CONVERSATION_PREFIX + base64.urlsafe_b64encode(mac.digest()[:_DIGEST_BYTES]).rstrip(b"=").decode("ascii")


def conversation_id_from_bytes(*, phone_number_id: bytes, wa_id: bytes, key: bytes) -> str:
    """`conversation_id` for values read from raw webhook bytes (the gateway's hot path)."""
    mac = _keyed(key).copy()
    mac.update(phone_number_id + b":" + wa_id.lstrip(b"+"))
    return CONVERSATION_PREFIX + base64.urlsafe_b64encode(mac.digest()[:_DIGEST_BYTES]).rstrip(b"=").decode("ascii")


def keyed_token(value: str, *, key: bytes) -> str:
    """An opaque, deterministic stand-in (128-bit HMAC, base64url) for an id that reveals personal
    data, such as a WhatsApp message id (Meta's wamids embed the customer's number in base64), where
    it would be a store key."""
    mac = _keyed(key).copy()
    mac.update(value.encode())
    return base64.urlsafe_b64encode(mac.digest()[:_DIGEST_BYTES]).rstrip(b"=").decode("ascii")


def conversation_id_key(settings: ServiceSettings) -> bytes:
    """CONVERSATION_ID_KEY as bytes; production refuses the development default."""
    value = settings.conversation_id_key.get_secret_value()
    default = ServiceSettings.model_fields["conversation_id_key"].default.get_secret_value()
    if settings.environment is Environment.PRODUCTION and value == default:
        raise ConfigurationError("CONVERSATION_ID_KEY holds the development key; set a real key in production")
    return value.encode()
