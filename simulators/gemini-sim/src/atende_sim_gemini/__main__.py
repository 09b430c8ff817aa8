"""`atende-gemini-sim`: run the simulator with uvicorn (GEMINI_SIM_PORT, default 9003)."""

from __future__ import annotations

import uvicorn

from atende_sim_gemini.app import create_app
from atende_sim_gemini.settings import SimSettings


def main() -> None:
    """Console script entry point."""
    settings = SimSettings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


if __name__ == "__main__":
    main()
