"""Limit violations and Meta's exact error answers (codes, HTTP status, error shape)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration
PNID = "106540352242922"
CUSTOMER = "+5511987654321"


def msg(kind: str, content: Any, to: str = CUSTOMER) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": to, "type": kind, kind: content}


def buttons(*titles: str) -> dict[str, Any]:
    return {
        "type": "button",
        "body": {"text": "Escolha"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": f"b{i}", "title": t}} for i, t in enumerate(titles)]},
    }


def a_list(sections: list[dict[str, Any]], button: str = "Opções", body: str = "Escolha") -> dict[str, Any]:
    return {"type": "list", "body": {"text": body}, "action": {"button": button, "sections": sections}}


def rows(n: int, prefix: str = "r") -> list[dict[str, Any]]:
    return [{"id": f"{prefix}{i}", "title": f"Opção {i}"} for i in range(n)]


@pytest.fixture(autouse=True)
async def _window(open_window: Any) -> None:
    await open_window(CUSTOMER)


def assert_meta_error(response: httpx.Response, *, http: int, code: int) -> dict[str, Any]:
    assert response.status_code == http, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["type"] == "OAuthException"
    assert isinstance(error["fbtrace_id"], str)
    assert error["fbtrace_id"]
    assert set(error) <= {"message", "type", "code", "error_subcode", "error_data", "fbtrace_id"}
    if "error_data" in error:
        assert error["error_data"]["messaging_product"] == "whatsapp"
        assert error["error_data"]["details"]
        assert error["message"].startswith(f"(#{code}) ")
    return dict(error)


@pytest.mark.parametrize(
    ("body", "code", "detail"),
    [
        (msg("interactive", buttons("Um", "Dois", "Três", "Quatro")), 131009, "Invalid buttons count"),
        (msg("interactive", buttons()), 131009, "Invalid buttons count"),
        (msg("interactive", buttons("x" * 21)), 131009, "Button title length invalid"),
        (msg("interactive", buttons("Sim", "Sim")), 131009, "Duplicate button title"),
        (
            msg("interactive", {**buttons("A"), "body": {"text": "x" * 1025}}),
            131009,
            "Body text is too long. Max length: 1024",
        ),
        (
            msg("interactive", {**buttons("A"), "footer": {"text": "x" * 61}}),
            131009,
            "Footer text is too long",
        ),
        (msg("interactive", {"type": "button", "action": {"buttons": []}}), 131008, "interactive['body']"),
        (
            msg("interactive", a_list([{"title": "A", "rows": rows(11)}])),
            131009,
            "Total row count exceed max",
        ),
        (
            msg(
                "interactive",
                a_list([{"title": "A", "rows": rows(6, "a")}, {"title": "B", "rows": rows(5, "b")}]),
            ),
            131009,
            "Total row count exceed max",
        ),
        (
            msg("interactive", a_list([{"title": f"S{i}", "rows": rows(1, f"s{i}")} for i in range(11)])),
            131009,
            "Invalid sections count",
        ),
        (
            msg("interactive", a_list([{"title": "A", "rows": [{"id": "1", "title": "x" * 25}]}])),
            131009,
            "Row title is too long. Max length: 24",
        ),
        (
            msg(
                "interactive",
                a_list([{"title": "A", "rows": [{"id": "1", "title": "ok", "description": "d" * 73}]}]),
            ),
            131009,
            "Row description is too long. Max length: 72",
        ),
        (
            msg("interactive", a_list([{"title": "A", "rows": rows(1)}], button="b" * 21)),
            131009,
            "Button label length",
        ),
        (
            msg("interactive", a_list([{"title": "x" * 25, "rows": rows(1)}])),
            131009,
            "Section title is too long",
        ),
        (msg("interactive", a_list([{"rows": rows(1, "a")}, {"rows": rows(1, "b")}])), 131008, "['title']"),
        (
            msg("interactive", a_list([{"title": "A", "rows": rows(1)}], body="x" * 4097)),
            131009,
            "Body text is too long. Max length: 4096",
        ),
        (
            msg(
                "interactive",
                {
                    **a_list([{"title": "A", "rows": rows(1)}]),
                    "header": {"type": "image", "image": {"link": "https://x/y.png"}},
                },
            ),
            131009,
            "Header type 'image' is not valid for interactive list",
        ),
        (msg("text", {"body": "x" * 4097}), 131009, "Text body is too long. Max length: 4096"),
        (msg("text", {}), 131008, "text['body']"),
        (msg("text", {"body": "oi", "previewUrl": True}), 100, "previewUrl"),
        (
            msg("image", {"link": "https://x/y.png", "caption": "c" * 1025}),
            131009,
            "image caption is too long",
        ),
        (msg("image", {"link": "https://x/y.png", "id": "1"}), 100, "either 'id' or 'link'"),
        (msg("audio", {"link": "https://x/y.ogg", "caption": "não pode"}), 100, "audio['caption']"),
        (msg("image", {"id": "999"}), 131009, "Invalid media id"),
        (msg("image", {"link": "ftp://x/y.png"}), 131009, "valid http(s) URL"),
        (msg("location", {"latitude": -23.5}), 131008, "location['longitude']"),
        (msg("reaction", {"emoji": "👍"}), 131008, "reaction['message_id']"),
        ({**msg("text", {"body": "oi"}), "type": "carousel"}, 100, "Param type"),
        ({**msg("text", {"body": "oi"}), "to": "abc"}, 131009, "not a valid phone number"),
        ({"messaging_product": "whatsapp", "type": "text", "text": {"body": "oi"}}, 131008, "['to']"),
        ({**msg("text", {"body": "oi"}), "recipient_type": "group"}, 100, "recipient_type"),
        ({**msg("text", {"body": "oi"}), "unexpected": 1}, 100, "unexpected"),
    ],
)
async def test_limit_violations_are_rejected_like_meta(
    graph: httpx.AsyncClient, body: dict[str, Any], code: int, detail: str
) -> None:
    response = await graph.post(f"/{PNID}/messages", json=body)

    error = assert_meta_error(response, http=400, code=code)
    assert detail in error["error_data"]["details"]


async def test_missing_messaging_product(graph: httpx.AsyncClient) -> None:
    response = await graph.post(f"/{PNID}/messages", json={"to": CUSTOMER, "text": {"body": "oi"}})

    error = assert_meta_error(response, http=400, code=100)
    assert error["message"] == "(#100) The parameter messaging_product is required."


async def test_invalid_json(graph: httpx.AsyncClient) -> None:
    response = await graph.post(f"/{PNID}/messages", content=b"{not json", headers={"Content-Type": "application/json"})

    assert_meta_error(response, http=400, code=100)


async def test_unknown_phone_number_id(graph: httpx.AsyncClient) -> None:
    response = await graph.post("/123/messages", json=msg("text", {"body": "oi"}))

    error = assert_meta_error(response, http=400, code=100)
    assert error["error_subcode"] == 33
    assert "Object with ID '123' does not exist" in error["message"]


async def test_wrong_token_is_190(sim_url: str) -> None:
    async with httpx.AsyncClient(headers={"Authorization": "Bearer wrong"}) as client:
        response = await client.post(f"{sim_url}/v25.0/{PNID}/messages", json=msg("text", {"body": "oi"}))

    error = assert_meta_error(response, http=401, code=190)
    assert error["message"] == "Invalid OAuth access token - Cannot parse access token"
    assert "OAuth" in response.headers["www-authenticate"]


async def test_missing_token_is_104(sim_url: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{sim_url}/v25.0/{PNID}/messages", json=msg("text", {"body": "oi"}))

    assert_meta_error(response, http=401, code=104)


async def test_throughput_limit_gives_130429(graph: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await control.patch("/_sim/config", json={"throughput_mps": 5})
    customers = [f"+55119876543{i:02d}" for i in range(12)]
    for customer in customers:
        await control.post("/_sim/window", json={"phone": customer})

    responses = await asyncio.gather(
        *(graph.post(f"/{PNID}/messages", json=msg("text", {"body": "oi"}, to=c)) for c in customers)
    )

    codes = [r.status_code for r in responses]
    assert codes.count(200) >= 5
    assert 429 in codes
    error = assert_meta_error(next(r for r in responses if r.status_code == 429), http=429, code=130429)
    assert error["error_subcode"] == 2494055


async def test_pair_rate_limit_gives_131056_for_that_recipient_only(
    graph: httpx.AsyncClient, control: httpx.AsyncClient, open_window: Any
) -> None:
    await control.patch("/_sim/config", json={"pair_burst": 3, "pair_interval_s": 6})
    other = "+5521998765432"
    await open_window(other)

    first = [await graph.post(f"/{PNID}/messages", json=msg("text", {"body": f"{i}"})) for i in range(3)]
    fourth = await graph.post(f"/{PNID}/messages", json=msg("text", {"body": "4"}))
    to_other = await graph.post(f"/{PNID}/messages", json=msg("text", {"body": "oi"}, to=other))

    assert [r.status_code for r in first] == [200, 200, 200]
    assert_meta_error(fourth, http=429, code=131056)
    assert to_other.status_code == 200


async def test_outside_window_fails_async_with_131047(
    graph: httpx.AsyncClient, control: httpx.AsyncClient, receiver: Any, wait_until: Any
) -> None:
    stranger = "+5531997654321"

    response = await graph.post(f"/{PNID}/messages", json=msg("text", {"body": "oi"}, to=stranger))

    assert response.status_code == 200
    wamid = response.json()["messages"][0]["id"]

    def failed() -> Any:
        for item in receiver.snapshot():
            for status in json.loads(item.raw)["entry"][0]["changes"][0]["value"].get("statuses", []):
                if status["id"] == wamid and status["status"] == "failed":
                    return status
        return None

    status = await wait_until(failed, 5)
    assert status["recipient_id"] == "5531997654321"
    assert status["errors"][0]["code"] == 131047
    assert status["errors"][0]["title"] == "Re-engagement message"
    assert status["errors"][0]["message"] == "Re-engagement message"
    assert "24 hours" in status["errors"][0]["error_data"]["details"]
    assert not [s for s in _statuses(receiver) if s["id"] == wamid and s["status"] in ("sent", "delivered")]


def _statuses(receiver: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in receiver.snapshot():
        out += json.loads(item.raw)["entry"][0]["changes"][0]["value"].get("statuses", [])
    return out


async def test_outside_window_sync_mode_gives_http_400(graph: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await control.patch("/_sim/config", json={"window_mode": "sync"})

    response = await graph.post(f"/{PNID}/messages", json=msg("text", {"body": "oi"}, to="+5531997654321"))

    assert_meta_error(response, http=400, code=131047)


async def test_template_is_allowed_outside_window(graph: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await control.patch("/_sim/config", json={"window_mode": "sync"})
    body = msg("template", {"name": "hello_world", "language": {"code": "en_US"}}, to="+5531997654321")

    response = await graph.post(f"/{PNID}/messages", json=body)

    assert response.status_code == 200, response.text


async def test_window_closes_after_24_hours(graph: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await control.patch("/_sim/config", json={"window_mode": "sync"})
    await control.post("/_sim/window", json={"phone": CUSTOMER, "last_inbound": time.time() - 24 * 3600 - 5})

    response = await graph.post(f"/{PNID}/messages", json=msg("text", {"body": "oi"}))

    assert_meta_error(response, http=400, code=131047)


async def test_inbound_message_opens_the_window(graph: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await control.patch("/_sim/config", json={"window_mode": "sync"})
    stranger = "5585996543210"
    await control.post("/_sim/inbound", json={"from": stranger, "text": "oi"})

    response = await graph.post(f"/{PNID}/messages", json=msg("text", {"body": "Olá!"}, to=f"+{stranger}"))

    assert response.status_code == 200, response.text


async def test_undeliverable_number_fails_with_131026(
    graph: httpx.AsyncClient, control: httpx.AsyncClient, receiver: Any, wait_until: Any
) -> None:
    await control.patch("/_sim/config", json={"undeliverable_numbers": [CUSTOMER]})

    response = await graph.post(f"/{PNID}/messages", json=msg("text", {"body": "oi"}))

    wamid = response.json()["messages"][0]["id"]
    status = await wait_until(lambda: next((s for s in _statuses(receiver) if s["id"] == wamid), None))
    assert status["status"] == "failed"
    assert status["errors"][0]["code"] == 131026
