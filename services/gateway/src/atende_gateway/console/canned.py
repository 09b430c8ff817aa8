"""Canned answers: the pt-BR catalog `canned_answers.json` shipped in this package.

    route                                              viewer  agent  supervisor  admin
    GET  /operator/canned-answers                        yes    yes      yes       yes

Texts carry placeholders the web console fills before the agent edits and sends them: `{nome}` (the
customer's name from the conversation) and `{atendente}` (the agent's own name).
"""

# No `from __future__ import annotations` here: FastAPI must see the route annotations as objects.
import json
from importlib import resources
from typing import TYPE_CHECKING

from atende_gateway.console.sending_models import CannedAnswers

if TYPE_CHECKING:  # the console package imports this module to list its registrar
    from atende_gateway.console import ConsoleContext

CATALOG = "canned_answers.json"


def load_catalog() -> CannedAnswers:
    """The catalog, validated (a broken file stops the gateway at start-up, not at the first click)."""
    text = resources.files(__package__).joinpath(CATALOG).read_text(encoding="utf-8")
    catalog = CannedAnswers.model_validate({"items": json.loads(text)})
    ids = [item.id for item in catalog.items]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{CATALOG}: duplicate ids")
    return catalog


def register(context: "ConsoleContext") -> None:
    """Add the canned answers' route."""
    catalog = load_catalog()
    Reader = context.reader  # noqa: N806 - a type alias, named like one

    @context.router.get("/canned-answers")
    async def canned_answers(principal: Reader) -> CannedAnswers:
        """Ready answers in pt-BR with `{nome}` / `{atendente}` placeholders (every role)."""
        return catalog
