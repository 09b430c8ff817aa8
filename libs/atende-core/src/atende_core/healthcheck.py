"""`python -m atende_core.healthcheck`: the container's HEALTHCHECK (exit 0 when /healthz answers 200).

The image sets ATENDE_HEALTH_URL to its service's health port on the loopback; probes carry no
credential and /healthz reveals nothing but up.
"""

from __future__ import annotations

import os
import sys
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8080/healthz"


def healthy(url: str, timeout_s: float = 2.0) -> bool:
    if not url.startswith("http://127.0.0.1:"):
        return False  # only ever the process's own loopback port
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as answer:  # noqa: S310 - loopback only, checked above
            return bool(answer.status == 200)
    except OSError:
        return False


def main() -> int:
    return 0 if healthy(os.environ.get("ATENDE_HEALTH_URL", DEFAULT_URL)) else 1


if __name__ == "__main__":
    sys.exit(main())
