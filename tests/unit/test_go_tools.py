"""`scripts/infra.py go-tool`: one build per exact version in the tool cache, reused without Go."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "infra.py"


def go_tool(cache: Path, package: str, path: str = "/usr/bin:/bin") -> subprocess.CompletedProcess[str]:
    env = {"PATH": path, "ATENDE_CACHE_DIR": str(cache), "HOME": str(cache)}
    return subprocess.run(  # noqa: S603 - this repository's script, fixed arguments
        [sys.executable, str(SCRIPT), "go-tool", package], env=env, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("package", "name", "version"),
    [
        ("helm.sh/helm/v3/cmd/helm@v3.21.4", "helm", "v3.21.4"),
        # A module's major-version suffix is not the command's name: go install names it vegeta.
        ("github.com/tsenart/vegeta/v12@v12.13.0", "vegeta", "v12.13.0"),
    ],
)
def test_a_cached_build_is_printed_without_go_on_the_path(
    tmp_path: Path, package: str, name: str, version: str
) -> None:
    binary = tmp_path / name / version / name
    binary.parent.mkdir(parents=True)
    binary.write_text("#!/bin/sh\n")
    done = go_tool(tmp_path, package)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{binary}\n"  # stdout is the path only: scripts call it in $(...)


@pytest.mark.parametrize("package", ["helm.sh/helm/v3/cmd/helm", "helm.sh/helm/v3/cmd/helm@latest"])
def test_a_floating_version_is_refused(tmp_path: Path, package: str) -> None:
    done = go_tool(tmp_path, package)
    assert done.returncode == 1
    assert "name an exact version" in done.stderr


def test_without_go_the_build_names_what_is_missing(tmp_path: Path) -> None:
    done = go_tool(tmp_path, "example.com/tool/cmd/tool@v1.0.0")
    assert done.returncode == 1
    assert "`go` is not on PATH" in done.stderr
    assert not (tmp_path / "tool" / "v1.0.0").exists()  # nothing half-built carries the version's name
