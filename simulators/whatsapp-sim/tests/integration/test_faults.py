"""Failure injection switched at runtime through ``/_sim/faults``."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration
PNID = "106540352242922"
CUSTOMER = "+5511987654321"
TEXT = {"messaging_product": "whatsapp", "to": CUSTOMER, "type": "text", "text": {"body": "oi"}}


@pytest.fixture(autouse=True)
async def _window(open_window: Any) -> None:
    await open_window(CUSTOMER)


async def _fault(control: httpx.AsyncClient, **config: Any) -> None:
    response = await control.post("/_sim/faults", json=config)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("mode", "http", "code"),
    [
        ("throttle", 429, 130429),
        ("server_error", 500, 131000),
        ("expired_token", 401, 190),
        ("pair_rate", 429, 131056),
    ],
)
async def test_fault_modes_answer_like_meta(
    graph: httpx.AsyncClient, control: httpx.AsyncClient, mode: str, http: int, code: int
) -> None:
    await _fault(control, mode=mode)

    response = await graph.post(f"/{PNID}/messages", json=TEXT)

    assert response.status_code == http
    assert response.json()["error"]["code"] == code


async def test_expired_token_has_subcode_463(graph: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await _fault(control, mode="expired_token")

    error = (await graph.post(f"/{PNID}/messages", json=TEXT)).json()["error"]

    assert error["error_subcode"] == 463
    assert error["message"].startswith("Error validating access token: Session has expired")


async def test_slow_mode_adds_latency(graph: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await _fault(control, mode="slow", latency_ms=400)

    start = time.monotonic()
    response = await graph.post(f"/{PNID}/messages", json=TEXT)

    assert response.status_code == 200
    assert time.monotonic() - start >= 0.4


async def test_outside_window_mode_fails_free_form_but_not_templates(
    graph: httpx.AsyncClient, control: httpx.AsyncClient, receiver: Any, wait_until: Any
) -> None:
    await _fault(control, mode="outside_window")
    template = {
        **TEXT,
        "type": "template",
        "template": {"name": "hello_world", "language": {"code": "en_US"}},
    }
    del template["text"]

    text_id = (await graph.post(f"/{PNID}/messages", json=TEXT)).json()["messages"][0]["id"]
    template_id = (await graph.post(f"/{PNID}/messages", json=template)).json()["messages"][0]["id"]

    def statuses() -> dict[str, set[str]]:
        seen: dict[str, set[str]] = {}
        for item in receiver.snapshot():
            for s in json.loads(item.raw)["entry"][0]["changes"][0]["value"].get("statuses", []):
                seen.setdefault(s["id"], set()).add(s["status"])
        return seen

    seen = await wait_until(lambda: (s := statuses()).get(text_id) and "delivered" in s.get(template_id, set()) and s)
    assert seen[text_id] == {"failed"}


async def test_probability_zero_never_fires(graph: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await _fault(control, mode="server_error", probability=0.0)

    response = await graph.post(f"/{PNID}/messages", json=TEXT)

    assert response.status_code == 200


async def test_count_limits_the_fault_then_recovers(graph: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await _fault(control, mode="server_error", count=2)

    codes = [(await graph.post(f"/{PNID}/messages", json=TEXT)).status_code for _ in range(3)]

    assert codes == [500, 500, 200]
    assert (await control.get("/_sim/faults")).json()["mode"] == "ok"


async def test_reset_restores_normal_behaviour(graph: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await _fault(control, mode="throttle")

    await control.delete("/_sim/faults")

    assert (await graph.post(f"/{PNID}/messages", json=TEXT)).status_code == 200


async def test_scope_messages_leaves_media_alone_and_all_does_not(
    graph: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await _fault(control, mode="server_error")
    assert (await graph.get(f"/{PNID}")).status_code == 200

    await _fault(control, mode="server_error", scope="all")

    assert (await graph.get(f"/{PNID}")).status_code == 500


async def test_failed_requests_are_recorded_with_their_answer(
    graph: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await _fault(control, mode="throttle")

    await graph.post(f"/{PNID}/messages", json=TEXT)

    recorded = (await control.get("/_sim/requests", params={"phone": CUSTOMER})).json()["requests"][-1]
    assert recorded["status_code"] == 429
    assert recorded["response"]["error"]["code"] == 130429
    assert recorded["body"] == TEXT


async def test_invalid_fault_mode_is_refused(control: httpx.AsyncClient) -> None:
    response = await control.post("/_sim/faults", json={"mode": "explode"})

    assert response.status_code == 422
