"""sgp-adapter settings: the only place that reads the environment."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr

from atende_core.settings import ServiceSettings

# Development defaults: the SGP token matches the simulator's so `make dev` works unconfigured;
# production refuses them like any other placeholder.
DEV_SGP_TOKEN = "dev-sgp-token"  # noqa: S105 - development default, refused in production
DEV_CACHE_HASH_KEY = "dev-cache-hash-key"
_DEV_DEFAULTS = frozenset({DEV_SGP_TOKEN, DEV_CACHE_HASH_KEY})


class Settings(ServiceSettings):
    """Configuration of the SGP client, its cache and the service (``REDIS_URL`` etc. come from the base)."""

    # The ISP issues the SGP token; the cache hash key is ours (32 bytes or more in production).
    external_secrets: ClassVar[frozenset[str]] = ServiceSettings.external_secrets | {"sgp_token"}
    development_defaults: ClassVar[frozenset[str]] = _DEV_DEFAULTS
    https_urls: ClassVar[frozenset[str]] = frozenset({"sgp_base_url"})

    sgp_adapter_port: int = 8085
    bus_concurrency: int = Field(default=4, ge=1)

    # SGP (names fixed by the issue)
    sgp_base_url: str = "http://127.0.0.1:9002"
    sgp_token: SecretStr = SecretStr(DEV_SGP_TOKEN)
    sgp_app: str = "atende"
    sgp_connect_timeout_s: float = Field(default=2.0, gt=0)
    sgp_read_timeout_s: float = Field(default=8.0, gt=0)  # integrators use 8-15 s for URA calls
    sgp_max_connections: int = Field(default=20, ge=1)
    sgp_read_retries: int = Field(default=1, ge=0)  # extra attempts, idempotent reads only
    sgp_retry_max_wait_s: float = Field(default=0.5, ge=0)
    sgp_breaker_threshold: int = Field(default=5, ge=1)  # consecutive failures that open the breaker
    sgp_breaker_reset_s: float = Field(default=30.0, gt=0)  # open this long before a trial call
    sgp_ticket_type: int = 5  # ocorrenciatipo differs per ISP; 5 = "Outros" by default
    # Per-kind ocorrenciatipo overrides, e.g. {"no_connection": 200}.
    sgp_ticket_types: dict[str, int] = Field(default_factory=dict)
    sgp_ticket_method: int = 5  # 5 = WhatsApp
    sgp_promise_send_sms: bool = False

    # Redis cache
    redis_socket_timeout_s: float = Field(default=0.25, gt=0)
    cache_key_prefix: str = ""
    cache_hash_key: SecretStr = SecretStr(DEV_CACHE_HASH_KEY)  # keyed hash for documents in keys
    cache_ttl_customer_s: float = Field(default=1800.0, gt=0)  # sgp_cliente:* (ARCHITECTURE.md)
    cache_ttl_not_found_s: float = Field(default=120.0, gt=0)
    cache_ttl_invoices_s: float = Field(default=300.0, gt=0)
    cache_ttl_pix_s: float = Field(default=300.0, gt=0)
    cache_ttl_connection_s: float = Field(default=60.0, gt=0)
    cache_ttl_outages_s: float = Field(default=60.0, gt=0)
    cache_lock_ttl_s: float = Field(default=20.0, gt=0)  # longer than one SGP call with its retry
    cache_lock_wait_s: float = Field(default=20.0, ge=0)
    cache_redis_retry_after_s: float = Field(default=5.0, ge=0)  # skip Redis this long after a failure
    cache_prefetch_invoices: bool = True  # read invoices ahead after an identification
    cache_prefetch_connection: bool = True  # and the connection status (both only with this one on)
    cache_warm_on_conversation_start: bool = True  # load the customer by WhatsApp number as a chat opens
    cache_recent_window_s: float = Field(default=6 * 3600.0, gt=0)  # "recently active" for warming
    cache_warm_limit: int = Field(default=500, ge=0)
    # The hit and miss counts the console's metrics read (atende_core.hourly_counts) are written this often.
    cache_stats_flush_s: float = Field(default=5.0, gt=0)
    promise_idempotency_ttl_s: float = Field(default=30 * 24 * 3600.0, gt=0)
