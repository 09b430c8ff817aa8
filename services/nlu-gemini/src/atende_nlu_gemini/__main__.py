"""`atende-nlu-gemini`: run the service with uvicorn on NLU_PORT (8084)."""

from __future__ import annotations

from atende_core.service import run
from atende_nlu_gemini.app import create_app
from atende_nlu_gemini.settings import NluSettings


def main() -> None:
    """Console script entry point."""
    settings = NluSettings.load()
    run(
        lambda: create_app(settings),
        name="nlu-gemini",
        settings=settings,
        port=settings.nlu_port,
        needs=("kafka",),
    )


if __name__ == "__main__":
    main()
