"""`atende templates …`: register the repository's message templates (`templates/*.json`) through the
Graph API and show their approval status. Registered as the `templates` entry of `atende.cli`."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from atende_whatsapp_connector.adapters.graph import GraphApiError, GraphClient
from atende_whatsapp_connector.app import graph_client
from atende_whatsapp_connector.domain.templates import TemplateDefinition
from atende_whatsapp_connector.settings import ConnectorSettings

app = typer.Typer(
    help="WhatsApp message templates: create the ones in templates/ and show their status.", no_args_is_help=True
)


def default_templates_dir() -> Path:
    """`templates/` inside the installed package (wheel) or beside it in the repository."""
    packaged = Path(__file__).resolve().parent / "templates"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "templates"


def load_definitions(directory: Path) -> list[TemplateDefinition]:
    """Every `*.json` template definition of `directory`, validated, sorted by file name."""
    return [
        TemplateDefinition.model_validate(json.loads(p.read_text("utf-8"))) for p in sorted(directory.glob("*.json"))
    ]


@dataclass(frozen=True)
class SyncResult:
    """What `sync` did with one definition and the status Meta reports for it."""

    name: str
    language: str
    action: str  # created, exists, failed
    status: str
    detail: str = ""


async def sync_templates(
    graph: GraphClient, business_account_id: str, definitions: list[TemplateDefinition]
) -> list[SyncResult]:
    """Create the definitions Meta does not have yet, then read back every one's approval status."""
    existing = {(t.get("name"), t.get("language")) for t in await graph.list_templates(business_account_id)}
    actions: dict[tuple[str, str], tuple[str, str]] = {}
    for definition in definitions:
        key = (definition.name, definition.language)
        if key in existing:
            actions[key] = ("exists", "")
            continue
        try:
            await graph.create_template(business_account_id, definition.create_body())
            actions[key] = ("created", "")
        except GraphApiError as exc:
            actions[key] = ("failed", f"({exc.code}) {exc.title}: {exc.details}")
    statuses = {
        (t.get("name"), t.get("language")): str(t.get("status", ""))
        for t in await graph.list_templates(business_account_id)
    }
    return [
        SyncResult(
            name=name, language=language, action=action, status=statuses.get((name, language), "MISSING"), detail=detail
        )
        for (name, language), (action, detail) in actions.items()
    ]


async def _run_sync(settings: ConnectorSettings, definitions: list[TemplateDefinition]) -> list[SyncResult]:
    graph = graph_client(settings)
    try:
        return await sync_templates(graph, settings.whatsapp_business_account_id, definitions)
    finally:
        await graph.aclose()


@app.command()
def sync(
    directory: Annotated[Path | None, typer.Option("--dir", help="Folder of template JSON files.")] = None,
) -> None:
    """Create missing templates (POST /{waba}/message_templates) and print each one's approval status."""
    definitions = load_definitions(directory or default_templates_dir())
    results = asyncio.run(_run_sync(ConnectorSettings(), definitions))
    for r in results:
        typer.echo(f"{r.name:<32} {r.language:<6} {r.action:<8} {r.status}{'  ' + r.detail if r.detail else ''}")
    if any(r.action == "failed" for r in results):
        raise typer.Exit(code=1)


async def _run_list(settings: ConnectorSettings) -> list[dict[str, object]]:
    graph = graph_client(settings)
    try:
        return await graph.list_templates(settings.whatsapp_business_account_id)
    finally:
        await graph.aclose()


@app.command("list")
def list_templates() -> None:
    """Print every template of the business account with its category and status."""
    for t in asyncio.run(_run_list(ConnectorSettings())):
        typer.echo(f"{t.get('name')!s:<32} {t.get('language')!s:<6} {t.get('category')!s:<14} {t.get('status')}")
