"""SGP simulator start-up: CPU seconds to generate its seeded 10,000-customer base (this thread's clock,
best of three). `make dev` and every SGP test pay it once per simulator. Prints one JSON line."""

from __future__ import annotations

import json
import sys
import time
from datetime import date

from atende_sim_sgp.base import SgpBase


def main() -> int:
    """Generate the base three times and report the fastest."""
    timings = []
    for _ in range(3):
        started = time.thread_time()
        base = SgpBase(seed=11, customers=10_000, today=date.today())
        timings.append(time.thread_time() - started)
    sys.stderr.write(f"SGP simulator base: {len(base.customers)} customers in {min(timings):.2f} s CPU\n")
    sys.stdout.write(json.dumps({"sgp_sim_base_10k_cpu_s": round(min(timings), 3)}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
