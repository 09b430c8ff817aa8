"""Media upload, URL lookup, authenticated and expiring download, delete; link media fetching."""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration
PNID = "106540352242922"
TOKEN = "test-token-123456"
PDF = b"%PDF-1.4\n% boleto de teste\n"


async def upload(
    graph: httpx.AsyncClient, data: bytes = PDF, mime: str = "application/pdf", part_mime: str | None = None
) -> httpx.Response:
    files = {"file": ("boleto.pdf", data, part_mime or mime)}
    return await graph.post(f"/{PNID}/media", data={"messaging_product": "whatsapp", "type": mime}, files=files)


async def test_upload_then_get_url_then_download_with_token(graph: httpx.AsyncClient) -> None:
    media_id = (await upload(graph)).json()["id"]

    info = (await graph.get(f"/{media_id}", params={"phone_number_id": PNID})).json()
    download = await graph.get(info["url"])

    assert media_id.isdigit()
    assert info["messaging_product"] == "whatsapp"
    assert info["id"] == media_id
    assert info["mime_type"] == "application/pdf"
    assert info["file_size"] == len(PDF)
    assert info["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert "/whatsapp_business/attachments/?mid=" in info["url"]
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"


async def test_download_without_token_is_refused(graph: httpx.AsyncClient) -> None:
    media_id = (await upload(graph)).json()["id"]
    url = (await graph.get(f"/{media_id}")).json()["url"]

    async with httpx.AsyncClient() as anonymous:
        response = await anonymous.get(url)

    assert response.status_code == 401


async def test_download_url_expires_and_a_fresh_one_works(graph: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await control.patch("/_sim/config", json={"media_url_ttl_s": 1})
    media_id = (await upload(graph)).json()["id"]
    old_url = (await graph.get(f"/{media_id}")).json()["url"]

    await asyncio.sleep(2.1)
    expired = await graph.get(old_url)
    fresh = await graph.get((await graph.get(f"/{media_id}")).json()["url"])

    assert expired.status_code == 404
    assert fresh.status_code == 200


async def test_tampered_url_is_404(graph: httpx.AsyncClient) -> None:
    media_id = (await upload(graph)).json()["id"]
    url = (await graph.get(f"/{media_id}")).json()["url"]

    response = await graph.get(url.replace("hash=", "hash=0"))

    assert response.status_code == 404


async def test_delete_media(graph: httpx.AsyncClient) -> None:
    media_id = (await upload(graph)).json()["id"]

    deleted = await graph.delete(f"/{media_id}")
    again = await graph.get(f"/{media_id}")

    assert deleted.json() == {"success": True}
    assert again.status_code == 400
    assert again.json()["error"]["code"] == 100
    assert again.json()["error"]["error_subcode"] == 33


async def test_unsupported_type_is_100(graph: httpx.AsyncClient) -> None:
    response = await upload(graph, b"MZ", "application/x-msdownload")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == 100
    assert (
        "Param file must be a file with one of the following types" in response.json()["error"]["error_data"]["details"]
    )


async def test_mime_mismatch_is_131053(graph: httpx.AsyncClient) -> None:
    mismatched_part = await upload(graph, PDF, "application/pdf", part_mime="image/png")
    not_a_pdf = await upload(graph, b"hello", "application/pdf")

    assert mismatched_part.json()["error"]["code"] == 131053
    assert not_a_pdf.json()["error"]["code"] == 131053


async def test_too_big_image_is_131053(graph: httpx.AsyncClient) -> None:
    big_png = b"\x89PNG" + b"\x00" * (5 * 2**20)

    response = await upload(graph, big_png, "image/png")

    assert response.json()["error"]["code"] == 131053


async def test_upload_needs_messaging_product_and_file(graph: httpx.AsyncClient) -> None:
    no_product = await graph.post(
        f"/{PNID}/media", data={"type": "application/pdf"}, files={"file": ("a.pdf", PDF, "application/pdf")}
    )
    no_file = await graph.post(
        f"/{PNID}/media",
        data={"messaging_product": "whatsapp", "type": "application/pdf"},
        files={"x": ("a", b"", "text/plain")},
    )

    assert no_product.json()["error"]["code"] == 100
    assert no_file.json()["error"]["code"] == 131008


async def test_upload_is_recorded_without_the_bytes(graph: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await upload(graph)

    recorded = (await control.get("/_sim/requests", params={"kind": "media_upload"})).json()["requests"][-1]

    assert recorded["body"]["messaging_product"] == "whatsapp"
    assert recorded["body"]["file"] == {
        "filename": "boleto.pdf",
        "content_type": "application/pdf",
        "size": len(PDF),
    }


async def test_link_media_is_fetched_and_served_to_the_chat_page(
    graph: httpx.AsyncClient, control: httpx.AsyncClient, sim_url: str, open_window: Any, wait_until: Any
) -> None:
    # The simulator's own chat-media endpoint serves as the "link host" here.
    media_id = (await upload(graph)).json()["id"]
    link = f"{sim_url}/_sim/chat/media/{media_id}"
    await open_window("+5511987654321")
    body = {
        "messaging_product": "whatsapp",
        "to": "+5511987654321",
        "type": "document",
        "document": {"link": link, "filename": "fatura.pdf"},
    }

    wamid = (await graph.post(f"/{PNID}/messages", json=body)).json()["messages"][0]["id"]

    async def served_url() -> Any:
        chat = (await control.get("/_sim/chat/conversations/5511987654321")).json()
        message = next(m for m in chat["messages"] if m["id"] == wamid)
        return message["content"]["url"] if message["content"]["url"] != link else None

    url = await wait_until(served_url)
    assert (await control.get(url)).content == PDF


async def test_broken_link_fails_with_131053(
    graph: httpx.AsyncClient, receiver: Any, sim_url: str, open_window: Any, wait_until: Any
) -> None:
    await open_window("+5511987654321")
    body = {
        "messaging_product": "whatsapp",
        "to": "+5511987654321",
        "type": "image",
        "image": {"link": f"{sim_url}/_sim/chat/media/404"},
    }

    wamid = (await graph.post(f"/{PNID}/messages", json=body)).json()["messages"][0]["id"]

    def failed() -> Any:
        for item in receiver.snapshot():
            for s in json.loads(item.raw)["entry"][0]["changes"][0]["value"].get("statuses", []):
                if s["id"] == wamid:
                    return s
        return None

    status = await wait_until(failed)
    assert status["status"] == "failed"
    assert status["errors"][0]["code"] == 131053
