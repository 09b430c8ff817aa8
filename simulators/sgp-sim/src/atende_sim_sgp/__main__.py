"""Console script ``atende-sgp-sim``: serve the simulator with uvicorn (port 9002 by default)."""

from __future__ import annotations

import logging

import uvicorn

from atende_sim_sgp.app import create_app
from atende_sim_sgp.settings import SimSettings


def main() -> None:
    """Start the SGP simulator."""
    logging.basicConfig(level=logging.INFO)
    settings = SimSettings()
    uvicorn.run(create_app(settings), host=settings.sgp_sim_host, port=settings.sgp_sim_port)


if __name__ == "__main__":
    main()
