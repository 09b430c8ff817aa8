"""Rewrite deploy/k8s/schemas/: the JSON schemas that tests/deploy/test_helm_chart.py validates the chart against.

    .venv/bin/python scripts/k8s_schemas.py          # rewrite (run after a version bump below, then commit)
    .venv/bin/python scripts/k8s_schemas.py --check  # fail when the committed files differ

Kubernetes: one standalone schema per kind the chart renders, for the two newest minor versions, cut
from the OpenAPI v3 spec in the k8s.io/kubernetes module (api/openapi-spec/v3): the kind's schema plus
every component it reaches, `$ref`s pointing into the file, descriptions dropped to keep the repo small.
CRDs: the openAPIV3Schema of the custom resources the chart renders, as their operators publish them in
their Go modules (the module version and the file inside it are written into each schema's `$comment`).
Modules come from the Go module proxy through `go mod download` (Go is needed only to regenerate).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "deploy" / "k8s" / "schemas"

KUBERNETES_VERSIONS = ("v1.37.2", "v1.36.3")  # the two newest minor versions the module proxy serves
# (group/version, kind) of every built-in object the chart renders; a new kind in the chart goes here.
KINDS = (
    ("v1", "PersistentVolumeClaim"),
    ("v1", "Service"),
    ("v1", "ServiceAccount"),
    ("apps/v1", "Deployment"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("batch/v1", "CronJob"),
    ("batch/v1", "Job"),
    ("networking.k8s.io/v1", "Ingress"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
    ("policy/v1", "PodDisruptionBudget"),
)
# (module, version, file in the module, kind). The proxy serves prometheus-operator's root module up to
# v0.85.0 (newer versions answer "not available"); KEDA v2.21.0 is the newest whose go.mod accepts Go 1.26.
CRDS = (
    (
        "github.com/prometheus-operator/prometheus-operator",
        "v0.85.0",
        "example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml",
        "ServiceMonitor",
    ),
    (
        "github.com/prometheus-operator/prometheus-operator",
        "v0.85.0",
        "example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml",
        "PrometheusRule",
    ),
    ("github.com/kedacore/keda/v2", "v2.21.0", "config/crd/bases/keda.sh_scaledobjects.yaml", "ScaledObject"),
)


def module_dir(module: str, version: str) -> Path:
    """The extracted module, downloaded into Go's module cache by the go command."""
    done = subprocess.run(
        [os.environ.get("GO", "go"), "mod", "download", "-json", f"{module}@{version}"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    info = json.loads(done.stdout or "{}")
    if not info.get("Dir"):
        raise SystemExit(f"k8s_schemas: cannot download {module}@{version}: {info.get('Error') or done.stderr}")
    return Path(info["Dir"])


def trimmed(node: Any) -> Any:
    """The schema without prose: descriptions are most of the spec's size and validate nothing."""
    if isinstance(node, dict):
        return {k: trimmed(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [trimmed(v) for v in node]
    return node


def refs_of(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(refs_of(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(refs_of(v) for v in node))
    return set()


def relinked(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: ("#/definitions/" + v.rsplit("/", 1)[-1] if k == "$ref" else relinked(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [relinked(v) for v in node]
    return node


def spec_file(spec_dir: Path, group_version: str) -> Path:
    if group_version == "v1":
        return spec_dir / "api__v1_openapi.json"
    group, version = group_version.split("/")
    return spec_dir / f"apis__{group}__{version}_openapi.json"


def kubernetes_schema(spec_dir: Path, version: str, group_version: str, kind: str) -> dict[str, Any]:
    components: dict[str, Any] = json.loads(spec_file(spec_dir, group_version).read_text())["components"]["schemas"]
    group, _, api_version = group_version.rpartition("/")
    wanted = {"group": group, "version": api_version, "kind": kind}
    root = next(
        name for name, schema in components.items() if wanted in schema.get("x-kubernetes-group-version-kind", [])
    )
    reached, pending = set(), [root]
    while pending:
        name = pending.pop()
        if name not in reached:
            reached.add(name)
            pending.extend(refs_of(components[name]) - reached)
    definitions = {name: relinked(trimmed(components[name])) for name in sorted(reached - {root})}
    return {
        "$comment": f"k8s.io/kubernetes@{version} api/openapi-spec/v3/{spec_file(spec_dir, group_version).name} {root}",
        **relinked(trimmed(components[root])),
        "definitions": definitions,
    }


def crd_schema(module: str, version: str, path: str, kind: str) -> tuple[str, dict[str, Any]]:
    crd = yaml.safe_load((module_dir(module, version) / path).read_text())
    group = crd["spec"]["group"]
    served = next(v for v in crd["spec"]["versions"] if v.get("storage"))
    schema = trimmed(served["schema"]["openAPIV3Schema"])
    return f"crds/{group}/{kind.lower()}_{served['name']}.json", {"$comment": f"{module}@{version} {path}", **schema}


def wanted_files() -> dict[str, str]:
    files: dict[str, dict[str, Any]] = {}
    for version in KUBERNETES_VERSIONS:
        spec_dir = module_dir("k8s.io/kubernetes", version) / "api" / "openapi-spec" / "v3"
        minor = ".".join(version.split(".")[:2])
        for group_version, kind in KINDS:
            name = f"kubernetes/{minor}/{kind.lower()}-{group_version.replace('/', '-').replace('.', '-')}.json"
            files[name] = kubernetes_schema(spec_dir, version, group_version, kind)
    for module, version, path, kind in CRDS:
        name, schema = crd_schema(module, version, path, kind)
        files[name] = schema
    return {name: json.dumps(schema, indent=1, sort_keys=True) + "\n" for name, schema in files.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    args = parser.parse_args()
    files = wanted_files()
    present = {str(p.relative_to(OUT)): p for p in OUT.rglob("*.json")}
    if args.check:
        stale = sorted(n for n, text in files.items() if n not in present or present[n].read_text() != text)
        stale += sorted(set(present) - set(files))
        for name in stale:
            print(f"k8s_schemas: {OUT / name} is stale: run scripts/k8s_schemas.py", file=sys.stderr)
        return 1 if stale else 0
    for name in set(present) - set(files):
        present[name].unlink()
    for name, text in files.items():
        (OUT / name).parent.mkdir(parents=True, exist_ok=True)
        (OUT / name).write_text(text)
    print(f"k8s_schemas: wrote {len(files)} schemas into {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
