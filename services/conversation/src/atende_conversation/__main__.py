"""`atende-conversation`: run the conversation service."""

from atende_conversation.app import NAME, create_app
from atende_conversation.settings import ConversationSettings
from atende_core.service import run


def main() -> None:
    """Serve the conversation service until stopped."""
    settings = ConversationSettings.load()
    run(
        lambda: create_app(settings),
        name=NAME,
        settings=settings,
        port=settings.conversation_port,
        needs=("kafka", "redis", "mongo"),
    )


if __name__ == "__main__":
    main()
