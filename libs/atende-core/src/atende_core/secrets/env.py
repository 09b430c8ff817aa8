"""Secrets from environment variables (the default): a reference is a variable's name."""

from __future__ import annotations

import os
from collections.abc import Mapping

from atende_core.errors import SecretNotFound
from atende_core.secrets.base import pick_key, split_ref


class EnvProvider:
    """Reads `os.environ` (or the mapping given) at each call."""

    name = "env"

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    def get(self, ref: str) -> str:
        """The variable's value (or one JSON key of it)."""
        name, key = split_ref(ref)
        value = self._environ.get(name)
        if value is None:
            raise SecretNotFound(f"environment variable {name} is not set")
        return pick_key(ref, value, key)
