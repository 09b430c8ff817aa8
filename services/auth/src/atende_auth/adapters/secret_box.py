"""AES-256-GCM for the auth service's own small secrets (TOTP secrets, signing keys).

One adapter behind the SecretBox port, so it can switch to the platform's envelope encryption
(data keys wrapped by the secrets provider) without touching the use cases. The context (what the
secret belongs to, e.g. `totp:<user id>`) is authenticated data: a ciphertext copied onto another
user or key does not decrypt.
"""

from __future__ import annotations

import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from atende_auth.ports import UndecryptableSecret

_VERSION = b"\x01"
_NONCE_BYTES = 12


class AesGcmSecretBox:
    """Encrypts with AES-256-GCM under a key derived from the configured secret."""

    def __init__(self, secret: str) -> None:
        # SHA-256 turns any configured secret into a 256-bit key; production requires ≥ 32 random bytes.
        self._aead = AESGCM(hashlib.sha256(secret.encode()).digest())

    def encrypt(self, plaintext: bytes, *, context: str) -> bytes:
        """version ‖ nonce ‖ ciphertext+tag."""
        nonce = os.urandom(_NONCE_BYTES)
        return _VERSION + nonce + self._aead.encrypt(nonce, plaintext, context.encode())

    def decrypt(self, ciphertext: bytes, *, context: str) -> bytes:
        """The plaintext; UndecryptableSecret when the key, context or bytes do not match."""
        blob = bytes(ciphertext)
        if blob[:1] != _VERSION or len(blob) < 1 + _NONCE_BYTES + 16:
            raise UndecryptableSecret("unknown ciphertext format")
        try:
            return self._aead.decrypt(blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :], context.encode())
        except InvalidTag as exc:
            raise UndecryptableSecret("ciphertext does not match its key or context") from exc
