"""Gateway settings (environment variables)."""

from __future__ import annotations

from typing import ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator

from atende_core.settings import ServiceSettings

# Development defaults: they match the WhatsApp simulator so `make dev` works without configuration,
# and production refuses them like any other placeholder.
DEV_APP_SECRET = "sim-app-secret"  # noqa: S105 - development default, refused in production
DEV_VERIFY_TOKEN = "atende-dev-verify-token"  # noqa: S105 - development default, refused in production
_DEV_DEFAULTS = frozenset({DEV_APP_SECRET, DEV_VERIFY_TOKEN})

# Meta's largest webhook payload (reference §1.3).
THREE_MEGABYTES = 3 * 1024 * 1024


class GatewaySettings(ServiceSettings):
    """Where the gateway listens and how it authenticates Meta and operators."""

    # Meta issues the app secret; the verify token and operator token are ours (32 bytes or more).
    external_secrets: ClassVar[frozenset[str]] = ServiceSettings.external_secrets | {"whatsapp_app_secret"}
    development_defaults: ClassVar[frozenset[str]] = _DEV_DEFAULTS

    gateway_port: int = 8080
    # Health, readiness and metrics listen here, never on the public port.
    gateway_internal_port: int = 8090
    whatsapp_app_secret: SecretStr = SecretStr(DEV_APP_SECRET)
    whatsapp_verify_token: SecretStr = SecretStr(DEV_VERIFY_TOKEN)
    # The auth service (internal): the JWKS that verifies operator tokens, and the target of `/auth/*`.
    auth_url: str = "http://127.0.0.1:8081"
    auth_proxy_timeout_s: float = Field(default=10.0, gt=0)
    auth_proxy_max_body_bytes: int = Field(default=64 * 1024, gt=0)
    # The operator API (agents' inbox), unless disabled here.
    operator_api_enabled: bool = True
    # Rate limits of the operator API (`limits` notation), per user and per client address.
    operator_rate_limit_per_user: str = "120/minute"
    operator_rate_limit_per_ip: str = "600/minute"
    # Comma-separated browser origins allowed by CORS (none by default).
    gateway_cors_origins: str = ""
    # HSTS always (the gateway is reached over https only), or per request from trusted proxies below.
    gateway_behind_https: bool = False
    # Comma-separated addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto count.
    gateway_trusted_proxies: str = ""
    webhook_max_body_bytes: int = Field(default=THREE_MEGABYTES, gt=0)
    # Meta's delivery timeout is undocumented (reference §1.3 guesses 1-3 s): answer 503 before it.
    webhook_publish_timeout_seconds: float = Field(default=2.5, gt=0)
    # Producer batching: a few ms of linger lets concurrent webhooks share one Kafka request.
    webhook_producer_linger_ms: int = Field(default=5, ge=0)
    # The console's SLA colours: seconds from a handoff request to the first agent reply.
    console_sla_warning_s: float = Field(default=120, gt=0)
    console_sla_breach_s: float = Field(default=300, gt=0)
    # The live stream: a keep-alive comment every ping_s; each stream ends after max_s (the client
    # reconnects through the token guard again); at most max_clients streams per replica.
    console_stream_ping_s: float = Field(default=15, gt=0)
    console_stream_max_s: float = Field(default=600, gt=0)
    console_stream_max_clients: int = Field(default=500, ge=1)
    # The WhatsApp connector's internal API (Bearer INTERNAL_API_TOKEN): the console's templates and uploads.
    whatsapp_connector_url: str = "http://127.0.0.1:8082"
    console_connector_timeout_s: float = Field(default=15.0, gt=0)
    # Largest attachment an agent may send; images stay within WhatsApp's 5 MB whatever this says.
    console_attachment_max_bytes: int = Field(default=5 * 1024 * 1024, gt=0, le=100 * 1024 * 1024)
    # The customer panel waits this long for SGP's answers (through sgp.requests/sgp.results), then 504.
    console_sgp_wait_s: float = Field(default=8, gt=0, le=60)
    # The ISP's timezone (the conversation service's BUSINESS_TIMEZONE): the console's metrics days and hours.
    business_timezone: str = "America/Sao_Paulo"
    # GET /operator/metrics answers from a copy at most this old.
    console_metrics_cache_s: float = Field(default=60, ge=0, le=300)
    # An agent without a presence heartbeat (PUT /operator/presence) for this long is offline.
    console_presence_ttl_s: float = Field(default=90, gt=0)
    # New handoffs go round-robin to available agents; off: they wait in the shared queue.
    console_auto_assign: bool = True
    # The key of the CPF/CNPJ blind index (same as the conversation service's): the board's search.
    pii_hash_key: SecretStr = SecretStr("changeme")

    @field_validator("business_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r} (an IANA name such as America/Sao_Paulo)") from None
        return value

    @property
    def cors_origins(self) -> tuple[str, ...]:
        """The allowed CORS origins."""
        return _items(self.gateway_cors_origins)

    @property
    def trusted_proxies(self) -> tuple[str, ...]:
        """Addresses of trusted reverse proxies."""
        return _items(self.gateway_trusted_proxies)


def _items(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(",") if item.strip())
