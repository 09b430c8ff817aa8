"""The one interface every secrets provider implements, and the reference syntax they share.

A reference names a secret in the provider (`atende/prod/sgp`) and optionally one key of a JSON
object stored there (`atende/prod/sgp#token`). Errors: `SecretNotFound`, `SecretsUnavailable`
(both `SecretsError`, in `atende_core.errors`); messages name the reference, never a value.
"""

from __future__ import annotations

import json
from typing import Protocol, runtime_checkable

from atende_core.errors import SecretNotFound


@runtime_checkable
class SecretsProvider(Protocol):
    """Reads one secret by reference; called at start-up and again on every rotation check."""

    name: str

    def get(self, ref: str) -> str:
        """The current value of the secret `ref` (raises SecretNotFound / SecretsUnavailable)."""
        ...


class SecretValue(Protocol):
    """What a client reads its credential from per request: a SecretStr or a RotatingSecret."""

    def get_secret_value(self) -> str:
        """The credential as it is now."""
        ...


def split_ref(ref: str) -> tuple[str, str | None]:
    """`name#key` → (name, key); `name` → (name, None)."""
    name, sep, key = ref.partition("#")
    if not name or (sep and not key):
        raise SecretNotFound(f"malformed secret reference {ref!r}: expected NAME or NAME#KEY")
    return name, key or None


def pick_key(ref: str, value: str, key: str | None) -> str:
    """The whole value, or one key of the JSON object it holds."""
    if key is None:
        return value
    try:
        document = json.loads(value)
    except ValueError:
        raise SecretNotFound(f"secret {ref!r}: the value is not a JSON object, so it has no key {key!r}") from None
    if not isinstance(document, dict) or key not in document:
        raise SecretNotFound(f"secret {ref!r}: no key {key!r} in it")
    return str(document[key])
