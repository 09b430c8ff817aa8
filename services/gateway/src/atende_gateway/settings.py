"""Gateway settings (environment variables)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr

from atende_core.settings import ServiceSettings

# Development defaults: they match the WhatsApp simulator so `make dev` works without configuration,
# and production refuses them like any other placeholder.
DEV_APP_SECRET = "sim-app-secret"  # noqa: S105 - development default, refused in production
DEV_VERIFY_TOKEN = "atende-dev-verify-token"  # noqa: S105 - development default, refused in production
DEV_OPERATOR_API_TOKEN = "atende-dev-operator-token"  # noqa: S105 - development default, refused in production
_DEV_DEFAULTS = frozenset({DEV_APP_SECRET, DEV_VERIFY_TOKEN, DEV_OPERATOR_API_TOKEN})

# Meta's largest webhook payload (reference §1.3).
THREE_MEGABYTES = 3 * 1024 * 1024


class GatewaySettings(ServiceSettings):
    """Where the gateway listens and how it authenticates Meta and operators."""

    # Meta issues the app secret; the verify token and operator token are ours (32 bytes or more).
    external_secrets: ClassVar[frozenset[str]] = ServiceSettings.external_secrets | {"whatsapp_app_secret"}
    development_defaults: ClassVar[frozenset[str]] = _DEV_DEFAULTS

    gateway_port: int = 8080
    whatsapp_app_secret: SecretStr = SecretStr(DEV_APP_SECRET)
    whatsapp_verify_token: SecretStr = SecretStr(DEV_VERIFY_TOKEN)
    operator_api_token: SecretStr = SecretStr(DEV_OPERATOR_API_TOKEN)
    # The operator API (agents' inbox) is mounted when its module is installed, unless disabled here.
    operator_api_enabled: bool = True
    webhook_max_body_bytes: int = Field(default=THREE_MEGABYTES, gt=0)
    # Meta's delivery timeout is undocumented (reference §1.3 guesses 1-3 s): answer 503 before it.
    webhook_publish_timeout_seconds: float = Field(default=2.5, gt=0)
    # Producer batching: a few ms of linger lets concurrent webhooks share one Kafka request.
    webhook_producer_linger_ms: int = Field(default=5, ge=0)
