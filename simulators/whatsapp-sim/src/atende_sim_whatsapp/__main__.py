"""Console script ``atende-whatsapp-sim``: run the simulator with uvicorn."""

from __future__ import annotations

import logging

import uvicorn

from .app import create_app
from .settings import SimSettings


def main() -> None:
    """Start the simulator on ``WHATSAPP_SIM_HOST:WHATSAPP_SIM_PORT`` (127.0.0.1:9001)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = SimSettings()
    uvicorn.run(
        create_app(settings),
        host=settings.whatsapp_sim_host,
        port=settings.whatsapp_sim_port,
        log_level="info",
    )


if __name__ == "__main__":
    main()
