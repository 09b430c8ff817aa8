"""Secrets: one interface (`SecretsProvider`), providers chosen by SECRETS_PROVIDER, resolution into
settings (`<FIELD>_SECRET_REF`), and `RotatingSecret` for credentials that change without a restart.

Providers: env (default), file (a mounted Kubernetes Secret), aws (Secrets Manager), vault (KV v2),
azure (Key Vault). Their SDKs are imported only when configured. docs/secrets.md tells how to use them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import SecretStr

from atende_core.errors import ConfigurationError
from atende_core.secrets.base import SecretsProvider, SecretValue, split_ref
from atende_core.secrets.config import ProviderName, SecretsConfig
from atende_core.secrets.providers import provider_from_config
from atende_core.secrets.rotation import RotatingSecret, close_if_rotating, install_sighup_handler, refresh_all

if TYPE_CHECKING:
    from atende_core.settings import ServiceSettings

__all__ = [
    "ProviderName",
    "RotatingSecret",
    "SecretValue",
    "SecretsConfig",
    "SecretsProvider",
    "close_if_rotating",
    "install_sighup_handler",
    "provider_from_config",
    "refresh_all",
    "rotating_secret",
    "split_ref",
]


def rotating_secret(settings: ServiceSettings, field: str) -> SecretValue:
    """The field's value as clients should read it: a started RotatingSecret when the field came from a
    provider reference, else the settings' own SecretStr (nothing to rotate)."""
    value = getattr(settings, field)
    if not isinstance(value, SecretStr):
        raise ConfigurationError(f"{field.upper()} is not a secret setting")
    ref = settings.secret_refs.get(field)
    if ref is None:
        # Nothing to re-read, but SIGHUP keeps meaning "re-read secrets" rather than ending the process.
        install_sighup_handler()
        return value
    holder = RotatingSecret(
        provider=provider_from_config(settings),
        ref=ref,
        name=field.upper(),
        interval_s=settings.secrets_refresh_interval_s,
        initial=value.get_secret_value(),
    )
    return holder.start()
