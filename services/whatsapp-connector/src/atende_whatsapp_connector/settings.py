"""WhatsApp connector settings (environment variables)."""

from __future__ import annotations

from typing import Annotated, ClassVar, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode

from atende_core.errors import ConfigurationError
from atende_core.settings import Environment, ServiceSettings
from atende_whatsapp_connector.domain.media_hosts import META_MEDIA_HOSTS, MediaHostAllowlist

# Development defaults that match the WhatsApp simulator; production refuses them.
DEV_ACCESS_TOKEN = "sim-access-token"  # noqa: S105 - development default, refused in production
DEV_APP_SECRET = "sim-app-secret"  # noqa: S105 - development default, refused in production
SIM_PHONE_NUMBER_ID = "106540352242922"
SIM_BUSINESS_ACCOUNT_ID = "102290129340398"
_DEV_DEFAULTS = frozenset({DEV_ACCESS_TOKEN, DEV_APP_SECRET})
DAY = 24 * 3600


class ConnectorSettings(ServiceSettings):
    """Graph API access, owned numbers, dedup and throughput of the WhatsApp connector."""

    # Meta issues both; production needs an https Graph API URL (no simulator default there).
    external_secrets: ClassVar[frozenset[str]] = ServiceSettings.external_secrets | {
        "whatsapp_access_token",
        "whatsapp_app_secret",
    }
    development_defaults: ClassVar[frozenset[str]] = _DEV_DEFAULTS
    https_urls: ClassVar[frozenset[str]] = frozenset({"whatsapp_api_base_url"})

    whatsapp_connector_port: int = 8082
    whatsapp_api_base_url: str = "http://127.0.0.1:9001"
    whatsapp_graph_version: str = "v25.0"
    whatsapp_access_token: SecretStr = SecretStr(DEV_ACCESS_TOKEN)
    # Optional hardening: with an app secret every Graph call carries `appsecret_proof`.
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_phone_number_id: str = SIM_PHONE_NUMBER_ID
    # Numbers this deployment answers for; webhooks for any other number are ignored (reference §1.3).
    whatsapp_owned_phone_number_ids: Annotated[list[str], NoDecode] = Field(default_factory=list)
    whatsapp_business_account_id: str = SIM_BUSINESS_ACCOUNT_ID
    # Where media downloads may send the access token (comma-separated): hosts and *.suffixes over
    # https only, or exact origins with a scheme (`http://127.0.0.1:9001`, the simulator in dev/test).
    whatsapp_media_download_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(META_MEDIA_HOSTS)
    )

    # Meta retries for up to 7 days; remember ids a day longer.
    whatsapp_dedup_ttl_seconds: int = Field(default=8 * DAY, ge=7 * DAY)
    # A message older than this on arrival is a replayed backlog: recorded, flagged stale.
    whatsapp_stale_after_seconds: int = Field(default=15 * 60, gt=0)
    # Sent-message index (wamid → conversation, command) lives as long as statuses may arrive.
    whatsapp_sent_index_ttl_seconds: int = Field(default=30 * DAY, gt=0)

    # Per phone number, shared by every replica through Redis (Meta's default is 80 msg/s).
    whatsapp_send_rate_per_second: float = Field(default=80.0, gt=0)
    whatsapp_send_burst: int = Field(default=1, ge=1)

    # Consumers per topic in one process: partitions in parallel, each key still strictly in order.
    whatsapp_consumer_concurrency: int = Field(default=3, ge=1)

    whatsapp_http_timeout_seconds: float = Field(default=10.0, gt=0)
    whatsapp_send_max_attempts: int = Field(default=5, ge=1)
    whatsapp_retry_initial_seconds: float = Field(default=0.5, ge=0)
    whatsapp_retry_max_seconds: float = Field(default=20.0, ge=0)

    # Template sent when a free-form message hits the closed 24-hour window and the command carries
    # no fallback of its own ("" = none: the failure is reported as is).
    whatsapp_reengagement_template: str = ""
    whatsapp_reengagement_template_language: str = "pt_BR"
    # How long the approved-template list (GET /templates, for the console) is cached in Redis.
    whatsapp_template_cache_s: float = Field(default=300, gt=0)

    @field_validator("whatsapp_owned_phone_number_ids", "whatsapp_media_download_hosts", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("whatsapp_media_download_hosts")
    @classmethod
    def _valid_media_hosts(cls, value: list[str]) -> list[str]:
        MediaHostAllowlist.parse(value)  # raises ValueError on an entry that is neither host nor origin
        return value

    @model_validator(mode="after")
    def _refuse_plain_http_media_hosts(self) -> Self:
        if self.environment is Environment.PRODUCTION:
            plain = [h for h in self.whatsapp_media_download_hosts if h.strip().lower().startswith("http://")]
            if plain:
                msg = f"WHATSAPP_MEDIA_DOWNLOAD_HOSTS allows plain http origins {plain}; production needs https"
                raise ConfigurationError(msg)
        return self

    @property
    def media_host_allowlist(self) -> MediaHostAllowlist:
        """The parsed allowlist the Graph client checks media URLs against."""
        return MediaHostAllowlist.parse(self.whatsapp_media_download_hosts)

    @property
    def owned_phone_number_ids(self) -> frozenset[str]:
        """The numbers we answer for (the configured list, else WHATSAPP_PHONE_NUMBER_ID)."""
        return frozenset(self.whatsapp_owned_phone_number_ids or [self.whatsapp_phone_number_id])

    @property
    def graph_base_url(self) -> str:
        """Versioned Graph API root, e.g. https://graph.facebook.com/v25.0."""
        return f"{self.whatsapp_api_base_url.rstrip('/')}/{self.whatsapp_graph_version}"
