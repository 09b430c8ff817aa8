"""Secrets from Azure Key Vault (azure-keyvault-secrets; imported only when configured).

A reference is a secret's name (letters, digits, dashes), optionally `#key` for one key of a JSON
value. The latest enabled version is read. Credentials: azure-identity's DefaultAzureCredential
(workload identity on AKS, managed identity, or AZURE_CLIENT_ID/TENANT_ID/CLIENT_SECRET) unless a
credential is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from azure.core.exceptions import AzureError, ResourceNotFoundError
from azure.keyvault.secrets import SecretClient

from atende_core.errors import SecretNotFound, SecretsUnavailable
from atende_core.secrets.base import pick_key, split_ref


class AzureKeyVaultProvider:
    """get_secret on one SecretClient."""

    name = "azure"

    def __init__(
        self,
        *,
        vault_url: str,
        credential: Any = None,
        ca_file: Path | None = None,
        timeout_s: float = 5.0,
        client_options: Mapping[str, Any] | None = None,
    ) -> None:
        if credential is None:
            from azure.identity import DefaultAzureCredential

            credential = DefaultAzureCredential()
        options: dict[str, Any] = {"connection_timeout": timeout_s, "read_timeout": timeout_s, "retry_total": 2}
        if ca_file is not None:
            options["connection_verify"] = str(ca_file)
        options.update(client_options or {})
        self._client = SecretClient(vault_url=vault_url, credential=credential, **options)

    def close(self) -> None:
        """Close the SDK's connection pool."""
        self._client.close()

    def get(self, ref: str) -> str:
        """The latest version's value (or one JSON key of it)."""
        name, key = split_ref(ref)
        try:
            secret = self._client.get_secret(name)
        except ResourceNotFoundError:
            raise SecretNotFound(f"Azure Key Vault has no secret {name!r}") from None
        except (AzureError, ValueError) as exc:  # ValueError: an answer the SDK cannot read
            raise SecretsUnavailable(f"Azure Key Vault did not give {name!r}: {type(exc).__name__}") from None
        if secret.value is None:
            raise SecretNotFound(f"Azure Key Vault secret {name!r} has no value")
        return pick_key(ref, secret.value, key)
