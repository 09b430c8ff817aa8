"""The settings every service shares; each service subclasses `ServiceSettings` in its own settings.py."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from atende_core.errors import ConfigurationError

PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "dev", "test", "placeholder"})


class Environment(StrEnum):
    """Where a service runs; only development and test accept placeholder secrets."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class ServiceSettings(BaseSettings):
    """Connection and runtime settings common to all services (read from the environment)."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    environment: Environment = Environment.DEVELOPMENT
    log_level: str = "INFO"
    http_host: str = "127.0.0.1"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Prepended to every topic name, so parallel test runs never share topics.
    kafka_topic_prefix: str = ""
    bus_max_attempts: int = Field(default=3, ge=1)
    bus_retry_backoff_seconds: float = Field(default=0.2, ge=0)
    redis_url: str = "redis://127.0.0.1:6379/0"
    mongodb_uri: str = "mongodb://127.0.0.1:27017/"
    mongodb_database: str = "atende"
    otel_exporter_otlp_endpoint: str | None = None
    # Bearer token for /metrics and internal routes (atende_core.service); unset refuses every caller
    # (fail closed), so it is not demanded in production; a value, once set, must be a real secret.
    internal_api_token: SecretStr | None = None

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Self:
        if self.environment is Environment.PRODUCTION:
            for name, value in self.secret_fields().items():
                if value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
                    msg = f"{name.upper()} holds a placeholder value; set a real secret in production"
                    raise ConfigurationError(msg)
        return self

    def secret_fields(self) -> dict[str, SecretStr]:
        """Every SecretStr field that must hold a real value in production."""
        return {name: value for name in type(self).model_fields if isinstance(value := getattr(self, name), SecretStr)}

    # PII at rest (atende_core.pii): base64 of 32 bytes. The default is a published development key,
    # refused in production; older keys stay readable as a JSON object {key id: base64 key}.
    pii_master_key: SecretStr = SecretStr("ZGV2ZWxvcG1lbnQtb25seS1waWkta2V5LTMyYnl0ZXM=")
    pii_master_key_id: str = "dev"
    pii_previous_keys: SecretStr | None = None
    # Key of the pseudonymous conversation ids (atende_core.ids); the default is refused in production.
    conversation_id_key: SecretStr = SecretStr("development-only-conversation-id-key")
