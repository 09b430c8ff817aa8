"""`atende-gateway`: run the gateway."""

from atende_core.service import run
from atende_gateway.app import NAME, create_app
from atende_gateway.settings import GatewaySettings


def main() -> None:
    """Serve the gateway until stopped."""
    settings = GatewaySettings.load()
    # No infrastructure check: the webhook ingress starts without Kafka (it answers 503 until Kafka is
    # back, so Meta retries); the operator API's own start-up needs Kafka and Redis.
    # `run` is typed for FastAPI apps; the gateway serves an ASGI dispatcher in front of one.
    run(lambda: create_app(settings), name=NAME, settings=settings, port=settings.gateway_port, needs=())  # type: ignore[arg-type,return-value]


if __name__ == "__main__":
    main()
