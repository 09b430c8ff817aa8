"""The template definitions in the repository are valid Graph create bodies, in pt_BR, UTILITY."""

import pytest

from atende_whatsapp_connector.cli import default_templates_dir, load_definitions
from atende_whatsapp_connector.domain.templates import TemplateDefinition, placeholders

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
