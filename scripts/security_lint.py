"""Security lint: ruff's S rules (the flake8-bandit port of bandit's checks), with every finding accounted for.

Prints one summary: open findings (fail), and every suppressed finding grouped by how it is explained:
- a global ignore in pyproject.toml's [tool.ruff.lint] ``ignore`` (each S rule needs an inline ``# why``),
- a per-file ignore (each entry naming an S rule needs an inline ``# why``),
- a ``# noqa: S…`` on the line (it must carry a reason: ``# noqa: S105 - development default …``).
Exits 1 on an open finding, a ``noqa: S…`` without a reason, or an S ignore without a comment.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUFF = REPO / ".venv" / "bin" / "ruff"
NO_GLOBAL = ("--config", "lint.ignore=[]")
NO_PER_FILE = ("--config", "lint.per-file-ignores={}")
_NOQA_WITH_REASON = re.compile(r"#\s*noqa:\s*[A-Z]+\d+(?:\s*,\s*[A-Z]+\d+)*\s*(?:-|—|:|because)\s*\S")
_IGNORE_ENTRY = re.compile(r'^\s*"(S\d+)"\s*,?\s*(#\s*\S.*)?$')
_PER_FILE_ENTRY = re.compile(r'^\s*"([^"]+)"\s*=\s*\[([^\]]*)\]\s*(#\s*\S.*)?$')

Finding = tuple[str, int, str]  # path, line, rule


def _ruff(root: Path, *options: str, select: bool = True) -> set[Finding]:
    """S findings of one ruff pass (``select=False``: the repository's own rule selection, ignores included)."""
    command = [str(RUFF), "check", ".", "--output-format", "json", "--exit-zero", *options]
    if select:
        command += ["--select", "S"]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True)
    return {
        (str(Path(f["filename"]).relative_to(root)), int(f["location"]["row"]), str(f["code"]))
        for f in json.loads(result.stdout or "[]")
        if str(f.get("code") or "").startswith("S")
    }


def _pyproject_reasons(root: Path) -> tuple[dict[str, str], dict[str, tuple[list[str], str]], list[str]]:
    """S rules ignored globally (rule → reason) and per file (pattern → (rules, reason)); problems found."""
    global_reasons: dict[str, str] = {}
    per_file: dict[str, tuple[list[str], str]] = {}
    problems: list[str] = []
    section = ""
    in_ignore = False
    for raw in (root / "pyproject.toml").read_text().splitlines():
        line = raw.strip()
        if line.startswith("["):
            section, in_ignore = line, False
            continue
        if section == "[tool.ruff.lint]" and line.startswith("ignore = ["):
            in_ignore = True
            if line.endswith("]"):
                problems.append("pyproject.toml: write [tool.ruff.lint] ignore one rule per line, each with a # reason")
            continue
        if in_ignore:
            if line.startswith("]"):
                in_ignore = False
                continue
            match = _IGNORE_ENTRY.match(line)
            if match:
                rule, comment = match.groups()
                if not comment:
                    problems.append(f"pyproject.toml: global ignore of {rule} has no comment saying why")
                global_reasons[rule] = (comment or "").lstrip("# ").strip()
        elif section == "[tool.ruff.lint.per-file-ignores]":
            match = _PER_FILE_ENTRY.match(line)
            if match:
                pattern, rules_text, comment = match.groups()
                rules = re.findall(r'"([A-Z]+\d+)"', rules_text)
                security = [r for r in rules if r.startswith("S")]
                if security and not comment:
                    problems.append(f"pyproject.toml: per-file ignore of {security} for {pattern!r} has no comment")
                per_file[pattern] = (security, (comment or "").lstrip("# ").strip())
    return global_reasons, per_file, problems


def main(argv: list[str] | None = None) -> int:
    """Run the passes, print the summary, return the exit status."""
    parser = argparse.ArgumentParser(description="security lint: ruff S rules, every finding explained")
    parser.add_argument("--root", type=Path, default=REPO, help="repository to check (default: this one)")
    root = parser.parse_args(argv).root.resolve()
    everything = _ruff(root, "--ignore-noqa", *NO_GLOBAL, *NO_PER_FILE)
    without_global = _ruff(root, "--ignore-noqa", *NO_GLOBAL)  # per-file ignores applied
    honouring_noqa = _ruff(root, *NO_GLOBAL, *NO_PER_FILE)  # line suppressions applied
    open_findings = sorted(_ruff(root, select=False))
    global_reasons, per_file, problems = _pyproject_reasons(root)

    by_global: Counter[str] = Counter()
    by_per_file: Counter[str] = Counter()
    by_noqa: dict[str, list[str]] = defaultdict(list)
    lines: dict[str, list[str]] = {}
    for path, row, rule in sorted(everything):
        if rule in global_reasons:
            by_global[rule] += 1
        elif (path, row, rule) not in without_global:
            by_per_file[rule] += 1
        elif (path, row, rule) not in honouring_noqa:
            source = lines.setdefault(path, (root / path).read_text().splitlines())
            text = source[row - 1] if row <= len(source) else ""
            by_noqa[rule].append(f"{path}:{row}")
            if not _NOQA_WITH_REASON.search(text):
                problems.append(f"{path}:{row}: `noqa: {rule}` without a reason")

    print("security lint: ruff S rules (flake8-bandit)")
    print(f"  open findings: {len(open_findings)}")
    for path, row, rule in open_findings:
        print(f"    {path}:{row} {rule}")
    print("  explained findings:")
    for rule, count in sorted(by_global.items()):
        print(f"    {rule:5} {count:5}  global ignore: {global_reasons[rule]}")
    for rule, count in sorted(by_per_file.items()):
        reasons = "; ".join(f"{p}: {why}" for p, (rules, why) in per_file.items() if rule in rules)
        print(f"    {rule:5} {count:5}  per-file ignore ({reasons})")
    for rule, places in sorted(by_noqa.items()):
        print(f"    {rule:5} {len(places):5}  noqa with a reason on the line: {', '.join(places)}")
    for problem in problems:
        print(f"  UNEXPLAINED: {problem}")
    return 1 if open_findings or problems else 0


if __name__ == "__main__":
    sys.exit(main())
