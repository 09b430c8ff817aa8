"""The real google-genai client against the simulator over a socket."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from google import genai
from google.genai import errors, types

from atende_sim_gemini.app import create_app
from atende_sim_gemini.settings import SimSettings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(SimSettings(port=port)),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


def client(base_url: str) -> genai.Client:
    return genai.Client(api_key="k", http_options=types.HttpOptions(base_url=base_url))


async def test_generate_content_structured(base_url: str) -> None:
    response = await client(base_url).aio.models.generate_content(
        model="gemini-2.5-flash",
        contents="Mensagem do cliente: minha internet caiu, sem internet",
        config=types.GenerateContentConfig(
            response_mime_type="application/json",
            response_json_schema={"type": "object"},
        ),
    )
    assert response.text is not None
    assert '"sem_conexao"' in response.text
    assert response.usage_metadata is not None
    assert (response.usage_metadata.total_token_count or 0) > 0


async def test_throttled_raises_client_error_429(base_url: str) -> None:
    async with httpx.AsyncClient() as admin:
        await admin.post(f"{base_url}/_sim/mode", json={"mode": "throttled", "count": 1})
    with pytest.raises(errors.ClientError) as info:
        await client(base_url).aio.models.generate_content(model="m", contents="oi")
    assert info.value.code == 429
    assert info.value.status == "RESOURCE_EXHAUSTED"
