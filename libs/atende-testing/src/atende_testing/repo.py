"""The repository's own scripts, for fixtures that reuse what they install (tool cache, pinned versions)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def infra_script() -> ModuleType:
    """scripts/infra.py of the repository this file is in (its tool cache, builds and JVM options)."""
    if "atende_infra_script" in sys.modules:
        return sys.modules["atende_infra_script"]
    for parent in Path(__file__).resolve().parents:
        script = parent / "scripts" / "infra.py"
        if script.is_file():
            spec = importlib.util.spec_from_file_location("atende_infra_script", script)
            if spec is None or spec.loader is None:
                raise RuntimeError(f"cannot load {script}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
            spec.loader.exec_module(module)
            return module
    raise RuntimeError("scripts/infra.py not found above atende_testing: run the tests from a repository checkout")
