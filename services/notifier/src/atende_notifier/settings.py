"""Notifier settings (environment variables)."""

from atende_core.settings import ServiceSettings


class NotifierSettings(ServiceSettings):
    """Where the notifier listens."""

    notifier_port: int = 8087
