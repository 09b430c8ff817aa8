#!/usr/bin/env bash
# `make test`: bootstrap, start private infrastructure on free ports, check generated code and schema
# compatibility, run every test layer with coverage, stop what was started. Exit code = the tests'.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh || exit 1
run_dir=.run/test-$$
cleanup() { python3 scripts/infra.py down --dir "$run_dir" >/dev/null 2>&1; rm -rf "$run_dir"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
python3 scripts/infra.py up --dir "$run_dir" --free-ports --fresh || exit 1
set -a
# shellcheck disable=SC1091
source "$run_dir/env"
set +a
bash scripts/gen_proto.sh --check || exit 1
# The console's browser tests (tests/browser) drive Debian's chromium.
ATENDE_CHROMIUM=$(python3 scripts/infra.py chromium | tail -n 1) || exit 1
export ATENDE_CHROMIUM
# The Helm chart's checks apply it to a real kube-apiserver: built once from Go modules into the tool cache.
read -r k8s_version etcd_version < <(.venv/bin/python -c \
  'from atende_testing.kube_apiserver import KUBERNETES_VERSION as k, ETCD_VERSION as e; print(k, e)') || exit 1
python3 scripts/infra.py kube-apiserver "$k8s_version" "$etcd_version" >/dev/null || exit 1
if [[ -f scripts/proto_breaking.sh ]]; then bash scripts/proto_breaking.sh || exit 1; fi
# coverage wraps pytest (not pytest-cov) so modules imported by our pytest plugin are measured too.
# The whole run is bounded too (CI allows 90 minutes; a healthy run takes about 10).
PYTHONUNBUFFERED=1 timeout --signal=TERM --kill-after=30 "${ATENDE_TEST_TIMEOUT_S:-3600}" .venv/bin/python -m coverage run -m pytest "$@"
rc=$?
.venv/bin/python -m coverage report --skip-covered --sort=cover | tail -n 25
# pytest's 5 means no test ran: that is a failure for a test command.
[[ $rc -eq 5 ]] && { echo "no tests were collected" >&2; exit 1; }
[[ $rc -eq 124 || $rc -eq 137 ]] && echo "the test run exceeded its time limit and was stopped" >&2
exit $rc
