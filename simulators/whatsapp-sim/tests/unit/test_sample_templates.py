"""The sample pt-BR templates are ones Meta's create endpoint accepts, and they send like approved ones."""

from __future__ import annotations

import pytest

from atende_sim_whatsapp.domain.errors import GraphError
from atende_sim_whatsapp.domain.sample_templates import SAMPLE_TEMPLATES
from atende_sim_whatsapp.domain.templates import TemplateRegistry, check_send

pytestmark = pytest.mark.unit


def test_every_sample_passes_the_creation_rules() -> None:
    registry = TemplateRegistry()
    for sample in SAMPLE_TEMPLATES:
        body = {"name": sample.name, "language": sample.language, "category": sample.category,
                "components": sample.components}  # fmt: skip
        assert registry.create(body, now=0).status == "PENDING"
    assert {s.status for s in SAMPLE_TEMPLATES} == {"APPROVED", "PENDING", "REJECTED"}


def test_an_approved_sample_renders_and_a_pending_one_is_missing() -> None:
    registry = TemplateRegistry()
    for sample in SAMPLE_TEMPLATES:
        registry.add(sample)
    params = [{"type": "text", "text": "Maria"}, {"type": "text", "text": "Ana"}]
    send = {"name": "retomar_atendimento", "language": {"code": "pt_BR"},
            "components": [{"type": "body", "parameters": params}]}  # fmt: skip

    rendered = check_send(send, registry, lambda _: True)

    assert rendered.body.startswith("Olá, Maria! Aqui é Ana, da central")
    with pytest.raises(GraphError) as missing:
        check_send({"name": "manutencao_programada", "language": {"code": "pt_BR"}}, registry, lambda _: True)
    assert missing.value.code == 132001
