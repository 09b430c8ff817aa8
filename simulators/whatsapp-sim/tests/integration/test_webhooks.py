"""Webhook delivery like Meta: exact shapes, \\u-escaped bodies, HMAC signatures, retries."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration
PNID = "106540352242922"
WABA = "102290129340398"
APP_SECRET = b"test-app-secret"
CUSTOMER = "5511987654321"


def verify(received: Any) -> dict[str, Any]:
    """Check the signature independently (HMAC-SHA256 over the raw bytes) and parse."""
    expected = "sha256=" + hmac.new(APP_SECRET, received.raw, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(received.headers["x-hub-signature-256"], expected)
    assert received.headers["content-type"] == "application/json"
    return dict(json.loads(received.raw))


def value(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["object"] == "whatsapp_business_account"
    assert payload["entry"][0]["id"] == WABA
    change = payload["entry"][0]["changes"][0]
    assert change["field"] == "messages"
    return dict(change["value"])


async def test_inbound_text_with_accents_and_emoji_is_escaped_and_signed(
    control: httpx.AsyncClient, receiver: Any
) -> None:
    text = "Olá, não consigo acessar a internet 😢 — preciso de ajuda"

    result = (await control.post("/_sim/inbound", json={"from": CUSTOMER, "name": "João Araújo", "text": text})).json()

    assert result["gateway_status"] == 200
    assert result["delivered"] is True
    [received] = receiver.snapshot()
    assert received.raw.isascii()
    assert b"Ol\\u00e1" in received.raw
    assert b"\\ud83d\\ude22" in received.raw
    assert b"Jo\\u00e3o Ara\\u00fajo" in received.raw
    assert b": " not in received.raw  # compact, like Meta
    # Re-serialising the parsed JSON the usual way changes the bytes, so its HMAC would not match.
    reserialised = json.dumps(json.loads(received.raw), ensure_ascii=False).encode()
    assert hmac.new(APP_SECRET, reserialised, hashlib.sha256).hexdigest() not in received.headers["x-hub-signature-256"]
    v = value(verify(received))
    assert v["messaging_product"] == "whatsapp"
    assert v["metadata"]["phone_number_id"] == PNID
    assert v["contacts"] == [{"profile": {"name": "João Araújo"}, "wa_id": CUSTOMER}]
    message = v["messages"][0]
    assert message == {
        "from": CUSTOMER,
        "id": result["wamid"],
        "timestamp": message["timestamp"],
        "type": "text",
        "text": {"body": text},
    }
    assert isinstance(message["timestamp"], str)
    assert message["timestamp"].isdigit()
    assert received.headers["user-agent"] == "facebookexternalua"


@pytest.mark.parametrize(
    ("spec", "kind", "expected"),
    [
        (
            {"interactive": {"type": "button_reply", "id": "csat_yes", "title": "Sim"}},
            "interactive",
            {"type": "button_reply", "button_reply": {"id": "csat_yes", "title": "Sim"}},
        ),
        (
            {"interactive": {"type": "list_reply", "id": "boleto", "title": "2ª via", "description": "PDF"}},
            "interactive",
            {"type": "list_reply", "list_reply": {"id": "boleto", "title": "2ª via", "description": "PDF"}},
        ),
        (
            {"button": {"payload": "PAGO:4711", "text": "Já paguei"}},
            "button",
            {"payload": "PAGO:4711", "text": "Já paguei"},
        ),
        (
            {"location": {"latitude": -23.56, "longitude": -46.65, "name": "Casa"}},
            "location",
            {"latitude": -23.56, "longitude": -46.65, "name": "Casa"},
        ),
        (
            {"reaction": {"message_id": "wamid.x", "emoji": "❤️"}},
            "reaction",
            {"message_id": "wamid.x", "emoji": "❤️"},
        ),
        (
            {"contacts": [{"name": {"formatted_name": "Zé"}, "phones": [{"phone": "+5511"}]}]},
            "contacts",
            [{"name": {"formatted_name": "Zé"}, "phones": [{"phone": "+5511"}]}],
        ),
        ({"unsupported": {"type": "poll_creation"}}, "unsupported", {"type": "poll_creation"}),
    ],
)
async def test_inbound_types_have_meta_shapes(
    control: httpx.AsyncClient, receiver: Any, spec: dict[str, Any], kind: str, expected: Any
) -> None:
    result = (await control.post("/_sim/inbound", json={"from": CUSTOMER, "context_id": "wamid.sent", **spec})).json()

    message = value(verify(receiver.snapshot()[-1]))["messages"][0]
    assert message["type"] == kind
    assert message[kind] == expected
    assert message["id"] == result["wamid"]
    assert message["context"] == {"from": "551140041234", "id": "wamid.sent"}
    if kind == "unsupported":
        assert message["errors"][0]["code"] == 131051


@pytest.mark.parametrize("kind", ["image", "document", "audio", "sticker", "video"])
async def test_inbound_media_is_downloadable_with_token(
    control: httpx.AsyncClient, graph: httpx.AsyncClient, receiver: Any, kind: str
) -> None:
    await control.post("/_sim/inbound", json={"from": CUSTOMER, kind: {"caption": "foto"} if kind == "image" else {}})

    media = value(verify(receiver.snapshot()[-1]))["messages"][0][kind]
    info = (await graph.get(f"/{media['id']}")).json()
    data = (await graph.get(info["url"])).content
    direct = (await graph.get(media["url"])).content

    assert set(media) >= {"id", "mime_type", "sha256"}
    assert hashlib.sha256(data).hexdigest() == media["sha256"]
    assert direct == data
    if kind == "image":
        assert data.startswith(b"\x89PNG")
        assert media["caption"] == "foto"
    if kind == "document":
        assert data.startswith(b"%PDF")
        assert media["filename"].endswith(".pdf")
    if kind == "audio":
        assert media["voice"] is False


async def test_inbound_wa_id_may_differ_from_sender(control: httpx.AsyncClient, receiver: Any) -> None:
    await control.post("/_sim/inbound", json={"from": "5511987654321", "wa_id": "551187654321", "text": "oi"})

    v = value(verify(receiver.snapshot()[-1]))
    assert v["contacts"][0]["wa_id"] == "551187654321"
    assert v["messages"][0]["from"] == "5511987654321"


async def test_inbound_requires_exactly_one_kind(control: httpx.AsyncClient) -> None:
    none = await control.post("/_sim/inbound", json={"from": CUSTOMER})
    two = await control.post(
        "/_sim/inbound", json={"from": CUSTOMER, "text": "a", "button": {"payload": "p", "text": "t"}}
    )

    assert none.status_code == 422
    assert two.status_code == 422


async def test_statuses_sent_delivered_read_are_signed_and_ordered(
    control: httpx.AsyncClient, graph: httpx.AsyncClient, receiver: Any, wait_until: Any
) -> None:
    await control.post("/_sim/inbound", json={"from": CUSTOMER, "text": "oi"})
    body = {
        "messaging_product": "whatsapp",
        "to": f"+{CUSTOMER}",
        "type": "text",
        "text": {"body": "Olá!"},
        "biz_opaque_callback_data": "corr-9",
    }

    wamid = (await graph.post(f"/{PNID}/messages", json=body)).json()["messages"][0]["id"]

    def statuses() -> list[dict[str, Any]]:
        found = []
        for item in receiver.snapshot():
            v = value(verify(item))
            found += [s for s in v.get("statuses", []) if s["id"] == wamid]
        return found

    found = await wait_until(lambda: len(s := statuses()) == 3 and s)
    assert [s["status"] for s in found] == ["sent", "delivered", "read"]
    for s in found:
        assert s["recipient_id"] == CUSTOMER
        assert s["biz_opaque_callback_data"] == "corr-9"
        assert isinstance(s["timestamp"], str)
    assert found[0]["pricing"] == {
        "billable": False,
        "pricing_model": "PMP",
        "category": "service",
        "type": "free_customer_service",
    }
    assert "conversation" not in found[0]


async def test_marketing_template_outside_window_is_billable(
    control: httpx.AsyncClient, graph: httpx.AsyncClient, receiver: Any, wait_until: Any
) -> None:
    await control.post(
        "/_sim/templates",
        json={
            "name": "promo",
            "language": "pt_BR",
            "category": "MARKETING",
            "components": [{"type": "BODY", "text": "Oferta!"}],
        },
    )
    body = {
        "messaging_product": "whatsapp",
        "to": "+5531997654321",
        "type": "template",
        "template": {"name": "promo", "language": {"code": "pt_BR"}},
    }

    await graph.post(f"/{PNID}/messages", json=body)

    def sent() -> Any:
        for item in receiver.snapshot():
            for s in value(json.loads(item.raw)).get("statuses", []):
                if s["status"] == "sent":
                    return s
        return None

    status = await wait_until(sent)
    assert status["pricing"] == {
        "billable": True,
        "pricing_model": "PMP",
        "category": "marketing",
        "type": "regular",
    }


async def test_failed_delivery_is_retried_with_backoff_until_200(
    control: httpx.AsyncClient, receiver: Any, wait_until: Any
) -> None:
    receiver.statuses.extend([500, 503])

    result = (await control.post("/_sim/inbound", json={"from": CUSTOMER, "text": "ção"})).json()

    assert result["gateway_status"] == 500
    assert result["delivered"] is False

    async def delivered() -> Any:
        hooks = (await control.get("/_sim/webhooks", params={"kind": "inbound"})).json()["webhooks"]
        return hooks[-1] if hooks and hooks[-1]["delivered"] else None

    hook = await wait_until(delivered)
    assert [a["status_code"] for a in hook["attempts"]] == [500, 503, 200]
    gaps = [b["at"] - a["at"] for a, b in zip(hook["attempts"], hook["attempts"][1:], strict=False)]
    assert gaps[0] >= 0.05  # backoff 0.05 s, then doubled
    assert gaps[1] >= 0.1
    bodies = {r.raw for r in receiver.snapshot()}
    assert len(bodies) == 1  # every retry carries the very same bytes
    for r in receiver.snapshot():
        verify(r)


async def test_retries_are_bounded(control: httpx.AsyncClient, receiver: Any, wait_until: Any) -> None:
    receiver.statuses.extend([500] * 10)

    await control.post("/_sim/inbound", json={"from": CUSTOMER, "text": "oi"})

    async def gave_up() -> Any:
        hooks = (await control.get("/_sim/webhooks", params={"kind": "inbound"})).json()["webhooks"]
        return hooks[-1] if hooks and hooks[-1]["gave_up"] else None

    hook = await wait_until(gave_up)
    assert len(hook["attempts"]) == 4  # WHATSAPP_SIM_WEBHOOK_MAX_ATTEMPTS in the test settings


async def test_unreachable_gateway_is_reported(control: httpx.AsyncClient) -> None:
    await control.patch("/_sim/config", json={"webhook_url": "http://127.0.0.1:9/nothing", "webhook_max_attempts": 1})

    result = (await control.post("/_sim/inbound", json={"from": CUSTOMER, "text": "oi"})).json()

    assert result["gateway_status"] is None
    assert "ConnectError" in result["gateway_error"]


async def test_duplicate_deliveries_can_be_switched_on(control: httpx.AsyncClient, receiver: Any) -> None:
    await control.patch("/_sim/config", json={"webhook_duplicate_probability": 1.0})

    await control.post("/_sim/inbound", json={"from": CUSTOMER, "text": "oi"})

    received = receiver.snapshot()
    assert len(received) == 2
    assert received[0].raw == received[1].raw


@pytest.mark.parametrize(("signature", "valid"), [("valid", True), ("invalid", False), ("missing", None)])
async def test_raw_webhook_signature_modes(
    control: httpx.AsyncClient, receiver: Any, signature: str, valid: bool | None
) -> None:
    body = {"object": "whatsapp_business_account", "entry": [{"id": WABA, "changes": []}], "note": "ação"}

    result = (await control.post("/_sim/raw-webhook", json={"body": body, "signature": signature})).json()

    assert result["status_code"] == 200
    [received] = receiver.snapshot()
    assert (
        received.raw
        == b'{"object":"whatsapp_business_account","entry":[{"id":"'
        + WABA.encode()
        + b'","changes":[]}],"note":"a\\u00e7\\u00e3o"}'
    )
    expected = "sha256=" + hmac.new(APP_SECRET, received.raw, hashlib.sha256).hexdigest()
    header = received.headers.get("x-hub-signature-256")
    if valid is None:
        assert header is None
    else:
        assert (header == expected) is valid


async def test_raw_webhook_text_is_sent_verbatim_to_any_url(control: httpx.AsyncClient, receiver: Any) -> None:
    other = receiver.url.replace("/hook", "/other")

    result = (await control.post("/_sim/raw-webhook", json={"body_text": '{"a": "é"}', "url": other})).json()

    assert result["status_code"] == 200
    assert receiver.snapshot()[0].raw == '{"a": "é"}'.encode()
    assert receiver.snapshot()[0].path == "/other"


async def test_raw_webhook_messages_can_be_marked_read(control: httpx.AsyncClient, graph: httpx.AsyncClient) -> None:
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": WABA,
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messages": [
                                {
                                    "from": CUSTOMER,
                                    "id": "wamid.RAW1",
                                    "timestamp": "1",
                                    "type": "text",
                                    "text": {"body": "x"},
                                }
                            ]
                        },
                    }
                ],
            }
        ],
    }
    await control.post("/_sim/raw-webhook", json={"body": payload})

    response = await graph.post(
        f"/{PNID}/messages",
        json={"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.RAW1"},
    )

    assert response.json() == {"success": True}
