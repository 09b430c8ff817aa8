"""Settings of the NLU service; the only module that reads the environment."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from atende_core.settings import ServiceSettings
from atende_nlu_gemini.domain.policy import Policy

# The labelled examples ship inside the package; the model and the feedback are written, so a deployment
# points NLU_MODEL_PATH and NLU_FEEDBACK_PATH at a volume (defaults: services/nlu-gemini/ of a checkout).
PACKAGE_DIR = Path(__file__).resolve().parent
SERVICE_DIR = PACKAGE_DIR.parents[1]


class NluSettings(ServiceSettings):
    """Configuration of nlu-gemini (names fixed by the issue: GEMINI_*, NLU_POLICY).

    Inherits Kafka/Redis/logging settings and the refusal of placeholder secrets in production.
    """

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    # Google issues the API key; GEMINI_BASE_URL, when set, must be https in production.
    external_secrets: ClassVar[frozenset[str]] = ServiceSettings.external_secrets | {"gemini_api_key"}
    https_urls: ClassVar[frozenset[str]] = frozenset({"gemini_base_url"})

    gemini_api_key: SecretStr | None = None
    gemini_base_url: str | None = None
    gemini_model: str = "gemini-2.5-flash"
    gemini_timeout_s: float = 2.5
    gemini_budget_s: float = 6.0
    gemini_max_attempts: int = 3
    gemini_breaker_threshold: int = 5
    gemini_breaker_reset_s: float = 30.0

    nlu_policy: Policy = Policy.LOCAL_FIRST
    nlu_confidence_threshold: float = 0.6
    nlu_context_turns: int = 6
    nlu_fewshot_examples: int = 4

    nlu_model_path: Path = SERVICE_DIR / "model" / "nlu-model.joblib"
    nlu_train_path: Path = PACKAGE_DIR / "data" / "train.jsonl"
    nlu_feedback_path: Path = SERVICE_DIR / "var" / "feedback.jsonl"
    nlu_seed: int = 13

    nlu_port: int = 8084
    bus_concurrency: int = 1

    @field_validator("nlu_policy", mode="before")
    @classmethod
    def _parse_policy(cls, value: object) -> object:
        return Policy.parse(value) if isinstance(value, str) else value

    @property
    def gemini_enabled(self) -> bool:
        """Whether a Gemini client can be built (a key is configured)."""
        return self.gemini_api_key is not None and bool(self.gemini_api_key.get_secret_value())
