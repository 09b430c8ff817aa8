#!/usr/bin/env bash
# ruff over everything; the security lint (ruff's S rules, every remaining finding explained); mypy strict
# over the libs and every service's domain package.
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python scripts/security_lint.py
targets=(libs/atende-core/src libs/atende-testing/src)
for d in services/*/src/*/domain; do targets+=("$d"); done
.venv/bin/mypy "${targets[@]}"
