#!/usr/bin/env bash
# Re-pins requirements/constraints.txt from every package's pyproject.toml and requirements/dev.in.
# The output records versions only: local packages (-e lines) are dropped, and no index URL is written.
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
in=$(mktemp --suffix=.in)
trap 'rm -f "$in"' EXIT
cat requirements/dev.in > "$in"
for p in libs/*/pyproject.toml services/*/pyproject.toml simulators/*/pyproject.toml; do
  if [[ -f $p ]]; then echo "-e ./$(dirname "$p")" >> "$in"; fi
done
.venv/bin/uv pip compile --quiet --python-version 3.11 --no-header --no-annotate "$in" \
  | grep -v -E '^(-e |--index|--extra-index|--find-links)' > requirements/constraints.txt
echo "pinned $(wc -l < requirements/constraints.txt) packages in requirements/constraints.txt"
.venv/bin/python scripts/image_requirements.py  # the images install subsets of these pins
