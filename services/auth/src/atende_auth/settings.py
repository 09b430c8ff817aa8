"""Auth settings (environment variables)."""

from __future__ import annotations

from ipaddress import ip_network
from typing import Self

from pydantic import Field, IPvAnyNetwork, SecretStr, model_validator

from atende_auth.audit.settings import AuditSettings
from atende_core.errors import ConfigurationError
from atende_core.identity import Role
from atende_core.settings import Environment

# Development default: production refuses it like any other placeholder.
DEV_ENCRYPTION_KEY = "atende-dev-auth-encryption-key-not-for-production"


class AuthSettings(AuditSettings):  # AuditSettings is a ServiceSettings
    """Where the auth service listens, its token lifetimes and its brute-force and network policies."""

    auth_port: int = 8081
    auth_url: str = "http://127.0.0.1:8081"
    auth_access_ttl_s: int = Field(default=600, ge=30, le=3600)
    # One agent's shift; each refresh starts the window again.
    auth_refresh_ttl_s: int = Field(default=12 * 3600, ge=60)
    auth_enrolment_ttl_s: int = Field(default=600, ge=60, le=3600)
    # Encrypts TOTP secrets and signing keys at rest (AES-256-GCM; ≥ 32 random bytes in production).
    auth_totp_encryption_key: SecretStr = SecretStr(DEV_ENCRYPTION_KEY)
    # A new signing key every 30 days; published this long before it signs (longer than a verifier's
    # minimum JWKS refresh interval, so no verifier meets an unknown kid).
    auth_key_rotation_interval_s: int = Field(default=30 * 86400, ge=60)
    auth_key_activation_delay_s: int = Field(default=30, ge=0)
    auth_agent_2fa_required: bool = False
    auth_totp_issuer: str = "Atende"
    # Per role, the networks logins and refreshes may come from; a role not listed (or []) = anywhere.
    # AUTH_IP_ALLOWLIST='{"admin": ["10.0.0.0/8"], "supervisor": ["10.0.0.0/8", "192.168.0.0/16"]}'
    auth_ip_allowlist: dict[Role, list[IPvAnyNetwork]] = Field(default_factory=dict)
    # Peers whose X-Forwarded-For is believed (the gateway); any other peer is the client itself.
    auth_trusted_proxies: list[IPvAnyNetwork] = Field(
        default_factory=lambda: [ip_network("127.0.0.1/32"), ip_network("::1/128")]
    )
    auth_login_rate_per_ip: str = "30/minute"
    auth_login_rate_per_username: str = "10/minute"
    auth_refresh_rate_per_ip: str = "60/minute"
    auth_lockout_user_threshold: int = Field(default=5, ge=1)
    auth_lockout_ip_threshold: int = Field(default=20, ge=1)
    auth_lockout_window_s: int = Field(default=900, ge=1)
    auth_lockout_base_s: int = Field(default=30, ge=1)
    auth_lockout_max_s: int = Field(default=3600, ge=1)
    auth_burst_distinct_accounts: int = Field(default=5, ge=2)
    auth_burst_window_s: int = Field(default=600, ge=1)
    auth_password_min_length: int = Field(default=12, ge=8)
    auth_known_ips_kept: int = Field(default=20, ge=1)
    auth_argon2_time_cost: int = Field(default=3, ge=1)
    auth_argon2_memory_kib: int = Field(default=65536, ge=8192)
    auth_argon2_parallelism: int = Field(default=4, ge=1)

    @model_validator(mode="after")
    def _refuse_development_secrets(self) -> Self:
        if self.environment is Environment.PRODUCTION and (
            self.auth_totp_encryption_key.get_secret_value() == DEV_ENCRYPTION_KEY
        ):
            msg = "AUTH_TOTP_ENCRYPTION_KEY holds the development default; set a real secret in production"
            raise ConfigurationError(msg)
        return self
