"""Auth settings (environment variables)."""

from atende_auth.audit.settings import AuditSettings


class AuthSettings(AuditSettings):  # AuditSettings is a ServiceSettings
    """Where the auth service listens."""

    auth_port: int = 8081
