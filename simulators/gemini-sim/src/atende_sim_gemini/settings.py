"""Settings of the Gemini simulator; the only module that reads the environment."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from atende_sim_gemini.modes import Mode


class SimSettings(BaseSettings):
    """GEMINI_SIM_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="GEMINI_SIM_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 9003
    mode: Mode = Mode.NORMAL
    delay_s: float = 5.0
    # Reject requests without an API key, like the real API does.
    require_api_key: bool = True
    max_recorded: int = 1000
