"""`atende-whatsapp-connector`: run the WhatsApp connector."""

from atende_core.service import run
from atende_whatsapp_connector.app import NAME, create_app
from atende_whatsapp_connector.settings import ConnectorSettings


def main() -> None:
    """Serve the connector until stopped."""
    settings = ConnectorSettings.load()
    run(lambda: create_app(settings), name=NAME, settings=settings, port=settings.whatsapp_connector_port)


if __name__ == "__main__":
    main()
