"""Runs every benchmark (`*/bench/bench_*.py`), each printing one JSON object of flat figures as its
last stdout line; merges them into .bench/results.json and prints a summary. A failing benchmark is
reported and makes the run exit non-zero, the others still run."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / ".bench" / "results.json"


def discover() -> list[Path]:
    """Benchmark scripts of every package, in a stable order."""
    patterns = ("libs/*/bench/bench_*.py", "services/*/bench/bench_*.py", "tests/bench/bench_*.py")
    return sorted({p for pattern in patterns for p in ROOT.glob(pattern)})


def run(script: Path) -> dict[str, float] | None:
    """Run one benchmark; its figures, or None when it failed."""
    started = time.monotonic()
    process = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=ROOT, check=False)
    lines = [line for line in process.stdout.splitlines() if line.strip()]
    sys.stderr.write(process.stderr[-4000:])
    if process.returncode != 0 or not lines:
        sys.stdout.write(f"FAILED {script.relative_to(ROOT)} (exit {process.returncode})\n")
        return None
    figures: dict[str, float] = json.loads(lines[-1])
    sys.stdout.write(f"ran {script.relative_to(ROOT)} in {time.monotonic() - started:.0f} s\n")
    return figures


def main() -> int:
    """Run all, merge, print, write."""
    results: dict[str, float] = {}
    failures = 0
    for script in discover():
        figures = run(script)
        if figures is None:
            failures += 1
        else:
            results.update(figures)
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    width = max((len(k) for k in results), default=10)
    sys.stdout.write("\nBenchmark summary\n")
    for key, value in sorted(results.items()):
        sys.stdout.write(f"  {key:<{width}}  {value}\n")
    sys.stdout.write(f"\nwritten to {OUT.relative_to(ROOT)}\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
