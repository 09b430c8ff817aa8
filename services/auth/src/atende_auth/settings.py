"""Auth settings (environment variables)."""

from atende_core.settings import ServiceSettings


class AuthSettings(ServiceSettings):
    """Where the auth service listens."""

    auth_port: int = 8081
