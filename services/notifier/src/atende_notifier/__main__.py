"""`atende-notifier`: run the notifier service."""

from atende_core.service import run
from atende_notifier.app import NAME, create_app
from atende_notifier.settings import NotifierSettings


def main() -> None:
    """Serve the notifier until stopped."""
    settings = NotifierSettings.load()
    run(lambda: create_app(settings), name=NAME, settings=settings, port=settings.notifier_port)


if __name__ == "__main__":
    main()
