"""Template creation, approval, listing, and send-time checks (132000, 132001, 132012, …)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration
PNID = "106540352242922"
WABA = "102290129340398"
CUSTOMER = "+5511987654321"

SEGUNDA_VIA = {
    "name": "boleto_segunda_via",
    "language": "pt_BR",
    "category": "UTILITY",
    "components": [
        {"type": "HEADER", "format": "DOCUMENT", "example": {"header_handle": ["4::aW1hZ2U="]}},
        {
            "type": "BODY",
            "text": "Olá {{1}}, segue a 2ª via da fatura {{2}} com vencimento em {{3}}.",
            "example": {"body_text": [["Ana", "4711", "10/12"]]},
        },
        {"type": "FOOTER", "text": "Atende Internet"},
        {
            "type": "BUTTONS",
            "buttons": [
                {"type": "QUICK_REPLY", "text": "Já paguei"},
                {"type": "URL", "text": "Ver fatura", "url": "https://atende.example/f/{{1}}"},
            ],
        },
    ],
}
PESQUISA = {
    "name": "pesquisa_satisfacao",
    "language": "pt_BR",
    "category": "UTILITY",
    "parameter_format": "NAMED",
    "components": [
        {
            "type": "BODY",
            "text": "Oi {{nome}}, como foi seu atendimento?",
            "example": {"body_text_named_params": [{"param_name": "nome", "example": "Ana"}]},
        }
    ],
}


def send_body(
    components: list[dict[str, Any]], name: str = "boleto_segunda_via", code: str = "pt_BR"
) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "to": CUSTOMER,
        "type": "template",
        "template": {"name": name, "language": {"code": code}, "components": components},
    }


HEADER = {
    "type": "header",
    "parameters": [
        {"type": "document", "document": {"link": "https://atende.example/f.pdf", "filename": "fatura.pdf"}}
    ],
}
BODY3 = {
    "type": "body",
    "parameters": [
        {"type": "text", "text": "Ana"},
        {"type": "text", "text": "4711"},
        {"type": "text", "text": "10/12"},
    ],
}
QUICK = {
    "type": "button",
    "sub_type": "quick_reply",
    "index": "0",
    "parameters": [{"type": "payload", "payload": "PAGO:4711"}],
}
URL_BTN = {
    "type": "button",
    "sub_type": "url",
    "index": "1",
    "parameters": [{"type": "text", "text": "4711"}],
}


async def _seed(control: httpx.AsyncClient, definition: dict[str, Any], status: str = "APPROVED") -> dict[str, Any]:
    response = await control.post("/_sim/templates", json={**definition, "status": status})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_create_is_pending_then_approved_with_status_webhook(
    graph: httpx.AsyncClient, receiver: Any, wait_until: Any
) -> None:
    created = await graph.post(f"/{WABA}/message_templates", json=SEGUNDA_VIA)

    assert created.status_code == 200, created.text
    assert created.json()["status"] == "PENDING"
    assert created.json()["category"] == "UTILITY"

    async def approved() -> bool:
        listing = (await graph.get(f"/{WABA}/message_templates", params={"name": "boleto_segunda_via"})).json()
        return bool(listing["data"]) and listing["data"][0]["status"] == "APPROVED"

    await wait_until(approved)
    hook = await wait_until(lambda: next((json.loads(i.raw) for i in receiver.snapshot()), None))
    change = hook["entry"][0]["changes"][0]
    assert change["field"] == "message_template_status_update"
    assert change["value"]["event"] == "APPROVED"
    assert change["value"]["message_template_name"] == "boleto_segunda_via"
    assert change["value"]["message_template_id"] == int(created.json()["id"])


async def test_immediate_approval_switch(graph: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await control.patch("/_sim/config", json={"template_approval": "immediate"})

    created = await graph.post(f"/{WABA}/message_templates", json=PESQUISA)

    assert created.json()["status"] == "APPROVED"


async def test_pending_template_cannot_be_sent(graph: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await control.patch("/_sim/config", json={"template_approval": "manual"})
    await graph.post(f"/{WABA}/message_templates", json=SEGUNDA_VIA)

    response = await graph.post(f"/{PNID}/messages", json=send_body([HEADER, BODY3]))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == 132001


async def test_duplicate_create_is_refused(graph: httpx.AsyncClient) -> None:
    await graph.post(f"/{WABA}/message_templates", json=PESQUISA)

    again = await graph.post(f"/{WABA}/message_templates", json=PESQUISA)

    assert again.status_code == 400
    assert again.json()["error"]["code"] == 100
    assert again.json()["error"]["error_subcode"] == 2388024


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"name": "Com Espaço"}, 100),
        ({"category": "SERVICE"}, 100),
        ({"components": [{"type": "FOOTER", "text": "x"}]}, 131008),
        ({"components": [{"type": "BODY", "text": "x" * 1025}]}, 131009),
        ({"components": [{"type": "BODY", "text": "Oi {{2}}"}]}, 100),
    ],
)
async def test_invalid_definitions_are_refused(graph: httpx.AsyncClient, change: dict[str, Any], code: int) -> None:
    response = await graph.post(
        f"/{WABA}/message_templates", json={**PESQUISA, "parameter_format": "POSITIONAL", **change}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


async def test_list_filters_and_paging(graph: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await _seed(control, SEGUNDA_VIA)
    await _seed(control, PESQUISA, status="REJECTED")

    everything = (await graph.get(f"/{WABA}/message_templates")).json()
    rejected = (await graph.get(f"/{WABA}/message_templates", params={"status": "REJECTED"})).json()
    page1 = (await graph.get(f"/{WABA}/message_templates", params={"limit": 2})).json()
    page2 = (
        await graph.get(f"/{WABA}/message_templates", params={"limit": 2, "after": page1["paging"]["cursors"]["after"]})
    ).json()

    assert {t["name"] for t in everything["data"]} == {
        "hello_world",
        "boleto_segunda_via",
        "pesquisa_satisfacao",
    }
    assert [t["name"] for t in rejected["data"]] == ["pesquisa_satisfacao"]
    assert len(page1["data"]) == 2
    assert "next" in page1["paging"]
    assert len(page2["data"]) == 1
    assert "next" not in page2["paging"]
    assert set(everything["data"][0]) >= {"name", "language", "status", "category", "id", "components"}


async def test_delete_template(graph: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await _seed(control, PESQUISA)

    deleted = await graph.delete(f"/{WABA}/message_templates", params={"name": "pesquisa_satisfacao"})
    listing = (await graph.get(f"/{WABA}/message_templates", params={"name": "pesquisa_satisfacao"})).json()

    assert deleted.json() == {"success": True}
    assert listing["data"] == []


async def test_wrong_waba_is_unknown_object(graph: httpx.AsyncClient) -> None:
    response = await graph.get("/999/message_templates")

    assert response.json()["error"]["error_subcode"] == 33


async def test_full_template_send_is_accepted_and_rendered(
    graph: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await _seed(control, SEGUNDA_VIA)

    response = await graph.post(f"/{PNID}/messages", json=send_body([HEADER, BODY3, QUICK, URL_BTN]))

    assert response.status_code == 200, response.text
    chat = (await control.get("/_sim/chat/conversations/5511987654321")).json()
    content = chat["messages"][-1]["content"]
    assert content["body"] == "Olá Ana, segue a 2ª via da fatura 4711 com vencimento em 10/12."
    assert content["footer"] == "Atende Internet"
    assert content["header"]["type"] == "document"
    assert content["buttons"][0] == {
        "type": "quick_reply",
        "text": "Já paguei",
        "index": 0,
        "payload": "PAGO:4711",
    }
    assert content["buttons"][1]["url"] == "https://atende.example/f/4711"


@pytest.mark.parametrize(
    ("components", "code", "detail"),
    [
        (
            [HEADER, {"type": "body", "parameters": BODY3["parameters"][:2]}],
            132000,
            "body: number of localizable_params (2) does not match the expected number of params (3)",
        ),
        (
            [HEADER],
            132000,
            "body: number of localizable_params (0) does not match the expected number of params (3)",
        ),
        ([BODY3], 132012, "header: Format mismatch, expected DOCUMENT, received UNKNOWN"),
        (
            [
                {"type": "header", "parameters": [{"type": "image", "image": {"link": "https://x/y.png"}}]},
                BODY3,
            ],
            132012,
            "expected DOCUMENT, received IMAGE",
        ),
        (
            [
                HEADER,
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": "Ana\nSilva"}, *BODY3["parameters"][1:]],
                },
            ],
            100,
            "new-line/tab characters",
        ),
        ([HEADER, BODY3, {**QUICK, "index": "5"}], 131009, "Button at index 5"),
        ([HEADER, BODY3, {**QUICK, "sub_type": "url"}], 132012, "sub_type"),
        ([HEADER, BODY3, {**URL_BTN, "parameters": []}], 132000, "button at index 1"),
    ],
)
async def test_template_parameter_problems(
    graph: httpx.AsyncClient,
    control: httpx.AsyncClient,
    components: list[dict[str, Any]],
    code: int,
    detail: str,
) -> None:
    await _seed(control, SEGUNDA_VIA)

    response = await graph.post(f"/{PNID}/messages", json=send_body(components))

    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert detail in error["error_data"]["details"]


async def test_unknown_template_or_language_is_132001(graph: httpx.AsyncClient) -> None:
    unknown = await graph.post(f"/{PNID}/messages", json=send_body([], name="nao_existe"))
    wrong_language = await graph.post(f"/{PNID}/messages", json=send_body([], name="hello_world", code="pt_BR"))

    for response in (unknown, wrong_language):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == 132001
        assert response.json()["error"]["message"] == "(#132001) Template name does not exist in the translation"
    assert (
        wrong_language.json()["error"]["error_data"]["details"] == "template name (hello_world) does not exist in pt_BR"
    )


@pytest.mark.parametrize(("status", "code"), [("PAUSED", 132015), ("DISABLED", 132016)])
async def test_paused_and_disabled_templates(
    graph: httpx.AsyncClient, control: httpx.AsyncClient, status: str, code: int
) -> None:
    await _seed(control, PESQUISA, status=status)

    response = await graph.post(f"/{PNID}/messages", json=send_body([], name="pesquisa_satisfacao"))

    assert response.json()["error"]["code"] == code


async def test_named_parameters(graph: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await _seed(control, PESQUISA)
    good = {"type": "body", "parameters": [{"type": "text", "parameter_name": "nome", "text": "Ana"}]}
    unnamed = {"type": "body", "parameters": [{"type": "text", "text": "Ana"}]}

    ok = await graph.post(f"/{PNID}/messages", json=send_body([good], name="pesquisa_satisfacao"))
    bad = await graph.post(f"/{PNID}/messages", json=send_body([unnamed], name="pesquisa_satisfacao"))

    assert ok.status_code == 200, ok.text
    assert bad.json()["error"]["code"] == 100
    assert bad.json()["error"]["error_data"]["details"] == "Parameter name is missing or empty"


async def test_manual_status_change_sends_webhook(control: httpx.AsyncClient, receiver: Any, wait_until: Any) -> None:
    template = await _seed(control, PESQUISA)

    await control.post(
        f"/_sim/templates/{template['id']}/status", json={"status": "REJECTED", "reason": "INVALID_FORMAT"}
    )

    hook = await wait_until(lambda: next((json.loads(i.raw) for i in receiver.snapshot()), None))
    assert hook["entry"][0]["changes"][0]["value"]["event"] == "REJECTED"
    assert hook["entry"][0]["changes"][0]["value"]["reason"] == "INVALID_FORMAT"
