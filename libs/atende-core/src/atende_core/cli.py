"""The `atende` command: sub-commands are contributed by packages through the `atende.cli` entry points."""

from __future__ import annotations

from importlib.metadata import entry_points

import typer

app = typer.Typer(
    help="Atende operations: NLU training and evaluation, WhatsApp templates, topics.", no_args_is_help=True
)


def main() -> None:
    """Entry point of the `atende` console script."""
    for entry in entry_points(group="atende.cli"):
        app.add_typer(entry.load(), name=entry.name)
    app()
