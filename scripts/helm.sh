#!/usr/bin/env bash
# helm for the chart in deploy/k8s/atende: built once per version from its Go module into the tool cache
# outside the clone ($ATENDE_CACHE_DIR, else $XDG_CACHE_HOME/atende, else ~/.cache/atende; see
# `scripts/infra.py go-tool`) and reused by every clone. Needs Go; HELM=/path/to/helm uses that one.
#   scripts/helm.sh lint deploy/k8s/atende
#   scripts/helm.sh template atende deploy/k8s/atende -f deploy/k8s/atende/values-small.yaml
set -euo pipefail
HELM_PACKAGE=helm.sh/helm/v3/cmd/helm@v3.21.4
helm=${HELM:-$(python3 "$(dirname "$0")/infra.py" go-tool "$HELM_PACKAGE")}
exec "$helm" "$@"
