"""Build the provider that SECRETS_PROVIDER names; the SDKs are imported here, only when chosen."""

from __future__ import annotations

from atende_core.errors import SecretsUnavailable
from atende_core.secrets.base import SecretsProvider
from atende_core.secrets.config import ProviderName, SecretsConfig
from atende_core.secrets.env import EnvProvider
from atende_core.secrets.files import FileProvider


def provider_from_config(config: SecretsConfig) -> SecretsProvider:
    """The configured provider (raises SecretsUnavailable when its settings are incomplete)."""
    kind = config.secrets_provider
    if kind is ProviderName.ENV:
        return EnvProvider()
    if kind is ProviderName.FILE:
        if config.secrets_dir is None:
            raise SecretsUnavailable("SECRETS_PROVIDER=file needs SECRETS_DIR (the mounted secrets directory)")
        return FileProvider(config.secrets_dir)
    if kind is ProviderName.AWS:
        from atende_core.secrets.aws import AwsSecretsManagerProvider

        return AwsSecretsManagerProvider(
            region=config.secrets_aws_region,
            endpoint_url=config.secrets_aws_endpoint_url,
            prefix=config.secrets_aws_prefix,
            timeout_s=config.secrets_timeout_s,
        )
    if kind is ProviderName.VAULT:
        if not config.secrets_vault_url:
            raise SecretsUnavailable("SECRETS_PROVIDER=vault needs SECRETS_VAULT_URL")
        from atende_core.secrets.vault import VaultKvProvider

        token = config.secrets_vault_token
        return VaultKvProvider(
            url=config.secrets_vault_url,
            token=token.get_secret_value() if token is not None else None,
            token_file=config.secrets_vault_token_file,
            mount=config.secrets_vault_mount,
            namespace=config.secrets_vault_namespace,
            ca_file=config.secrets_vault_ca_file,
            timeout_s=config.secrets_timeout_s,
        )
    if not config.secrets_azure_vault_url:
        raise SecretsUnavailable("SECRETS_PROVIDER=azure needs SECRETS_AZURE_VAULT_URL")
    from atende_core.secrets.azure import AzureKeyVaultProvider

    return AzureKeyVaultProvider(
        vault_url=config.secrets_azure_vault_url,
        ca_file=config.secrets_azure_ca_file,
        timeout_s=config.secrets_timeout_s,
    )
