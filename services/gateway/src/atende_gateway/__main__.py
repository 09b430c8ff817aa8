"""`atende-gateway`: run the gateway."""

from atende_core.service import run
from atende_gateway.app import NAME, create_app
from atende_gateway.settings import GatewaySettings


def main() -> None:
    """Serve the gateway (public and internal ports) until stopped."""
    settings = GatewaySettings.load()
    # No infrastructure check: the webhook ingress starts without Kafka (it answers 503 until Kafka is
    # back, so Meta retries); the operator API's own start-up needs Kafka and Redis.
    run(
        lambda: create_app(settings),
        name=NAME,
        settings=settings,
        port=settings.gateway_port,
        needs=(),
        internal_port=settings.gateway_internal_port,
    )


if __name__ == "__main__":
    main()
