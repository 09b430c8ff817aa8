"""Simulator settings (environment variables; the only module that reads the environment)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DEMO_CUSTOMERS = (
    "5511987654321:Maria Souza",
    "5521998765432:João Pereira",
    "5531997654321:Ana Lima",
    "5585996543210:Carlos Araújo",
)


def _split(value: object) -> object:
    """Accept comma-separated strings for list settings (env friendly)."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class SimSettings(BaseSettings):
    """Configuration of the WhatsApp simulator; names match the connector's where they are shared."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    whatsapp_access_token: SecretStr = SecretStr("sim-access-token")
    whatsapp_app_secret: SecretStr = SecretStr("sim-app-secret")
    whatsapp_phone_number_id: str = "106540352242922"
    whatsapp_business_account_id: str = "102290129340398"
    whatsapp_graph_version: str = "v25.0"

    whatsapp_sim_host: str = "127.0.0.1"
    whatsapp_sim_port: int = 9001
    # Base URL the sim puts into media download URLs; defaults to http://{host}:{port}.
    whatsapp_sim_public_url: str | None = None
    whatsapp_sim_webhook_url: str = "http://127.0.0.1:8080/webhooks/whatsapp"
    whatsapp_sim_display_phone_number: str = "551140041234"
    whatsapp_sim_business_name: str = "Atende Internet"
    whatsapp_sim_demo_customers: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_DEMO_CUSTOMERS)
    )

    # Limits (reference §5.2).
    whatsapp_sim_throughput_mps: float = 80.0
    whatsapp_sim_pair_burst: int = 45
    whatsapp_sim_pair_interval_s: float = 6.0
    # async: accept then send a `failed` status (Meta's usual); sync: HTTP 400; off: no window check.
    whatsapp_sim_window_mode: Literal["async", "sync", "off"] = "async"
    whatsapp_sim_undeliverable_numbers: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Status webhooks after an accepted send: seconds after the send for each status.
    whatsapp_sim_status_sent_delay_s: float = 0.3
    whatsapp_sim_status_delivered_delay_s: float = 0.8
    whatsapp_sim_status_read_delay_s: float = 2.0
    # auto: `read` after the delay; on_view: when the chat page shows the message; never.
    whatsapp_sim_read_mode: Literal["auto", "on_view", "never"] = "auto"
    whatsapp_sim_webhook_max_attempts: int = 6
    whatsapp_sim_webhook_backoff_s: float = 0.5
    whatsapp_sim_webhook_timeout_s: float = 5.0
    whatsapp_sim_webhook_escape_slashes: bool = False

    # Templates: seconds until a created template turns APPROVED (0 = immediately).
    whatsapp_sim_template_approval_delay_s: float = 2.0
    whatsapp_sim_template_status_webhooks: bool = True
    # Also start with an ISP's pt-BR templates (approved, pending, rejected) besides Meta's hello_world.
    whatsapp_sim_sample_templates: bool = False

    whatsapp_sim_media_url_ttl_s: float = 300.0
    whatsapp_sim_fetch_media_links: bool = True
    whatsapp_sim_inbound_media_url: bool = True
    whatsapp_sim_max_recorded_requests: int = 10_000

    @field_validator("whatsapp_sim_demo_customers", "whatsapp_sim_undeliverable_numbers", mode="before")
    @classmethod
    def _split_lists(cls, value: object) -> object:
        return _split(value)

    @property
    def public_url(self) -> str:
        """Return the base URL used for media download links."""
        return (self.whatsapp_sim_public_url or f"http://{self.whatsapp_sim_host}:{self.whatsapp_sim_port}").rstrip("/")
