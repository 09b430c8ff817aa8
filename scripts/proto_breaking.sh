#!/usr/bin/env bash
# Fails when proto-events/ breaks a released schema (buf breaking against the released image) or
# breaks the lint rules of proto-events/buf.yaml.
#   scripts/proto_breaking.sh             lint + breaking check (CI)
#   scripts/proto_breaking.sh --release   rewrite proto-events/released/v1.binpb from the current
#                                         schemas: do this deliberately, in the change that releases;
#                                         refuses a breaking change unless --allow-breaking follows
# buf is built once per BUF_VERSION from its Go module into the tool cache outside the clone
# ($ATENDE_CACHE_DIR, else $XDG_CACHE_HOME/atende, else ~/.cache/atende) and reused by every clone. Env: BUF (use this buf binary instead), PROTO_DIR (schemas; tests point it
# at a copy).
set -euo pipefail
cd "$(dirname "$0")/.."

BUF_VERSION=v1.75.0
proto_dir=${PROTO_DIR:-proto-events}
image=$proto_dir/released/v1.binpb

# Built once per version into the tool cache by `scripts/infra.py go-tool` (shared with helm).
BUF=${BUF:-$(python3 scripts/infra.py go-tool "github.com/bufbuild/buf/cmd/buf@$BUF_VERSION")}

if [[ ${1:-} == --release ]]; then
  "$BUF" lint "$proto_dir"
  # Releasing must not launder a break into the image: only --allow-breaking (reviewed) skips this.
  if [[ -f $image && ${2:-} != --allow-breaking ]] && ! "$BUF" breaking "$proto_dir" --against "$image"; then
    echo "proto_breaking: not released: the change above breaks $image (see docs/events.md)." >&2
    exit 1
  fi
  mkdir -p "$(dirname "$image")"
  "$BUF" build "$proto_dir" -o "$image"
  echo "Released schemas written to $image: commit it with the schema change."
  exit 0
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--release [--allow-breaking]]" >&2
  exit 2
fi

if [[ ! -f $image ]]; then
  echo "proto_breaking: $image is missing; run '$0 --release' once to record the released schemas." >&2
  exit 1
fi

status=0
"$BUF" lint "$proto_dir" || { echo "proto_breaking: lint failed (rules in $proto_dir/buf.yaml)." >&2; status=1; }
if ! "$BUF" breaking "$proto_dir" --against "$image"; then
  cat >&2 <<EOF
proto_breaking: the change above breaks a released schema. Released packages only grow: add new
fields with new numbers. For anything else create atende.<domain>.v2 (and a new topic version);
see docs/events.md.
EOF
  status=1
fi
[[ $status == 0 ]] && echo "Event schemas: lint clean, no breaking change against $image."
exit "$status"
