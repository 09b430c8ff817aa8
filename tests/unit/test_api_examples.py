"""docs/API_EXAMPLES.md is what scripts/api_examples.py generates from the gateway's OpenAPI document."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.unit

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "api_examples.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("api_examples", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["api_examples"] = module
    spec.loader.exec_module(module)
    return module


def test_the_committed_api_examples_are_current_and_every_operator_route_has_examples() -> None:
    assert _script().check() == []


def test_check_reports_a_stale_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = _script()
    stale = tmp_path / "API_EXAMPLES.md"
    stale.write_text(SCRIPT.parent.parent.joinpath("docs", "API_EXAMPLES.md").read_text() + "\nedited by hand\n")
    monkeypatch.setattr(script, "OUT_PATH", stale)
    (problem,) = script.check()
    assert "stale" in problem
    assert script.main(["--check"]) == 1


def test_every_operator_route_gets_a_curl_example_with_the_token_placeholder() -> None:
    script = _script()
    document = script.build_openapi()
    text = script.render(document)
    operator = [(m, p) for p, ops in document["paths"].items() if p.startswith("/operator/") for m in ops]
    assert len(operator) >= 7
    for method, path in operator:
        assert f"## `{method.upper()} {path}`" in text
    assert text.count('-H "Authorization: Bearer $TOKEN"') == len(operator)
    assert "/corrections" in text
