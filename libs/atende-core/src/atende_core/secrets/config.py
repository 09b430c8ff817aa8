"""Which secrets provider a service reads, and how to reach it (SECRETS_* variables)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ProviderName(StrEnum):
    """The providers `SECRETS_PROVIDER` can name."""

    ENV = "env"
    FILE = "file"
    AWS = "aws"
    VAULT = "vault"
    AZURE = "azure"


class SecretsConfig(BaseSettings):
    """Provider settings; every service's settings class inherits them (see docs/secrets.md)."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    secrets_provider: ProviderName = ProviderName.ENV
    # Re-read rotating secrets (WhatsApp and SGP tokens) this often; SIGHUP re-reads them at once.
    secrets_refresh_interval_s: float = Field(default=300.0, gt=0)
    # file: a directory with one file per secret (a mounted Kubernetes Secret).
    secrets_dir: Path | None = None
    # aws: Secrets Manager; credentials come from boto3's default chain (IRSA, instance profile, env).
    secrets_aws_region: str | None = None
    secrets_aws_endpoint_url: str | None = None
    # Prepended to every reference, e.g. "atende/prod/".
    secrets_aws_prefix: str = ""
    # vault: KV version 2 engine.
    secrets_vault_url: str | None = None
    secrets_vault_token: SecretStr | None = None
    # A file holding the token (e.g. written by Vault Agent); read again whenever a secret is fetched.
    secrets_vault_token_file: Path | None = None
    secrets_vault_mount: str = "secret"
    secrets_vault_namespace: str | None = None
    secrets_vault_ca_file: Path | None = None
    # azure: Key Vault; credentials from azure-identity's DefaultAzureCredential (workload identity, ...).
    secrets_azure_vault_url: str | None = None
    secrets_azure_ca_file: Path | None = None
    secrets_timeout_s: float = Field(default=5.0, gt=0)
