"""Campaign scheduler settings (environment variables)."""

from atende_core.settings import ServiceSettings


class CampaignSettings(ServiceSettings):
    """Where the campaign scheduler listens."""

    campaign_scheduler_port: int = 8086
