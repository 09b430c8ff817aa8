"""Every service starts, connects to real infrastructure, answers its health endpoints, shuts down
cleanly; started against infrastructure that is down, it says which and how to start it."""

import importlib
import subprocess
import sys
from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest

from atende_testing import INTERNAL_HEADERS, INTERNAL_TOKEN, running_internal, running_server, wait_until

pytestmark = pytest.mark.integration

# service -> (app module, settings class path)
SERVICES = {
    "gateway": ("atende_gateway.app", "atende_gateway.settings.GatewaySettings"),
    "auth": ("atende_auth.app", "atende_auth.settings.AuthSettings"),
    "whatsapp-connector": ("atende_whatsapp_connector.app", "atende_whatsapp_connector.settings.ConnectorSettings"),
    "conversation": ("atende_conversation.app", "atende_conversation.settings.ConversationSettings"),
    "nlu-gemini": ("atende_nlu_gemini.app", "atende_nlu_gemini.settings.NluSettings"),
    "sgp-adapter": ("atende_sgp_adapter.app", "atende_sgp_adapter.settings.Settings"),
    "campaign-scheduler": ("atende_campaign_scheduler.app", "atende_campaign_scheduler.settings.CampaignSettings"),
    "notifier": ("atende_notifier.app", "atende_notifier.settings.NotifierSettings"),
}


def _load(path: str) -> Any:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_service_is_ready_on_real_infrastructure(
    service: str, kafka_bootstrap_servers: str, redis_url: str, mongodb_uri: str, topic_prefix: str
) -> None:
    app_module, settings_path = SERVICES[service]
    settings = _load(settings_path)(
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        redis_url=redis_url,
        mongodb_uri=mongodb_uri,
        kafka_topic_prefix=topic_prefix,
        internal_api_token=INTERNAL_TOKEN,
    )
    create_app: Callable[..., Any] = importlib.import_module(app_module).create_app
    app = create_app(settings)
    async with AsyncExitStack() as stack:
        url = await stack.enter_async_context(running_server(app))
        if hasattr(app, "internal_app"):  # a public-facing service: health and metrics on its internal port
            url = await stack.enter_async_context(running_internal(app))
        client = await stack.enter_async_context(httpx.AsyncClient(base_url=url))
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await wait_until(lambda: _ready(client), timeout=60)
        assert set(ready["checks"].values()) == {"ok"}
        assert "kafka" in ready["checks"]
        # Metrics are internal: a credential is needed, on every service.
        assert (await client.get("/metrics")).status_code == 401
        assert (await client.get("/metrics", headers=INTERNAL_HEADERS)).status_code == 200


async def _ready(client: httpx.AsyncClient) -> dict[str, Any] | None:
    response = await client.get("/readyz")
    return response.json() if response.status_code == 200 else None


def test_a_service_started_without_kafka_names_it_and_how_to_start_it() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "atende_notifier"],
        env={"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "PATH": "/usr/bin:/bin", "ENVIRONMENT": "test"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Kafka is not reachable at 127.0.0.1:1" in result.stderr
    assert "make infra-up" in result.stderr
    assert "Traceback" not in result.stderr
