from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from atende_sim_gemini.app import create_app
from atende_sim_gemini.heuristics import classify
from atende_sim_gemini.settings import SimSettings

pytestmark = pytest.mark.unit

BODY = {
    "contents": [{"role": "user", "parts": [{"text": "Mensagem do cliente: quero a 2a via"}]}],
    "generationConfig": {"responseMimeType": "application/json"},
}
URL = "/v1beta/models/gemini-2.5-flash:generateContent"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SimSettings(delay_s=0.01))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as c:
        yield c


async def test_structured_answer_and_usage(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json=BODY, headers={"x-goog-api-key": "k"})
    assert response.status_code == 200
    data = response.json()
    assert data["usageMetadata"]["totalTokenCount"] > 0
    assert '"segunda_via"' in data["candidates"][0]["content"]["parts"][0]["text"]


async def test_missing_key_is_rejected(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json=BODY)
    assert response.status_code == 403
    assert response.json()["error"]["status"] == "PERMISSION_DENIED"


@pytest.mark.parametrize(
    ("mode", "status", "name"),
    [
        ("throttled", 429, "RESOURCE_EXHAUSTED"),
        ("server_error", 500, "INTERNAL"),
        ("unavailable", 503, "UNAVAILABLE"),
    ],
)
async def test_error_modes_use_google_error_shape(client: httpx.AsyncClient, mode: str, status: int, name: str) -> None:
    await client.post("/_sim/mode", json={"mode": mode, "count": 1})
    first = await client.post(URL, json=BODY, headers={"x-goog-api-key": "k"})
    second = await client.post(URL, json=BODY, headers={"x-goog-api-key": "k"})
    assert first.status_code == status
    assert first.json()["error"] == {
        "code": status,
        "message": first.json()["error"]["message"],
        "status": name,
    }
    assert second.status_code == 200  # counted mode is over
    recorded = (await client.get("/_sim/requests")).json()
    assert [r["mode"] for r in recorded] == [mode, "normal"]


async def test_malformed_modes(client: httpx.AsyncClient) -> None:
    await client.post("/_sim/mode", json={"mode": "malformed"})
    text = (await client.post(URL, json=BODY, headers={"x-goog-api-key": "k"})).json()["candidates"][0]["content"][
        "parts"
    ][0]["text"]
    assert not text.startswith("{")
    await client.post("/_sim/mode", json={"mode": "out_of_schema"})
    text = (await client.post(URL, json=BODY, headers={"x-goog-api-key": "k"})).json()["candidates"][0]["content"][
        "parts"
    ][0]["text"]
    assert '"pagar_conta"' in text


def test_heuristic() -> None:
    assert classify("libera em confiança, pago dia 10")[0] == "promessa_pagamento"
    assert classify("quem ganhou o jogo")[0] == "fora_escopo"
