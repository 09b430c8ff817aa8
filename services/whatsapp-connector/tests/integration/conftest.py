"""The whole WhatsApp path on real infrastructure: the WhatsApp simulator (Graph API + signed webhooks),
the gateway, the connector, real Kafka and Redis; a reader bus records what the connector emits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from atende.conversation.v1.conversation_pb2 import InboundMessage
from atende.whatsapp.v1.whatsapp_pb2 import MessageStatusChanged, SendMessage
from atende_core.bus import Bus, Envelope, topics
from atende_gateway.app import create_app as create_gateway
from atende_gateway.settings import GatewaySettings
from atende_sim_whatsapp.app import create_app as create_sim
from atende_sim_whatsapp.settings import SimSettings
from atende_testing import INTERNAL_HEADERS, INTERNAL_TOKEN, free_port, running_internal, running_server, wait_until
from atende_whatsapp_connector.app import create_app as create_connector
from atende_whatsapp_connector.domain.media_hosts import META_MEDIA_HOSTS
from atende_whatsapp_connector.settings import ConnectorSettings

TOKEN = "integration-token-123"
APP_SECRET = "integration-app-secret"
PNID = "106540352242922"
WABA = "102290129340398"


@dataclass
class Stack:
    """Addresses of the running pieces and what the connector emitted."""

    sim: httpx.AsyncClient
    connector: httpx.AsyncClient
    publisher: Bus
    settings: ConnectorSettings
    inbound: list[InboundMessage] = field(default_factory=list)
    statuses: list[MessageStatusChanged] = field(default_factory=list)
    commands: list[SendMessage] = field(default_factory=list)

    async def send(self, command: SendMessage) -> None:
        """Publish a send command as the conversation service would."""
        await self.publisher.publish(topics.WHATSAPP_OUTBOUND, command, key=command.conversation_id or "k")

    async def inject(self, **spec: Any) -> dict[str, Any]:
        """A customer message through the simulator (signed webhook to the gateway)."""
        response = await self.sim.post("/_sim/inbound", json=spec)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        assert answer["gateway_status"] == 200, answer
        return answer

    async def raw_webhook(self, body: dict[str, Any]) -> int:
        """POST an arbitrary body, signed like Meta, through the simulator."""
        response = await self.sim.post("/_sim/raw-webhook", json={"body": body})
        response.raise_for_status()
        return int(response.json()["status_code"])

    async def requests(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Graph calls the simulator recorded (exact bodies)."""
        params = {"kind": kind} if kind else {}
        return list((await self.sim.get("/_sim/requests", params=params)).json()["requests"])

    async def inbound_with(self, message_id: str) -> InboundMessage:
        """Wait for the inbound event of one wamid."""
        found = await wait_until(lambda: [m for m in self.inbound if m.message_id == message_id], timeout=20)
        return found[0]

    async def statuses_of(self, command_id: str, count: int = 1) -> list[MessageStatusChanged]:
        """Wait for `count` status events of one command."""
        return await wait_until(
            lambda: (
                (found := [s for s in self.statuses if s.command_id == command_id]) and len(found) >= count and found
            ),
            timeout=20,
        )


@pytest.fixture
def sim_overrides() -> dict[str, Any]:
    """Simulator settings a test module may override."""
    return {}


@pytest.fixture
def connector_overrides() -> dict[str, Any]:
    """Connector settings a test module may override."""
    return {}


@pytest.fixture
async def stack(
    kafka_bootstrap_servers: str,
    redis_url: str,
    topic_prefix: str,
    make_bus: Callable[..., Bus],
    sim_overrides: dict[str, Any],
    connector_overrides: dict[str, Any],
) -> AsyncIterator[Stack]:
    gateway_port, sim_port = free_port(), free_port()
    sim_settings = SimSettings(
        whatsapp_access_token=TOKEN,
        whatsapp_app_secret=APP_SECRET,
        whatsapp_phone_number_id=PNID,
        whatsapp_business_account_id=WABA,
        whatsapp_sim_port=sim_port,
        whatsapp_sim_webhook_url=f"http://127.0.0.1:{gateway_port}/webhooks/whatsapp",
        whatsapp_sim_status_sent_delay_s=0.05,
        whatsapp_sim_status_delivered_delay_s=0.1,
        whatsapp_sim_status_read_delay_s=0.2,
        whatsapp_sim_webhook_backoff_s=0.2,
        whatsapp_sim_template_approval_delay_s=0,
        **sim_overrides,
    )
    gateway_settings = GatewaySettings(
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        redis_url=redis_url,
        whatsapp_app_secret=APP_SECRET,
    )
    gateway_app = create_gateway(gateway_settings)
    settings = ConnectorSettings(
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        redis_url=redis_url,
        whatsapp_api_base_url=f"http://127.0.0.1:{sim_port}",
        # The simulator serves media downloads itself: allowed through the setting, like in `make dev`.
        whatsapp_media_download_hosts=[*META_MEDIA_HOSTS, f"http://127.0.0.1:{sim_port}"],
        whatsapp_access_token=TOKEN,
        whatsapp_phone_number_id=PNID,
        whatsapp_business_account_id=WABA,
        whatsapp_retry_initial_seconds=0.05,
        whatsapp_retry_max_seconds=0.2,
        bus_retry_backoff_seconds=0.05,
        internal_api_token=INTERNAL_TOKEN,
        **connector_overrides,
    )
    reader = make_bus("reader")
    emitted = Stack(sim=None, connector=None, publisher=make_bus("publisher"), settings=settings)  # type: ignore[arg-type]

    async def on_inbound(event: InboundMessage, _: Envelope) -> None:
        emitted.inbound.append(event)

    async def on_status(event: MessageStatusChanged, _: Envelope) -> None:
        emitted.statuses.append(event)

    async def on_command(event: SendMessage, _: Envelope) -> None:
        emitted.commands.append(event)

    reader.subscribe(topics.CONVERSATION_INBOUND, on_inbound, group="reader")
    reader.subscribe(topics.WHATSAPP_STATUS, on_status, group="reader")
    reader.subscribe(topics.WHATSAPP_OUTBOUND, on_command, group="reader")
    await reader.start()
    await emitted.publisher.start(publishes_to=[topics.WHATSAPP_OUTBOUND])
    async with (
        running_server(create_sim(sim_settings), port=sim_port) as sim_url,
        running_server(gateway_app, port=gateway_port),
        running_internal(gateway_app) as gateway_internal_url,
        running_server(create_connector(settings)) as connector_url,
        httpx.AsyncClient(base_url=sim_url, timeout=30) as sim,
        httpx.AsyncClient(base_url=connector_url, headers=INTERNAL_HEADERS, timeout=30) as connector,
        httpx.AsyncClient(base_url=gateway_internal_url, timeout=30) as gateway,
    ):
        await wait_until(lambda: _ready(gateway), timeout=60)
        await wait_until(lambda: _ready(connector), timeout=60)
        emitted.sim, emitted.connector = sim, connector
        yield emitted


async def _ready(client: httpx.AsyncClient) -> bool:
    return (await client.get("/readyz")).status_code == 200
