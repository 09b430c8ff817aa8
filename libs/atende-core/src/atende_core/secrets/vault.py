"""Secrets from HashiCorp Vault's KV version 2 engine (hvac; imported only when configured).

A reference is a path in the mount (`atende/prod/sgp`) and the key in its data (`#token`; default
`value`). The latest version is read, so writing a new version rotates the secret for us.
The token comes from SECRETS_VAULT_TOKEN or a file (Vault Agent's sink), read again at each call.
"""

from __future__ import annotations

from pathlib import Path

import hvac  # type: ignore[import-untyped]
import requests
from hvac import exceptions as hvac_errors

from atende_core.errors import SecretNotFound, SecretsUnavailable
from atende_core.secrets.base import split_ref

DEFAULT_KEY = "value"


class VaultKvProvider:
    """read_secret_version on Vault's HTTP API through hvac."""

    name = "vault"

    def __init__(
        self,
        *,
        url: str,
        token: str | None = None,
        token_file: Path | None = None,
        mount: str = "secret",
        namespace: str | None = None,
        ca_file: Path | None = None,
        timeout_s: float = 5.0,
    ) -> None:
        if not token and token_file is None:
            raise SecretsUnavailable("Vault needs SECRETS_VAULT_TOKEN or SECRETS_VAULT_TOKEN_FILE")
        self._token = token
        self._token_file = token_file
        self._mount = mount
        verify: bool | str = str(ca_file) if ca_file is not None else True
        self._client = hvac.Client(url=url, namespace=namespace, verify=verify, timeout=timeout_s)

    def _current_token(self) -> str:
        if self._token_file is not None:
            try:
                return self._token_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise SecretsUnavailable(f"cannot read the Vault token file: {exc.strerror}") from None
        return self._token or ""

    def get(self, ref: str) -> str:
        """`data[key]` of the latest version at `path`."""
        path, key = split_ref(ref)
        key = key or DEFAULT_KEY
        self._client.token = self._current_token()
        try:
            answer = self._client.secrets.kv.v2.read_secret_version(
                path=path, mount_point=self._mount, raise_on_deleted_version=True
            )
        except hvac_errors.InvalidPath:
            raise SecretNotFound(f"Vault has no secret at {self._mount}/{path}") from None
        except (hvac_errors.VaultError, requests.RequestException) as exc:
            raise SecretsUnavailable(f"Vault did not give {self._mount}/{path}: {type(exc).__name__}") from None
        outer = answer.get("data") if isinstance(answer, dict) else None
        data = outer.get("data") if isinstance(outer, dict) else None
        if not isinstance(data, dict):
            raise SecretsUnavailable(f"Vault answered {self._mount}/{path} without a KV v2 data object")
        if key not in data:
            raise SecretNotFound(f"Vault secret {self._mount}/{path} has no key {key!r}")
        return str(data[key])
