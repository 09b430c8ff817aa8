"""GraphClient and MediaClient over httpx.MockTransport: requests as Meta expects them, errors as Meta sends them."""

import hashlib
import hmac
import json
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from atende_whatsapp_connector.adapters.graph import GraphApiError, GraphClient, MediaHostRefused
from atende_whatsapp_connector.adapters.media import MediaClient

pytestmark = pytest.mark.unit


def client(handler: Any, **kwargs: Any) -> GraphClient:
    return GraphClient(
        base_url="https://graph.example/v25.0",
        access_token=SecretStr("tok"),
        transport=httpx.MockTransport(handler),
        **kwargs,
    )


async def test_send_posts_json_with_the_bearer_token_and_reads_the_wamid() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={
                "messaging_product": "whatsapp",
                "contacts": [{"input": "+5511", "wa_id": "5511"}],
                "messages": [{"id": "wamid.X", "message_status": "accepted"}],
            },
        )

    graph = client(handler)
    result = await graph.send_message("123", {"to": "+5511"})
    await graph.aclose()
    assert (result.message_id, result.message_status) == ("wamid.X", "accepted")
    assert str(seen[0].url) == "https://graph.example/v25.0/123/messages"
    assert seen[0].headers["authorization"] == "Bearer tok"
    assert json.loads(seen[0].content) == {"to": "+5511"}


async def test_error_bodies_become_graph_api_errors() -> None:
    body = {
        "error": {
            "message": "(#130429) Rate limit hit",
            "type": "OAuthException",
            "code": 130429,
            "error_data": {"messaging_product": "whatsapp", "details": "80 mps"},
            "error_subcode": 2494055,
            "fbtrace_id": "Az8or",
        }
    }
    graph = client(lambda _: httpx.Response(429, json=body))
    with pytest.raises(GraphApiError) as caught:
        await graph.send_message("123", {})
    error = caught.value
    assert (error.http_status, error.code, error.title, error.details, error.fbtrace_id) == (
        429,
        130429,
        "Rate limit hit",
        "80 mps",
        "Az8or",
    )
    assert error.graph_error().message == "(#130429) Rate limit hit"


async def test_a_non_json_error_is_still_an_error() -> None:
    graph = client(lambda _: httpx.Response(502, text="<html>bad gateway</html>"))
    with pytest.raises(GraphApiError) as caught:
        await graph.send_message("123", {})
    assert (caught.value.code, caught.value.http_status, caught.value.title) == (0, 502, "HTTP 502")


async def test_appsecret_proof_goes_on_graph_calls_but_not_on_media_downloads() -> None:
    urls: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        urls.append(request.url)
        if request.url.path.endswith("/42"):
            return httpx.Response(
                200,
                json={
                    "url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=42&hash=h",
                    "mime_type": "image/png",
                    "sha256": hashlib.sha256(b"png").hexdigest(),
                    "file_size": 3,
                    "id": "42",
                },
            )
        return httpx.Response(200, content=b"png", headers={"content-type": "image/png"})

    graph = client(handler, app_secret=SecretStr("app-secret"))
    media = await MediaClient(graph).fetch("42", phone_number_id="123")
    proof = hmac.new(b"app-secret", b"tok", hashlib.sha256).hexdigest()
    assert urls[0].params["appsecret_proof"] == proof
    assert urls[0].params["phone_number_id"] == "123"
    assert "appsecret_proof" not in urls[1].params
    assert (media.data, media.mime_type, media.verified) == (b"png", "image/png", True)


async def test_an_expired_media_url_is_fetched_afresh_once() -> None:
    calls = {"info": 0, "download": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "graph.example":
            calls["info"] += 1
            return httpx.Response(
                200,
                json={
                    "url": f"https://mmg.whatsapp.net/{calls['info']}",
                    "mime_type": "application/pdf",
                    "sha256": "",
                    "id": "7",
                },
            )
        calls["download"] += 1
        if request.url.path == "/1":
            return httpx.Response(404, text="URL signature expired")
        assert request.headers["authorization"] == "Bearer tok"
        return httpx.Response(200, content=b"%PDF-1.4")

    media = await MediaClient(client(handler)).fetch("7")
    assert media.data == b"%PDF-1.4"
    assert calls == {"info": 2, "download": 2}


async def test_downloads_are_capped() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "graph.example":
            return httpx.Response(200, json={"url": "https://scontent.xx.fbcdn.net/big", "id": "7"})
        return httpx.Response(200, content=b"x" * 2048)

    with pytest.raises(GraphApiError, match="larger than the limit"):
        await MediaClient(client(handler)).fetch("7", max_bytes=1024)


async def test_template_listing_follows_every_page() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        after = request.url.params.get("after")
        if after is None:
            return httpx.Response(
                200,
                json={
                    "data": [{"name": "a"}],
                    "paging": {"cursors": {"after": "c1"}, "next": "https://graph.example/next"},
                },
            )
        return httpx.Response(200, json={"data": [{"name": "b"}], "paging": {"cursors": {"after": "c2"}}})

    assert [t["name"] for t in await client(handler).list_templates("waba")] == ["a", "b"]


async def test_upload_is_multipart_with_the_mime_type() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "media-1"})

    media_id = await MediaClient(client(handler)).upload(
        "123", b"%PDF-1.4", mime_type="application/pdf", filename="boleto.pdf"
    )
    assert media_id == "media-1"
    body = seen[0].content
    assert b'name="messaging_product"' in body
    assert b"application/pdf" in body
    assert b'filename="boleto.pdf"' in body


async def test_a_media_url_off_the_allowlist_is_never_requested() -> None:
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        if request.url.host == "graph.example":
            return httpx.Response(200, json={"url": "https://lookaside.fbsbx.com.evil.example/dl", "id": "7"})
        return httpx.Response(200, content=b"stolen")

    with pytest.raises(MediaHostRefused) as refused:
        await MediaClient(client(handler)).fetch("7")
    assert refused.value.http_status == 502
    assert [u.host for u in seen] == ["graph.example"]


async def test_a_redirect_is_followed_only_to_another_allowed_host() -> None:
    seen: list[tuple[str, str | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.host, request.headers.get("authorization")))
        if request.url.host == "lookaside.fbsbx.com":
            return httpx.Response(302, headers={"location": "https://mmg.whatsapp.net/file"})
        if request.url.host == "mmg.whatsapp.net":
            return httpx.Response(302, headers={"location": "https://attacker.example/file"})
        return httpx.Response(200, content=b"stolen")

    graph = client(handler)
    with pytest.raises(MediaHostRefused, match="redirect"):
        await graph.download("https://lookaside.fbsbx.com/file")
    assert seen == [("lookaside.fbsbx.com", "Bearer tok"), ("mmg.whatsapp.net", "Bearer tok")]
