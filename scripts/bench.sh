#!/usr/bin/env bash
# `make bench`: private infrastructure on free ports, every benchmark, a summary, .bench/results.json.
set -uo pipefail
cd "$(dirname "$0")/.."
run_dir=.run/bench-$$
trap 'python3 scripts/infra.py down --dir "$run_dir" >/dev/null 2>&1; rm -rf "$run_dir"' EXIT
python3 scripts/infra.py up --dir "$run_dir" --free-ports || exit 1
set -a
# shellcheck disable=SC1091
source "$run_dir/env"
ATENDE_INFRA_DIR=$run_dir
# Benchmarks build settings in-process; services started by the platform launcher run as development.
ENVIRONMENT=${ENVIRONMENT:-test}
set +a
.venv/bin/python scripts/bench.py
