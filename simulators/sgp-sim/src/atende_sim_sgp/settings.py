"""Simulator settings (environment variables)."""

from __future__ import annotations

from datetime import date

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class SimSettings(BaseSettings):
    """SGP simulator configuration; the token/app pair must match the adapter's SGP_TOKEN/SGP_APP."""

    model_config = SettingsConfigDict(extra="ignore")

    sgp_sim_host: str = "127.0.0.1"
    sgp_sim_port: int = 9002
    sgp_token: SecretStr = SecretStr("dev-sgp-token")  # the adapter's development default
    sgp_app: str = "atende"
    sgp_sim_seed: int = 20_260_101
    sgp_sim_customers: int = 10_000
    # Base URL written into bill links; defaults to the URL the request came in on.
    sgp_sim_public_url: str | None = None
    sgp_sim_promise_days: int = 3
    sgp_sim_promise_limit_per_month: int = 1
    # Pin "today" for reproducible demos; defaults to the real date.
    sgp_sim_today: date | None = None
    sgp_sim_timeout_hold_s: float = 30.0
