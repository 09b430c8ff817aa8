"""Conversation settings (environment variables; nothing else reads the environment)."""

from __future__ import annotations

import functools
from datetime import date

from pydantic import Field, SecretStr, field_validator

from atende_conversation.domain.context import Policy
from atende_conversation.domain.hours import BusinessHours
from atende_conversation.domain.messages import Catalog
from atende_core.crypto import blind_index
from atende_core.settings import ServiceSettings


class ConversationSettings(ServiceSettings):
    """The dialogue's tunables, the ISP's name and its agents' business hours."""

    conversation_port: int = 8083
    isp_name: str = "Atende Fibra"
    # Seconds to wait for an NLU / SGP answer before the polite message (then a retry or a handoff).
    nlu_timeout_seconds: float = Field(default=8.0, gt=0)
    sgp_timeout_seconds: float = Field(default=10.0, gt=0)
    nlu_min_confidence: float = Field(default=0.6, ge=0, le=1)
    # Negative sentiment at least this intense (TextAnalyzed.sentiment_intensity) hands over to a person.
    negative_sentiment_min: float = Field(default=0.6, ge=0, le=1)
    idle_warn_seconds: float = Field(default=600.0, gt=0)
    idle_close_seconds: float = Field(default=300.0, gt=0)
    # 'mon-fri 08:00-18:00; sat 08:00-12:00' in BUSINESS_TIMEZONE; holidays as ISO dates, comma separated.
    business_hours: str = "mon-fri 08:00-18:00; sat 08:00-12:00"
    business_timezone: str = "America/Sao_Paulo"
    business_holidays: str = ""
    conversation_state_ttl_seconds: int = Field(default=24 * 3600, gt=0)
    timer_poll_interval_seconds: float = Field(default=0.25, gt=0)
    timer_lease_seconds: float = Field(default=30.0, gt=0)
    # Prepended to every Redis key of this service (tests give each run its own namespace).
    redis_key_prefix: str = ""
    # Key of the HMAC that stands for conversation ids in MongoDB (see engine.Keyer).
    pii_hash_key: SecretStr = SecretStr("changeme")
    # Transcript lines, session records and CPF links are deleted this long after they were written
    # (a TTL index on MongoDB; a purge every RETENTION_PURGE_INTERVAL_S where the server has none).
    transcript_retention_s: float = Field(default=180 * 24 * 3600, gt=0)
    retention_purge_interval_s: float = Field(default=3600.0, gt=0)

    @field_validator("business_hours")
    @classmethod
    def _readable_hours(cls, value: str) -> str:
        BusinessHours.parse(value)
        return value

    def holidays(self) -> frozenset[date]:
        """BUSINESS_HOLIDAYS as dates."""
        return frozenset(date.fromisoformat(d.strip()) for d in self.business_holidays.split(",") if d.strip())

    def policy(self) -> Policy:
        """The machine's policy from these settings."""
        return Policy(
            catalog=Catalog(isp_name=self.isp_name),
            hours=BusinessHours.parse(self.business_hours, timezone=self.business_timezone, holidays=self.holidays()),
            nlu_min_confidence=self.nlu_min_confidence,
            negative_sentiment_min=self.negative_sentiment_min,
            nlu_timeout_seconds=self.nlu_timeout_seconds,
            sgp_timeout_seconds=self.sgp_timeout_seconds,
            idle_warn_seconds=self.idle_warn_seconds,
            idle_close_seconds=self.idle_close_seconds,
            document_index=functools.partial(blind_index, key=self.pii_hash_key.get_secret_value().encode()),
        )
