"""The chat page and its polling API: what a person playing the customer sees."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration
PNID = "106540352242922"
CUSTOMER = "5511987654321"


async def test_page_and_assets_are_served_without_cdn(control: httpx.AsyncClient) -> None:
    page = await control.get("/")
    script = await control.get("/static/app.js")
    style = await control.get("/static/style.css")

    assert page.status_code == 200
    assert '<html lang="pt-BR">' in page.text
    assert "Número do cliente" in page.text
    assert "http" not in page.text.split("<body>")[0].replace('name="viewport"', "")
    assert script.headers["content-type"].startswith("text/javascript")
    assert style.status_code == 200
    assert (await control.get("/static/../settings.py")).status_code == 404


async def test_config_lists_demo_customers(control: httpx.AsyncClient) -> None:
    config = (await control.get("/_sim/chat/config")).json()

    assert config["demo_customers"][0] == {"phone": "5511987654321", "name": "Maria Souza"}
    assert config["business_name"]


async def test_conversation_shows_both_sides_and_polls_cheaply(
    control: httpx.AsyncClient, graph: httpx.AsyncClient, wait_until: Any
) -> None:
    # Slow statuses down so nothing changes between the two polls below.
    await control.patch(
        "/_sim/config",
        json={"status_sent_delay_s": 30, "status_delivered_delay_s": 30, "status_read_delay_s": 30},
    )
    inbound = (await control.post("/_sim/inbound", json={"from": CUSTOMER, "text": "oi"})).json()
    interactive = {
        "type": "button",
        "body": {"text": "Posso ajudar?"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": "sim", "title": "Sim"}}]},
    }
    await graph.post(
        f"/{PNID}/messages",
        json={
            "messaging_product": "whatsapp",
            "to": f"+{CUSTOMER}",
            "type": "interactive",
            "interactive": interactive,
        },
    )

    first = (await control.get(f"/_sim/chat/conversations/{CUSTOMER}")).json()
    unchanged = (await control.get(f"/_sim/chat/conversations/{CUSTOMER}", params={"since": first["version"]})).json()

    assert [m["direction"] for m in first["messages"]] == ["in", "out"]
    assert first["messages"][0]["id"] == inbound["wamid"]
    assert first["messages"][0]["content"] == {"body": "oi"}
    assert first["messages"][1]["content"]["action"]["buttons"][0]["reply"]["title"] == "Sim"
    assert first["window_open"] is True
    assert unchanged["unchanged"] is True

    async def read() -> bool:
        chat = (await control.get(f"/_sim/chat/conversations/{CUSTOMER}")).json()
        return bool(chat["messages"][-1]["status"] == "read")

    await control.patch(
        "/_sim/config",
        json={"status_sent_delay_s": 0, "status_delivered_delay_s": 0, "status_read_delay_s": 0},
    )
    await graph.post(
        f"/{PNID}/messages",
        json={"messaging_product": "whatsapp", "to": CUSTOMER, "type": "text", "text": {"body": "Oi"}},
    )
    await wait_until(read)
    customers = (await control.get("/_sim/chat/customers")).json()["customers"]
    assert customers == [{"phone": CUSTOMER, "name": "Maria Souza"}]


async def test_on_view_read_mode_reads_when_the_page_looks(
    control: httpx.AsyncClient, graph: httpx.AsyncClient, wait_until: Any
) -> None:
    await control.patch("/_sim/config", json={"read_mode": "on_view"})
    await control.post("/_sim/inbound", json={"from": CUSTOMER, "text": "oi"})
    await graph.post(
        f"/{PNID}/messages",
        json={"messaging_product": "whatsapp", "to": CUSTOMER, "type": "text", "text": {"body": "Olá"}},
    )
    hooks = lambda: control.get("/_sim/webhooks", params={"kind": "status"})  # noqa: E731 - a one-line poll

    async def statuses() -> list[str]:
        return [
            d["payload"]["entry"][0]["changes"][0]["value"]["statuses"][0]["status"]
            for d in (await hooks()).json()["webhooks"]
        ]

    await wait_until(lambda: _contains(statuses(), "delivered"))
    assert "read" not in await statuses()

    await control.get(f"/_sim/chat/conversations/{CUSTOMER}")

    await wait_until(lambda: _contains(statuses(), "read"))


async def _contains(values: Any, wanted: str) -> bool:
    return wanted in await values


async def test_uploaded_file_from_the_page_becomes_document_webhook(control: httpx.AsyncClient, receiver: Any) -> None:
    files = {"file": ("conta.pdf", b"%PDF-1.4 conta", "application/pdf")}

    result = (await control.post("/_sim/inbound/upload", data={"from": CUSTOMER, "name": "Maria"}, files=files)).json()

    document = result["payload"]["entry"][0]["changes"][0]["value"]["messages"][0]["document"]
    assert document["filename"] == "conta.pdf"
    assert document["mime_type"] == "application/pdf"
    served = await control.get(f"/_sim/chat/media/{document['id']}")
    assert served.content == b"%PDF-1.4 conta"
    assert 'filename="conta.pdf"' in served.headers["content-disposition"]


async def test_inbound_with_own_bytes(control: httpx.AsyncClient) -> None:
    data = base64.b64encode(b"\x89PNG custom").decode()

    result = (await control.post("/_sim/inbound", json={"from": CUSTOMER, "image": {"data_base64": data}})).json()

    image = result["payload"]["entry"][0]["changes"][0]["value"]["messages"][0]["image"]
    assert (await control.get(f"/_sim/chat/media/{image['id']}")).content == b"\x89PNG custom"
