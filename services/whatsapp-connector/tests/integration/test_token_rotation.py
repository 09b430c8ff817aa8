"""The WhatsApp access token rotates without a restart: a new token in the mounted secret (a
Kubernetes Secret's file) and a SIGHUP, and the next Graph API call carries it, with its
appsecret_proof recomputed."""

from __future__ import annotations

import hashlib
import hmac
import os
import signal
from pathlib import Path

import pytest
from fastapi import FastAPI, Request

from atende_testing import running_server, wait_until
from atende_whatsapp_connector.app import graph_client
from atende_whatsapp_connector.settings import ConnectorSettings

pytestmark = pytest.mark.integration

APP_SECRET = "meta-app-secret-of-the-test-app"


def recording_graph_api(seen: list[tuple[str, str]]) -> FastAPI:
    """A Graph API stand-in that records the bearer token and appsecret_proof of every send."""
    app = FastAPI()

    @app.post("/{version}/{phone_number_id}/messages")
    async def send(request: Request) -> dict[str, object]:
        seen.append((request.headers.get("authorization", ""), request.query_params.get("appsecret_proof", "")))
        return {"messaging_product": "whatsapp", "messages": [{"id": f"wamid.{len(seen)}"}]}

    return app


def proof(token: str) -> str:
    return hmac.new(APP_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()


async def test_a_new_access_token_on_disk_reaches_the_next_graph_call_after_sighup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "WHATSAPP_ACCESS_TOKEN").write_text("EAAG-token-version-1\n")
    (secrets / "WHATSAPP_APP_SECRET").write_text(APP_SECRET)
    monkeypatch.setenv("SECRETS_PROVIDER", "file")
    monkeypatch.setenv("SECRETS_DIR", str(secrets))
    seen: list[tuple[str, str]] = []
    async with running_server(recording_graph_api(seen)) as url:
        settings = ConnectorSettings(environment="test", whatsapp_api_base_url=url)
        graph = graph_client(settings)
        payload = {"messaging_product": "whatsapp", "to": "5511999990000", "type": "text", "text": {"body": "oi"}}
        try:
            await graph.send_message("106540352242922", payload)
            assert seen[-1] == ("Bearer EAAG-token-version-1", proof("EAAG-token-version-1"))

            (secrets / "WHATSAPP_ACCESS_TOKEN").write_text("EAAG-token-version-2\n")
            await graph.send_message("106540352242922", payload)
            assert seen[-1][0] == "Bearer EAAG-token-version-1"  # the 5-minute default interval has not passed
            os.kill(os.getpid(), signal.SIGHUP)

            async def sent_with_new_token() -> bool:
                await graph.send_message("106540352242922", payload)
                return seen[-1] == ("Bearer EAAG-token-version-2", proof("EAAG-token-version-2"))

            await wait_until(sent_with_new_token, timeout=10, interval=0.05)
        finally:
            await graph.aclose()
