"""An agent sends a PDF and an approved template from the console: gateway → connector (upload to the
Graph API) → `whatsapp.outbound` → connector → Graph API; the simulator records the upload, the
document by its media id and the template with the agent's parameters, in order."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from atende_core.identity import Role
from atende_core.ids import conversation_id as conversation_id_of
from atende_core.ids import conversation_id_key
from atende_core.settings import ServiceSettings
from atende_testing import wait_until
from atende_testing.operators import wait_for_handoff

pytestmark = pytest.mark.e2e
ID_KEY = conversation_id_key(ServiceSettings())
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def test_an_agent_sends_a_document_and_a_template(platform: Any) -> None:
    customer = platform.customer("5511955557777", "Joana")
    cid = conversation_id_of(phone_number_id="106540352242922", wa_id=customer.phone, key=ID_KEY)
    await customer.taps("menu:agent", "Falar com atendente")
    await customer.reads("Vou te transferir para um atendente")
    headers = {"Authorization": f"Bearer {platform.tokens.mint('ana', Role.AGENT)}"}
    async with httpx.AsyncClient(base_url=platform.gateway, headers=headers, timeout=30) as operator:
        await wait_for_handoff(operator, cid)
        assert (await operator.post(f"/operator/handoffs/{cid}/claim")).status_code == 200
        templates = {t["name"] for t in (await operator.get("/operator/templates")).json()["items"]}
        assert "retomar_atendimento" in templates
        assert "manutencao_programada" not in templates  # pending at Meta

        document = await operator.post(
            f"/operator/conversations/{cid}/attachments",
            files={"file": ("segunda-via.pdf", PDF, "application/pdf")},
            data={"caption": "Segue a segunda via"},
            headers={"Idempotency-Key": "doc-1"},
        )
        assert document.status_code == 202, document.text
        await customer.reads("Segue a segunda via")
        body = {"name": "retomar_atendimento", "language": "pt_BR", "parameters": ["Joana", "Ana"]}
        template = await operator.post(
            f"/operator/conversations/{cid}/template", json=body, headers={"Idempotency-Key": "tpl-1"}
        )
        assert template.status_code == 202, template.text

        async def sent() -> list[dict[str, Any]] | None:
            calls = [r["body"] for r in await platform.graph_requests(customer.phone)]
            kinds = [c.get("type") for c in calls]
            return calls if "template" in kinds and "document" in kinds else None

        calls = await wait_until(sent, timeout=60) or []

        async def on_the_board() -> bool:
            turns = (await operator.get(f"/operator/conversations/{cid}")).json()["turns"]
            return {"document", "template"} <= {t["kind"] for t in turns if t["role"] == "agent"}

        await wait_until(on_the_board, timeout=30)
        uploads = await platform.http.get(f"{platform.whatsapp_sim}/_sim/requests", params={"kind": "media_upload"})
    (upload,) = uploads.json()["requests"]
    assert upload["body"]["type"] == "application/pdf"
    (doc,) = [c["document"] for c in calls if c.get("type") == "document"]
    assert doc == {"id": upload["response"]["id"], "caption": "Segue a segunda via", "filename": "segunda-via.pdf"}
    (sent_template,) = [c["template"] for c in calls if c.get("type") == "template"]
    assert sent_template["name"] == "retomar_atendimento"
    assert sent_template["language"] == {"code": "pt_BR"}
    assert [p["text"] for p in sent_template["components"][0]["parameters"]] == ["Joana", "Ana"]
