"""Template registry and parameter checks, without HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from atende_sim_whatsapp.domain.errors import GraphError
from atende_sim_whatsapp.domain.templates import TemplateRegistry, check_send, placeholders

pytestmark = pytest.mark.unit


def registry_with(body_text: str, **extra: Any) -> TemplateRegistry:
    registry = TemplateRegistry()
    template = registry.create(
        {
            "name": "t",
            "language": "pt_BR",
            "category": "utility",
            "components": [{"type": "BODY", "text": body_text}],
            **extra,
        },
        now=0,
    )
    template.status = "APPROVED"
    return registry


def send(params: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": "t",
        "language": {"code": "pt_BR"},
        "components": [{"type": "body", "parameters": params}],
    }


def test_placeholders_are_distinct_in_order() -> None:
    assert placeholders("{{2}} {{1}} {{2}} {{ nome }}") == ["2", "1", "nome"]


def test_category_is_normalised() -> None:
    assert registry_with("oi").all()[0].category == "UTILITY"


def test_repeated_placeholder_counts_once() -> None:
    registry = registry_with("{{1}} e {{1}} de novo, {{2}}")

    rendered = check_send(
        send([{"type": "text", "text": "A"}, {"type": "text", "text": "B"}]), registry, lambda _: False
    )

    assert rendered.body == "A e A de novo, B"


def test_currency_and_date_time_use_fallback_values() -> None:
    registry = registry_with("Valor {{1}} em {{2}}")
    params = [
        {"type": "currency", "currency": {"fallback_value": "R$ 99,90", "code": "BRL", "amount_1000": 99900}},
        {"type": "date_time", "date_time": {"fallback_value": "10/12/2026"}},
    ]

    assert check_send(send(params), registry, lambda _: False).body == "Valor R$ 99,90 em 10/12/2026"


def test_too_many_spaces_are_refused() -> None:
    with pytest.raises(GraphError) as info:
        check_send(send([{"type": "text", "text": "a     b"}]), registry_with("{{1}}"), lambda _: False)

    assert info.value.code == 100


def test_text_header_placeholder() -> None:
    registry = TemplateRegistry()
    template = registry.create(
        {
            "name": "t",
            "language": "pt_BR",
            "category": "UTILITY",
            "components": [
                {"type": "HEADER", "format": "TEXT", "text": "Fatura {{1}}"},
                {"type": "BODY", "text": "oi"},
            ],
        },
        now=0,
    )
    template.status = "APPROVED"
    body = {
        "name": "t",
        "language": {"code": "pt_BR"},
        "components": [{"type": "header", "parameters": [{"type": "text", "text": "4711"}]}],
    }

    rendered = check_send(body, registry, lambda _: False)

    assert rendered.header == {"type": "text", "text": "Fatura 4711"}
    with pytest.raises(GraphError) as info:
        check_send({**body, "components": []}, registry, lambda _: False)
    assert info.value.code == 132000
