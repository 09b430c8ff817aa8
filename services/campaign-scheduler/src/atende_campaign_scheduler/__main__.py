"""`atende-campaign-scheduler`: run the campaign scheduler."""

from atende_campaign_scheduler.app import NAME, create_app
from atende_campaign_scheduler.settings import CampaignSettings
from atende_core.service import run


def main() -> None:
    """Serve the campaign scheduler until stopped."""
    settings = CampaignSettings.load()
    run(lambda: create_app(settings), name=NAME, settings=settings, port=settings.campaign_scheduler_port)


if __name__ == "__main__":
    main()
