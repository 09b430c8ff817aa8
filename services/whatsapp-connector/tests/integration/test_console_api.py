"""The connector's internal routes for the operator console, against the WhatsApp simulator: the
approved templates an agent can send (cached in Redis) and media uploads to the Graph API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def sim_overrides() -> dict[str, Any]:
    return {"whatsapp_sim_sample_templates": True}


async def test_templates_are_the_approved_sendable_ones_and_cached(stack: Any) -> None:
    first = await stack.connector.get("/templates")
    again = await stack.connector.get("/templates")

    assert first.status_code == again.status_code == 200
    items = {t["name"]: t for t in first.json()["items"]}
    # PENDING, REJECTED and a template whose header needs a document are left out.
    assert set(items) == {"hello_world", "lembrete_contato", "retomar_atendimento", "visita_tecnica_agendada"}
    assert items["retomar_atendimento"] == {
        "name": "retomar_atendimento",
        "language": "pt_BR",
        "category": "UTILITY",
        "body": items["retomar_atendimento"]["body"],
        "parameters": 2,
    }
    assert items["retomar_atendimento"]["body"].startswith("Olá, {{1}}! Aqui é {{2}}")
    assert items["lembrete_contato"]["parameters"] == 0
    assert again.json() == first.json()
    assert len(await stack.requests("template_list")) == 1
    async with httpx.AsyncClient(base_url=str(stack.connector.base_url)) as stranger:
        assert (await stranger.get("/templates")).status_code == 401


async def test_uploads_reach_the_graph_api_and_hostile_ones_are_refused(stack: Any) -> None:
    uploaded = await stack.connector.post(
        "/media", params={"filename": "fatura.pdf"}, content=PDF, headers={"Content-Type": "application/pdf"}
    )
    assert uploaded.status_code == 201
    media_id = uploaded.json()["media_id"]
    (record,) = await stack.requests("media_upload")
    assert record["body"]["type"] == "application/pdf"
    assert record["body"]["file"]["filename"] == "fatura.pdf"
    info = (await stack.sim.get(f"/v25.0/{media_id}", headers={"Authorization": "Bearer integration-token-123"})).json()
    assert info["file_size"] == len(PDF)

    wrong_type = await stack.connector.post(
        "/media", content=b"MZ\x90\x00", headers={"Content-Type": "application/x-msdownload"}
    )
    too_big = await stack.connector.post(
        "/media", content=b"\x89PNG\r\n\x1a\n" + bytes(5 * 2**20), headers={"Content-Type": "image/png"}
    )
    empty = await stack.connector.post("/media", content=b"", headers={"Content-Type": "application/pdf"})
    # Meta checks the bytes too: a "PDF" that is not one is refused upstream.
    not_pdf = await stack.connector.post("/media", content=b"GIF89a", headers={"Content-Type": "application/pdf"})

    assert [wrong_type.status_code, too_big.status_code, empty.status_code] == [415, 413, 422]
    assert not_pdf.status_code == 422
    assert "131053" in not_pdf.json()["detail"]
    assert len(await stack.requests("media_upload")) == 2
