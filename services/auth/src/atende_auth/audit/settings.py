"""The audit log's settings, mixed into the auth service's one settings class (`AuthSettings`)."""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, model_validator

from atende_core.errors import ConfigurationError
from atende_core.settings import Environment, ServiceSettings

# Development default so `make dev` works unconfigured; production refuses it (and any key under 32 bytes).
DEV_AUDIT_CHAIN_KEY = "dev-audit-chain-key"
MIN_KEY_BYTES = 32


class AuditSettings(ServiceSettings):
    """AUDIT_CHAIN_KEY keys the chain's hashes: without it, nobody can forge a chain that verifies."""

    audit_chain_key: SecretStr = SecretStr(DEV_AUDIT_CHAIN_KEY)
    # How long the consumer keeps retrying one entry while MongoDB is away before the bus's own
    # retries and dead-letter topic take over (an audit entry should wait, not land in the DLQ).
    audit_store_retry_s: float = Field(default=60.0, ge=0)

    @model_validator(mode="after")
    def _refuse_development_chain_key(self) -> Self:
        if self.environment is Environment.PRODUCTION:
            key = self.audit_chain_key.get_secret_value()
            if key == DEV_AUDIT_CHAIN_KEY or len(key.encode()) < MIN_KEY_BYTES:
                msg = f"AUDIT_CHAIN_KEY must be a real secret of at least {MIN_KEY_BYTES} bytes in production"
                raise ConfigurationError(msg)
        return self

    def audit_key(self) -> bytes:
        """The chain key as bytes."""
        return self.audit_chain_key.get_secret_value().encode()
