"""Runtime knobs changed while the simulator runs (``/_sim/config``, ``/_sim/faults``)."""

from __future__ import annotations

import random
from typing import Literal

from pydantic import BaseModel, Field

from .settings import SimSettings

FaultMode = Literal[
    "ok", "throttle", "outside_window", "server_error", "slow", "expired_token", "pair_rate", "undeliverable"
]


class RuntimeConfig(BaseModel):
    """Behaviour switches; every field can be changed with ``PATCH /_sim/config``."""

    webhook_url: str
    throughput_mps: float = Field(gt=0)
    pair_burst: int = Field(ge=1)
    pair_interval_s: float = Field(gt=0)
    window_mode: Literal["async", "sync", "off"]
    undeliverable_numbers: list[str]
    status_sent_delay_s: float = Field(ge=0)
    status_delivered_delay_s: float = Field(ge=0)
    status_read_delay_s: float = Field(ge=0)
    read_mode: Literal["auto", "on_view", "never"]
    webhook_max_attempts: int = Field(ge=1, le=20)
    webhook_backoff_s: float = Field(ge=0)
    webhook_timeout_s: float = Field(gt=0)
    webhook_duplicate_probability: float = Field(default=0.0, ge=0, le=1)
    webhook_escape_slashes: bool
    template_approval: Literal["delayed", "immediate", "manual"] = "delayed"
    template_approval_delay_s: float = Field(ge=0)
    template_status_webhooks: bool
    media_url_ttl_s: float = Field(gt=0)
    fetch_media_links: bool
    inbound_media_url: bool

    @classmethod
    def from_settings(cls, s: SimSettings) -> RuntimeConfig:
        """Build the initial runtime config from the settings."""
        return cls(
            webhook_url=s.whatsapp_sim_webhook_url,
            throughput_mps=s.whatsapp_sim_throughput_mps,
            pair_burst=s.whatsapp_sim_pair_burst,
            pair_interval_s=s.whatsapp_sim_pair_interval_s,
            window_mode=s.whatsapp_sim_window_mode,
            undeliverable_numbers=list(s.whatsapp_sim_undeliverable_numbers),
            status_sent_delay_s=s.whatsapp_sim_status_sent_delay_s,
            status_delivered_delay_s=s.whatsapp_sim_status_delivered_delay_s,
            status_read_delay_s=s.whatsapp_sim_status_read_delay_s,
            read_mode=s.whatsapp_sim_read_mode,
            webhook_max_attempts=s.whatsapp_sim_webhook_max_attempts,
            webhook_backoff_s=s.whatsapp_sim_webhook_backoff_s,
            webhook_timeout_s=s.whatsapp_sim_webhook_timeout_s,
            webhook_escape_slashes=s.whatsapp_sim_webhook_escape_slashes,
            template_approval="immediate" if s.whatsapp_sim_template_approval_delay_s == 0 else "delayed",
            template_approval_delay_s=s.whatsapp_sim_template_approval_delay_s,
            template_status_webhooks=s.whatsapp_sim_template_status_webhooks,
            media_url_ttl_s=s.whatsapp_sim_media_url_ttl_s,
            fetch_media_links=s.whatsapp_sim_fetch_media_links,
            inbound_media_url=s.whatsapp_sim_inbound_media_url,
        )


class FaultConfig(BaseModel):
    """Failure injection (``POST /_sim/faults``)."""

    mode: FaultMode = "ok"
    probability: float = Field(default=1.0, ge=0, le=1)
    latency_ms: int = Field(default=3000, ge=0, le=120_000)
    # "messages": only POST /messages; "all": every Graph API call (media, templates too).
    scope: Literal["messages", "all"] = "messages"
    # Affect only the next N matching requests, then go back to "ok" (None = until reset).
    count: int | None = Field(default=None, ge=1)


class Faults:
    """The active fault and the decision, per request, whether it fires."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self.config = FaultConfig()
        self._rng = rng or random.Random()
        self.fired = 0

    def set(self, config: FaultConfig) -> None:
        """Replace the active fault."""
        self.config = config
        self.fired = 0

    def reset(self) -> None:
        """Go back to normal behaviour."""
        self.set(FaultConfig())

    def draw(self, *, is_message_send: bool) -> tuple[FaultMode, int]:
        """Return the fault that applies to this request ("ok" when none) and its latency in ms."""
        cfg = self.config
        if cfg.mode == "ok" or (cfg.scope == "messages" and not is_message_send):
            return "ok", 0
        if self._rng.random() >= cfg.probability:
            return "ok", 0
        self.fired += 1
        if cfg.count is not None and self.fired >= cfg.count:
            self.config = FaultConfig()
        return cfg.mode, cfg.latency_ms
