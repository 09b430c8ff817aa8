#!/usr/bin/env bash
# Creates .venv (Python 3.11) and installs every lib, service and simulator editable, pinned by
# requirements/constraints.txt. Cheap when nothing changed: a stamp of the inputs skips the install.
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
uv_version=0.13.9
python=${PYTHON:-}
if [[ -z $python ]]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      python=$candidate; break
    fi
  done
fi
[[ -n $python ]] || { echo "bootstrap: Python 3.11 is required (set PYTHON=/path/to/python3.11)" >&2; exit 1; }
[[ -x .venv/bin/python ]] || "$python" -m venv .venv
[[ -x .venv/bin/uv ]] && .venv/bin/uv --version | grep -q " $uv_version" \
  || .venv/bin/python -m pip install --quiet --disable-pip-version-check "uv==$uv_version"

packages=()
for p in libs/*/pyproject.toml services/*/pyproject.toml simulators/*/pyproject.toml; do
  if [[ -f $p ]]; then packages+=(-e "./$(dirname "$p")"); fi
done
stamp=.venv/.atende-stamp
digest=$(cat requirements/constraints.txt requirements/dev.in libs/*/pyproject.toml services/*/pyproject.toml \
  simulators/*/pyproject.toml | sha256sum | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$digest" ]]; then
  .venv/bin/uv pip install --quiet --python .venv/bin/python -c requirements/constraints.txt \
    -r requirements/dev.in "${packages[@]}"
  echo "$digest" > "$stamp"
fi
echo "bootstrap: .venv ready ($(.venv/bin/python --version))"
