"""Every send type is accepted with Meta's response shape, and recorded with its exact body."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

PNID = "106540352242922"  # the phone-number id the test simulator is configured with

pytestmark = pytest.mark.integration
CUSTOMER = "+5511987654321"
WA_ID = "5511987654321"


def msg(kind: str, content: Any, **extra: Any) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": CUSTOMER,
        "type": kind,
        kind: content,
        **extra,
    }


@pytest.fixture(autouse=True)
async def _window(open_window: Any) -> None:
    await open_window(CUSTOMER)


async def _upload(graph: httpx.AsyncClient) -> str:
    files = {"file": ("fatura.pdf", b"%PDF-1.4 fake", "application/pdf")}
    response = await graph.post(
        f"/{PNID}/media", data={"messaging_product": "whatsapp", "type": "application/pdf"}, files=files
    )
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        ("text", {"body": "Olá! Sua fatura vence amanhã: https://exemplo.com.br", "preview_url": True}),
        ("image", {"link": "http://127.0.0.1:9/x.png", "caption": "Seu roteador"}),
        ("video", {"link": "http://127.0.0.1:9/x.mp4"}),
        ("audio", {"link": "http://127.0.0.1:9/x.ogg"}),
        ("sticker", {"link": "http://127.0.0.1:9/x.webp"}),
        (
            "document",
            {"link": "http://127.0.0.1:9/boleto.pdf", "filename": "boleto.pdf", "caption": "2ª via"},
        ),
        ("location", {"latitude": -23.56, "longitude": -46.65, "name": "Loja", "address": "Av. Paulista"}),
        ("reaction", {"message_id": "wamid.abc", "emoji": "👍"}),
        (
            "interactive",
            {
                "type": "button",
                "header": {"type": "text", "text": "Fatura 4711"},
                "body": {"text": "Resolvi seu problema?"},
                "footer": {"text": "Atende"},
                "action": {
                    "buttons": [
                        {"type": "reply", "reply": {"id": "csat_yes", "title": "Sim, obrigado"}},
                        {"type": "reply", "reply": {"id": "csat_no", "title": "Não"}},
                        {"type": "reply", "reply": {"id": "agent", "title": "Falar com atendente"}},
                    ]
                },
            },
        ),
        (
            "interactive",
            {
                "type": "list",
                "header": {"type": "text", "text": "Como posso ajudar?"},
                "body": {"text": "Escolha uma opção"},
                "action": {
                    "button": "Ver opções",
                    "sections": [
                        {
                            "title": "Financeiro",
                            "rows": [{"id": "boleto", "title": "2ª via", "description": "PDF e PIX"}],
                        },
                        {"title": "Suporte", "rows": [{"id": "sem_internet", "title": "Estou sem internet"}]},
                    ],
                },
            },
        ),
    ],
)
async def test_each_send_type_is_accepted_like_meta(
    graph: httpx.AsyncClient, control: httpx.AsyncClient, kind: str, content: dict[str, Any]
) -> None:
    body = msg(kind, content, biz_opaque_callback_data="corr-1")

    response = await graph.post(f"/{PNID}/messages", json=body)

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["messaging_product"] == "whatsapp"
    assert answer["contacts"] == [{"input": CUSTOMER, "wa_id": WA_ID}]
    assert answer["messages"][0]["id"].startswith("wamid.")
    assert "message_status" not in answer["messages"][0]
    recorded = (await control.get("/_sim/requests", params={"phone": CUSTOMER})).json()["requests"]
    assert recorded[-1]["body"] == body
    assert json.loads(recorded[-1]["raw_body"]) == body
    assert recorded[-1]["kind"] == kind
    assert recorded[-1]["wamid"] == answer["messages"][0]["id"]
    assert recorded[-1]["headers"]["authorization"].startswith("Bearer ***")


async def test_media_by_uploaded_id_is_accepted(graph: httpx.AsyncClient) -> None:
    media_id = await _upload(graph)

    response = await graph.post(f"/{PNID}/messages", json=msg("document", {"id": media_id, "filename": "fatura.pdf"}))

    assert response.status_code == 200, response.text


async def test_template_send_returns_pacing_status(graph: httpx.AsyncClient) -> None:
    body = msg("template", {"name": "hello_world", "language": {"code": "en_US"}})

    response = await graph.post(f"/{PNID}/messages", json=body)

    assert response.status_code == 200, response.text
    assert response.json()["messages"][0]["message_status"] == "accepted"


async def test_mark_as_read_with_typing_indicator(graph: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    inbound = (await control.post("/_sim/inbound", json={"from": WA_ID, "text": "oi"})).json()
    body = {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": inbound["wamid"],
        "typing_indicator": {"type": "text"},
    }

    response = await graph.post(f"/{PNID}/messages", json=body)

    assert response.status_code == 200
    assert response.json() == {"success": True}
    chat = (await control.get(f"/_sim/chat/conversations/{WA_ID}")).json()
    assert chat["typing"] is True
    assert chat["messages"][0]["status"] == "read"
    recorded = (await control.get("/_sim/requests", params={"kind": "read"})).json()["requests"]
    assert recorded[-1]["body"] == body
    assert recorded[-1]["phone"] == WA_ID


async def test_reply_clears_typing_indicator(graph: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    inbound = (await control.post("/_sim/inbound", json={"from": WA_ID, "text": "oi"})).json()
    read = {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": inbound["wamid"],
        "typing_indicator": {"type": "text"},
    }
    await graph.post(f"/{PNID}/messages", json=read)

    await graph.post(f"/{PNID}/messages", json=msg("text", {"body": "Olá!"}))

    assert (await control.get(f"/_sim/chat/conversations/{WA_ID}")).json()["typing"] is False


async def test_mark_as_read_of_unknown_message_is_131009(graph: httpx.AsyncClient) -> None:
    body = {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.nope"}

    response = await graph.post(f"/{PNID}/messages", json=body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == 131009


async def test_phone_number_info(graph: httpx.AsyncClient) -> None:
    response = await graph.get(f"/{PNID}", params={"fields": "throughput"})

    assert response.status_code == 200
    assert response.json()["throughput"] == {"level": "STANDARD"}


async def test_requests_can_be_cleared(graph: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await graph.post(f"/{PNID}/messages", json=msg("text", {"body": "x"}))

    await control.delete("/_sim/requests")

    assert (await control.get("/_sim/requests")).json()["requests"] == []
