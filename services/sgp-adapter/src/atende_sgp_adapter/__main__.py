"""``atende-sgp-adapter``: run the service (port 8085 by default)."""

from __future__ import annotations

from atende_core.service import run
from atende_sgp_adapter.app import NAME, create_app
from atende_sgp_adapter.settings import Settings


def main() -> None:
    """Serve the sgp-adapter until stopped."""
    settings = Settings.load()
    # Only Kafka is required: with Redis down the adapter answers correctly, without the cache.
    run(lambda: create_app(settings), name=NAME, settings=settings, port=settings.sgp_adapter_port, needs=("kafka",))


if __name__ == "__main__":
    main()
