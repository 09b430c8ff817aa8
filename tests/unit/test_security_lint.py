"""`make lint`'s security lint fails on an unexplained finding and lists the explained ones."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "security_lint.py"
PYPROJECT = """
[tool.ruff]
line-length = 120

[tool.ruff.lint]
select = ["S"]
ignore = [
  "S101",  # assert: type narrowing only
{extra_ignore}]

[tool.ruff.lint.per-file-ignores]
"tests/**" = ["S105"]  # fixed fake credentials
"""


def run(tmp_path: Path, code: str, *, extra_ignore: str = "") -> tuple[int, str]:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT.format(extra_ignore=extra_ignore))
    (tmp_path / "tests").mkdir(exist_ok=True)
    (tmp_path / "tests" / "test_x.py").write_text('PASSWORD = "fixture-password"\n')
    (tmp_path / "app.py").write_text(code)
    result = subprocess.run(  # noqa: S603 - this repository's script, fixed arguments
        [sys.executable, str(SCRIPT), "--root", str(tmp_path)], capture_output=True, text=True, check=False
    )
    return result.returncode, result.stdout


def test_explained_findings_pass_and_are_listed(tmp_path: Path) -> None:
    code = 'assert True\nTOKEN = "dev-token"  # noqa: S105 - development default, refused in production\n'
    status, out = run(tmp_path, code)
    assert status == 0, out
    assert "open findings: 0" in out
    assert "S101      1  global ignore: assert: type narrowing only" in out
    assert "per-file ignore (tests/**: fixed fake credentials)" in out
    assert "noqa with a reason on the line: app.py:2" in out


def test_a_noqa_without_a_reason_fails(tmp_path: Path) -> None:
    status, out = run(tmp_path, 'TOKEN = "dev-token"  # noqa: S105\n')
    assert status == 1
    assert "UNEXPLAINED: app.py:1: `noqa: S105` without a reason" in out


def test_an_open_finding_fails(tmp_path: Path) -> None:
    status, out = run(tmp_path, 'PASSWORD = "hunter2"\n')
    assert status == 1
    assert "open findings: 1" in out
    assert "app.py:1 S105" in out


def test_a_global_ignore_without_a_comment_fails(tmp_path: Path) -> None:
    status, out = run(tmp_path, "import random\nx = random.random()\n", extra_ignore='  "S311",\n')
    assert status == 1
    assert "global ignore of S311 has no comment saying why" in out
