"""`atende-auth`: run the auth service."""

from atende_auth.app import NAME, create_app
from atende_auth.settings import AuthSettings
from atende_core.service import run


def main() -> None:
    """Serve the auth service until stopped."""
    settings = AuthSettings.load()
    run(
        lambda: create_app(settings),
        name=NAME,
        settings=settings,
        port=settings.auth_port,
        needs=("kafka", "redis", "mongo"),
    )


if __name__ == "__main__":
    main()
