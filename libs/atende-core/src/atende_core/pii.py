"""Personal data at rest: AES-256-GCM envelope encryption (the `cryptography` package's AESGCM).

    KEK (PII_MASTER_KEY, id PII_MASTER_KEY_ID; older ones in PII_PREVIOUS_KEYS)
      └─ wraps a DEK (random 32 bytes, one per process and rotation period)
           └─ encrypts each value, bound by associated data to its purpose (store and field)

Every ciphertext carries the KEK id and its wrapped DEK, so a reader needs nothing else than the
keyring: a value written under a previous KEK still opens while that KEK is listed in
PII_PREVIOUS_KEYS, and writers always use the current KEK, so rotation re-encrypts lazily on the
next write of each value. Unwrapped DEKs are cached in memory, so a value costs one AES-GCM
operation (a few microseconds), not two.

Format, version 1 (binary; the text form is ``"pii1:" + base64url(binary[4:])`` without padding):

    b"pii1" | kid length (1 byte) | kid (ASCII) | DEK nonce (12) | wrapped DEK (32 + 16 tag)
           | value nonce (12) | AES-GCM(value) with its 16-byte tag

The DEK is wrapped with AAD ``b"atende-dek|" + kid``; the value is encrypted with AAD
``b"atende-pii|" + purpose + b"|" + header`` (header = everything before the value nonce), so a
ciphertext copied to another field, store or key id fails to open.

Errors: `PiiDecryptError` (tampered, wrong purpose, unknown key id, not a ciphertext) and
`ConfigurationError` (a malformed key, or a development key in production).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from atende_core.errors import AtendeError, ConfigurationError
from atende_core.settings import Environment, ServiceSettings

MAGIC = b"pii1"
TEXT_PREFIX = "pii1:"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
_WRAPPED_BYTES = KEY_BYTES + TAG_BYTES
_MAX_KID = 64
_DEK_AAD = b"atende-dek|"
_VALUE_AAD = b"atende-pii|"
# A random 96-bit nonce stays safe far beyond this many messages per key (NIST SP 800-38D: 2^32).
_MAX_USES_PER_DEK = 1 << 30
_MAX_CACHED_DEKS = 1024
DEFAULT_DEK_ROTATION_S = 24 * 3600.0


class PiiDecryptError(AtendeError):
    """A value that is not a ciphertext of ours, was tampered with, or belongs to another purpose."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def decode_key(value: str, *, name: str = "PII_MASTER_KEY") -> bytes:
    """A 32-byte key from its base64 text; ConfigurationError otherwise."""
    try:
        key = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError(f"{name} is not base64") from None
    if len(key) != KEY_BYTES:
        raise ConfigurationError(f"{name} must be base64 of {KEY_BYTES} bytes, got {len(key)}")
    return key


class _DataKey:
    """One DEK as the writer holds it: its cipher, its header and how often it was used."""

    __slots__ = ("born", "cipher", "header", "uses")

    def __init__(self, kid: str, kek: bytes) -> None:
        dek = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(NONCE_BYTES)
        kid_bytes = kid.encode("ascii")
        wrapped = AESGCM(kek).encrypt(nonce, dek, _DEK_AAD + kid_bytes)
        self.header = MAGIC + bytes([len(kid_bytes)]) + kid_bytes + nonce + wrapped
        self.cipher = AESGCM(dek)
        self.born = time.monotonic()
        self.uses = 0


class Keyring:
    """Encrypts with the current KEK's DEK and decrypts under any KEK it knows (thread-safe)."""

    def __init__(
        self,
        *,
        key_id: str,
        master_key: bytes,
        previous: Mapping[str, bytes] | None = None,
        dek_rotation_s: float = DEFAULT_DEK_ROTATION_S,
    ) -> None:
        if not key_id or len(key_id) > _MAX_KID or not key_id.isascii() or ":" in key_id:
            raise ConfigurationError("PII_MASTER_KEY_ID must be 1-64 ASCII characters without ':'")
        if len(master_key) != KEY_BYTES:
            raise ConfigurationError(f"PII master keys must be {KEY_BYTES} bytes")
        self.key_id = key_id
        self._keks: dict[str, bytes] = dict(previous or {})
        for kid, key in self._keks.items():
            if len(key) != KEY_BYTES or not kid.isascii() or len(kid) > _MAX_KID:
                raise ConfigurationError(f"PII_PREVIOUS_KEYS entry {kid!r} is not a valid key")
        self._keks[key_id] = master_key
        self._rotation_s = dek_rotation_s
        self._lock = threading.Lock()
        self._current: _DataKey | None = None
        self._deks: dict[bytes, AESGCM] = {}

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Keyring:
        """The keyring of PII_MASTER_KEY / PII_MASTER_KEY_ID / PII_PREVIOUS_KEYS.

        Production refuses the development key (a published placeholder) and previous keys that
        are not a JSON object of base64 keys.
        """
        raw = settings.pii_master_key.get_secret_value()
        default = ServiceSettings.model_fields["pii_master_key"].default.get_secret_value()
        if settings.environment is Environment.PRODUCTION and raw.strip() == default:
            raise ConfigurationError("PII_MASTER_KEY holds the development key; set a real key in production")
        previous: dict[str, bytes] = {}
        if settings.pii_previous_keys is not None and settings.pii_previous_keys.get_secret_value().strip():
            try:
                listed = json.loads(settings.pii_previous_keys.get_secret_value())
            except ValueError:
                raise ConfigurationError("PII_PREVIOUS_KEYS must be a JSON object {key id: base64 key}") from None
            if not isinstance(listed, dict):
                raise ConfigurationError("PII_PREVIOUS_KEYS must be a JSON object {key id: base64 key}")
            previous = {str(kid): decode_key(str(key), name=f"PII_PREVIOUS_KEYS[{kid}]") for kid, key in listed.items()}
        return cls(key_id=settings.pii_master_key_id, master_key=decode_key(raw), previous=previous)

    # --- bytes ---------------------------------------------------------------------------------

    def encrypt_bytes(self, data: bytes, *, purpose: str) -> bytes:
        """The binary ciphertext of `data` for `purpose` (e.g. "conversation.state")."""
        dek = self._writer()
        nonce = os.urandom(NONCE_BYTES)
        sealed = dek.cipher.encrypt(nonce, data, _VALUE_AAD + purpose.encode() + b"|" + dek.header)
        return dek.header + nonce + sealed

    def decrypt_bytes(self, blob: bytes, *, purpose: str) -> bytes:
        """The plaintext of a binary ciphertext written for `purpose`; PiiDecryptError otherwise."""
        if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 1:
            raise PiiDecryptError("not a pii1 ciphertext")
        kid_len = blob[len(MAGIC)]
        header_len = len(MAGIC) + 1 + kid_len + NONCE_BYTES + _WRAPPED_BYTES
        if len(blob) < header_len + NONCE_BYTES + TAG_BYTES:
            raise PiiDecryptError("truncated ciphertext")
        header = blob[:header_len]
        cipher = self._reader(header, kid_len)
        nonce = blob[header_len : header_len + NONCE_BYTES]
        try:
            return cipher.decrypt(
                nonce, blob[header_len + NONCE_BYTES :], _VALUE_AAD + purpose.encode() + b"|" + header
            )
        except InvalidTag:
            raise PiiDecryptError("ciphertext does not open for this purpose") from None

    # --- text ----------------------------------------------------------------------------------

    def encrypt_str(self, value: str, *, purpose: str) -> str:
        """The text ciphertext (``pii1:…``, URL-safe) of `value`."""
        return TEXT_PREFIX + _b64url(self.encrypt_bytes(value.encode(), purpose=purpose)[len(MAGIC) :])

    def decrypt_str(self, token: str | bytes, *, purpose: str) -> str:
        """The plaintext of a text ciphertext; PiiDecryptError when it is not one (or does not open)."""
        text = token.decode("ascii", "replace") if isinstance(token, bytes) else token
        if not text.startswith(TEXT_PREFIX):
            raise PiiDecryptError("not a pii1 ciphertext")
        try:
            blob = MAGIC + _unb64url(text[len(TEXT_PREFIX) :])
        except (binascii.Error, ValueError):
            raise PiiDecryptError("ciphertext is not base64url") from None
        try:
            return self.decrypt_bytes(blob, purpose=purpose).decode()
        except UnicodeDecodeError:
            raise PiiDecryptError("plaintext is not UTF-8") from None

    # --- JSON documents ------------------------------------------------------------------------

    def encrypt_fields(self, doc: Mapping[str, Any], fields: Iterable[str], *, purpose: str) -> dict[str, Any]:
        """A copy of `doc` whose listed fields (when present and not None) hold ciphertexts of their
        JSON; each field is bound to ``<purpose>.<field>``. Other fields are kept as they are."""
        out = dict(doc)
        for name in fields:
            value = out.get(name)
            if value is not None:
                plain = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
                out[name] = self.encrypt_str(plain, purpose=f"{purpose}.{name}")
        return out

    def decrypt_fields(self, doc: Mapping[str, Any], fields: Iterable[str], *, purpose: str) -> dict[str, Any]:
        """The inverse of `encrypt_fields` (fields that are absent or None stay so)."""
        out = dict(doc)
        for name in fields:
            value = out.get(name)
            if value is not None:
                out[name] = json.loads(self.decrypt_str(value, purpose=f"{purpose}.{name}"))
        return out

    # --- keys ----------------------------------------------------------------------------------

    def _writer(self) -> _DataKey:
        current = self._current
        if current is None or current.uses >= _MAX_USES_PER_DEK or time.monotonic() - current.born > self._rotation_s:
            with self._lock:
                current = self._current
                if (
                    current is None
                    or current.uses >= _MAX_USES_PER_DEK
                    or time.monotonic() - current.born > self._rotation_s
                ):
                    current = self._current = _DataKey(self.key_id, self._keks[self.key_id])
                    self._remember(current.header, current.cipher)
        current.uses += 1  # approximate under threads: only bounds the DEK's lifetime
        return current

    def _reader(self, header: bytes, kid_len: int) -> AESGCM:
        cipher = self._deks.get(header)
        if cipher is not None:
            return cipher
        start = len(MAGIC) + 1
        kid_bytes = header[start : start + kid_len]
        kek = self._keks.get(kid_bytes.decode("ascii", "replace"))
        if kek is None:
            raise PiiDecryptError("ciphertext of an unknown key id")
        nonce = header[start + kid_len : start + kid_len + NONCE_BYTES]
        try:
            dek = AESGCM(kek).decrypt(nonce, header[start + kid_len + NONCE_BYTES :], _DEK_AAD + kid_bytes)
        except InvalidTag:
            raise PiiDecryptError("data key does not unwrap") from None
        cipher = AESGCM(dek)
        self._remember(header, cipher)
        return cipher

    def _remember(self, header: bytes, cipher: AESGCM) -> None:
        if len(self._deks) >= _MAX_CACHED_DEKS:
            self._deks.clear()
        self._deks[header] = cipher


def is_ciphertext(value: str | bytes) -> bool:
    """True for the text or binary form of a pii1 ciphertext (not a proof that it opens)."""
    if isinstance(value, bytes):
        return value.startswith((MAGIC, TEXT_PREFIX.encode()))
    return value.startswith(TEXT_PREFIX)


def development_keyring() -> Keyring:
    """A keyring on the development key (tests and tools; never production)."""
    return Keyring.from_settings(ServiceSettings(environment=Environment.TEST))
