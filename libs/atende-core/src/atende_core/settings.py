"""The settings every service shares; each service subclasses `ServiceSettings` in its own settings.py.

ENVIRONMENT has no default: a process started without it refuses to start (`make dev` sets
development, the tests set test). Production refuses (`_refuse_unsafe_production`):
- placeholder and development values in any secret field;
- secrets we choose ourselves shorter than 32 bytes (every SecretStr field except those a third
  party issues, listed in `external_secrets`);
- `http://` for the external APIs' base URLs (`https_urls`), which have no default there;
- SASL PLAIN over an unencrypted Kafka connection.
Secrets may come from a provider (atende_core.secrets): `<FIELD>_SECRET_REF` names the reference.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Literal, Self
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from atende_core.bus.security import KafkaSecurity
from atende_core.errors import ConfigurationError
from atende_core.secrets.config import SecretsConfig
from atende_core.secrets.source import SecretRefSource

PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "dev", "test", "placeholder"})
# The values `make dev` and the simulators use (atende_testing.platform.DEV_SECRETS and the services'
# own development defaults): public, so never acceptable in production.
DEVELOPMENT_SECRETS = frozenset(
    {
        "dev-whatsapp-token",
        "dev-app-secret",
        "dev-verify-token",
        "dev-sgp-token",
        "dev-gemini-key",
        "dev-operator-token",
        "sim-access-token",
        "sim-app-secret",
    }
)
MIN_OWN_SECRET_BYTES = 32


class Environment(StrEnum):
    """Where a service runs; only development and test accept placeholder secrets."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class ServiceSettings(SecretsConfig):
    """Connection and runtime settings common to all services (read from the environment)."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    # Secret fields issued by a third party (Meta, the SGP, Google...): no length rule for them.
    external_secrets: ClassVar[frozenset[str]] = frozenset(
        {"kafka_sasl_password", "kafka_ssl_key_password", "secrets_vault_token"}
    )
    # Values of this service's own development defaults, refused in production.
    development_defaults: ClassVar[frozenset[str]] = frozenset()
    # Base URLs of external APIs: https only in production, and required there (no simulator default).
    https_urls: ClassVar[frozenset[str]] = frozenset()

    environment: Environment
    log_level: str = "INFO"
    http_host: str = "127.0.0.1"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Prepended to every topic name, so parallel test runs never share topics.
    kafka_topic_prefix: str = ""
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_ssl_ca_file: Path | None = None
    kafka_ssl_cert_file: Path | None = None
    kafka_ssl_key_file: Path | None = None
    kafka_ssl_key_password: SecretStr | None = None
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "PLAIN"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    bus_max_attempts: int = Field(default=3, ge=1)
    bus_retry_backoff_seconds: float = Field(default=0.2, ge=0)
    # rediss://… for TLS; the files below are added to the URL (redis-py's ssl_* query options).
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_tls_ca_file: Path | None = None
    redis_tls_cert_file: Path | None = None
    redis_tls_key_file: Path | None = None
    # tls=true in the URI (or mongodb+srv://) for TLS; the files below are added to the URI.
    mongodb_uri: str = "mongodb://127.0.0.1:27017/"
    mongodb_tls_ca_file: Path | None = None
    mongodb_tls_cert_key_file: Path | None = None
    mongodb_database: str = "atende"
    otel_exporter_otlp_endpoint: str | None = None
    # Bearer token for /metrics and internal routes (atende_core.service); unset refuses every caller
    # (fail closed), so it is not demanded in production; a value, once set, must be a real secret.
    internal_api_token: SecretStr | None = None

    # Where each secret field was read from (field → provider reference); filled by the secrets source.
    secret_refs: dict[str, str] = Field(default_factory=dict)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Constructor arguments, then provider references, then plain environment variables."""
        return (init_settings, SecretRefSource(settings_cls), env_settings, dotenv_settings, file_secret_settings)

    @model_validator(mode="before")
    @classmethod
    def _require_environment_and_fold_tls(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        if not str(data.get("environment") or "").strip():
            msg = (
                "ENVIRONMENT is not set: set ENVIRONMENT=production for a deployment "
                "(`make dev` sets development and the tests set test; nothing is assumed)"
            )
            raise ConfigurationError(msg)
        data = dict(data)
        redis_files = {
            "ssl_ca_certs": data.get("redis_tls_ca_file"),
            "ssl_certfile": data.get("redis_tls_cert_file"),
            "ssl_keyfile": data.get("redis_tls_key_file"),
        }
        if any(redis_files.values()):
            url = str(data.get("redis_url") or "")
            if not url.startswith("rediss://"):
                raise ConfigurationError("REDIS_TLS_* files need a rediss:// REDIS_URL")
            data["redis_url"] = _with_query(url, redis_files)
        mongo_files = {
            "tlsCAFile": data.get("mongodb_tls_ca_file"),
            "tlsCertificateKeyFile": data.get("mongodb_tls_cert_key_file"),
        }
        if any(mongo_files.values()):
            uri = str(data.get("mongodb_uri") or cls.model_fields["mongodb_uri"].default)
            data["mongodb_uri"] = _with_query(uri, {"tls": "true", **mongo_files})
        return data

    @model_validator(mode="after")
    def _check_kafka_security(self) -> Self:
        if self.kafka_security_protocol.startswith("SASL_") and not (
            self.kafka_sasl_username and self.kafka_sasl_password
        ):
            raise ConfigurationError(
                f"KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs KAFKA_SASL_USERNAME and "
                "KAFKA_SASL_PASSWORD"
            )
        return self

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Self:
        if self.environment is not Environment.PRODUCTION:
            return self
        refused = DEVELOPMENT_SECRETS | self.development_defaults
        for name, value in self.secret_fields().items():
            text = value.get_secret_value()
            if text.strip().lower() in PLACEHOLDER_SECRETS:
                raise ConfigurationError(f"{name.upper()} holds a placeholder value; set a real secret in production")
            if text in refused:
                raise ConfigurationError(f"{name.upper()} holds a development default; set a real secret in production")
            if name not in self.external_secrets and len(text.encode()) < MIN_OWN_SECRET_BYTES:
                raise ConfigurationError(
                    f"{name.upper()} is shorter than {MIN_OWN_SECRET_BYTES} bytes; generate one with "
                    "`openssl rand -base64 48`"
                )
        for name in sorted(self.https_urls):
            url = getattr(self, name)
            if url is None:
                continue  # optional: the SDK's own (https) endpoint is used
            if name not in self.model_fields_set:
                raise ConfigurationError(f"{name.upper()} is required in production (there is no default)")
            if not str(url).lower().startswith("https://"):
                raise ConfigurationError(f"{name.upper()} must be an https:// URL in production")
        if self.kafka_security_protocol == "SASL_PLAINTEXT" and self.kafka_sasl_mechanism == "PLAIN":
            raise ConfigurationError("SASL PLAIN over an unencrypted Kafka connection: use SASL_SSL in production")
        return self

    @classmethod
    def load(cls, **values: Any) -> Self:
        """The settings, or the end of the process with the reason on stderr (exit code 2, no traceback)."""
        try:
            return cls(**values)
        except ConfigurationError as exc:
            reason = str(exc)
        except ValidationError as exc:
            # Without the input values: a rejected value may be a secret.
            reason = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']).upper() or 'SETTINGS'}: {e['msg']}"
                for e in exc.errors(include_input=False, include_url=False)
            )
        program = sys.argv[0].rsplit("/", 1)[-1] or "atende"
        sys.stderr.write(f"{program}: refusing to start: {reason}\n")
        raise SystemExit(2)

    @property
    def is_production(self) -> bool:
        """Whether production's rules apply."""
        return self.environment is Environment.PRODUCTION

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

    def kafka_security(self) -> KafkaSecurity:
        """TLS and SASL of every Kafka client of this service."""
        return KafkaSecurity(
            protocol=self.kafka_security_protocol,
            ca_file=self.kafka_ssl_ca_file,
            cert_file=self.kafka_ssl_cert_file,
            key_file=self.kafka_ssl_key_file,
            key_password=_reveal(self.kafka_ssl_key_password),
            sasl_mechanism=self.kafka_sasl_mechanism,
            username=self.kafka_sasl_username,
            password=_reveal(self.kafka_sasl_password),
        )


def _reveal(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def _with_query(url: str, extra: dict[str, Any]) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update({k: str(v) for k, v in extra.items() if v})
    return urlunsplit(parts._replace(query=urlencode(query)))
