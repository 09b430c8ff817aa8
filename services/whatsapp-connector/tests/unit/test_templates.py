"""The template definitions in the repository are valid Graph create bodies, in pt_BR, UTILITY."""

import pytest

from atende_whatsapp_connector.cli import default_templates_dir, load_definitions
from atende_whatsapp_connector.domain.templates import TemplateDefinition, console_template, placeholders

pytestmark = pytest.mark.unit


def test_the_four_templates_are_defined() -> None:
    definitions = {d.name: d for d in load_definitions(default_templates_dir())}
    assert set(definitions) == {
        "boleto_segunda_via",
        "promessa_pagamento",
        "confirmacao_agendamento",
        "pesquisa_satisfacao",
    }
    for definition in definitions.values():
        assert (definition.language, definition.category) == ("pt_BR", "UTILITY")
        body = definition.component("BODY")
        assert body is not None
        assert placeholders(body["text"])[0] == 1
        buttons = definition.component("BUTTONS")
        assert buttons is None or all(len(b["text"]) <= 25 for b in buttons["buttons"])
    assert definitions["boleto_segunda_via"].component("HEADER") == {"type": "HEADER", "format": "DOCUMENT"}


def test_a_definition_without_examples_is_refused() -> None:
    with pytest.raises(ValueError, match="example"):
        TemplateDefinition.model_validate(
            {"name": "x", "category": "UTILITY", "components": [{"type": "BODY", "text": "Oi {{1}}"}]}
        )
    with pytest.raises(ValueError, match="without gaps"):
        TemplateDefinition.model_validate(
            {"name": "x", "category": "UTILITY", "components": [{"type": "BODY", "text": "Oi {{2}}"}]}
        )
    with pytest.raises(ValueError, match="name"):
        TemplateDefinition.model_validate(
            {"name": "Boleto", "category": "UTILITY", "components": [{"type": "BODY", "text": "Oi"}]}
        )


def test_the_console_lists_only_approved_templates_it_can_fill() -> None:
    body = {"type": "BODY", "text": "Olá, {{1}}! Sua visita é {{2}}."}
    approved = {
        "name": "visita",
        "language": "pt_BR",
        "category": "UTILITY",
        "status": "APPROVED",
        "components": [body],
    }

    assert console_template(approved) == {
        "name": "visita",
        "language": "pt_BR",
        "category": "UTILITY",
        "body": "Olá, {{1}}! Sua visita é {{2}}.",
        "parameters": 2,
    }
    assert console_template({**approved, "status": "PENDING"}) is None
    assert console_template({**approved, "parameter_format": "NAMED"}) is None
    document = {"type": "HEADER", "format": "DOCUMENT"}
    assert console_template({**approved, "components": [document, body]}) is None
    link = {"type": "BUTTONS", "buttons": [{"type": "URL", "text": "Ver", "url": "https://x.example/{{1}}"}]}
    assert console_template({**approved, "components": [body, link]}) is None
    title = {"type": "HEADER", "format": "TEXT", "text": "Atendimento"}
    assert console_template({**approved, "components": [title, body]}) is not None
